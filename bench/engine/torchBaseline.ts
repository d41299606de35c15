/**
 * The PyTorch eager baseline (bench/torch/lora_step.py --serve) as a child process: same environment as this
 * process (OMP_WAIT_POLICY, LD_PRELOAD/MALLOC_CONF allocator, OPENBLAS_* presets) and the same thread count, one
 * JSON request/reply per line, so the benchmark can alternate single training steps and generation repetitions
 * between the two engines: on a shared machine both then see the same background load.
 * Does not install anything: a missing python3 or torch surfaces as an Error with the child's last stderr lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { torchConfigJson, type BenchConfig } from "./configs.ts";

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../torch/lora_step.py");

/** The baseline failed (missing python/torch, a crash, an error reply); the benchmark reports it and goes on. */
export class TorchServerError extends Error {}

export interface TorchInfo {
    torch: string;
    threads: number;
    impl: string;
}

export interface TorchServerOptions {
    threads: number;
    /** python3 to use. Default $BENCH_PYTHON, else /usr/bin/python3 (Debian's, which has python3-torch). */
    python?: string;
}

export class TorchServer {
    private readonly child: ChildProcessWithoutNullStreams;
    private readonly lines: AsyncIterator<string>;
    private stderrTail: string[] = [];

    constructor(readonly config: BenchConfig, o: TorchServerOptions) {
        const python = o.python ?? process.env.BENCH_PYTHON ?? "/usr/bin/python3";
        this.child = spawn(python, [SCRIPT, "--serve", "--config", torchConfigJson(config), "--threads", String(o.threads), "--frozen-adapters", "1"], {
            env: process.env,
            stdio: ["pipe", "pipe", "pipe"],
        });
        this.child.stderr.setEncoding("utf8");
        this.child.stderr.on("data", (s: string) => {
            this.stderrTail = [...this.stderrTail, ...s.split("\n").filter(Boolean)].slice(-5);
        });
        this.child.on("error", () => undefined); // reported through the closed stdout in request()
        this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
    }

    /** Sends one request and waits for its reply; throws with the child's stderr when it failed or died. */
    async request<T>(req: Record<string, unknown>): Promise<T> {
        if (this.child.stdin.writable) this.child.stdin.write(JSON.stringify(req) + "\n");
        const next = await this.lines.next();
        if (next.done) {
            throw new TorchServerError(`${path.relative(process.cwd(), SCRIPT)} --serve ended (exit ${this.child.exitCode ?? "?"}): ${this.stderrTail.join(" | ") || "no stderr"}`);
        }
        let reply: T & { error?: string };
        try {
            reply = JSON.parse(next.value) as T & { error?: string };
        } catch {
            throw new TorchServerError(`${path.relative(process.cwd(), SCRIPT)}: reply is not JSON: ${next.value.slice(0, 200)}`);
        }
        if (typeof reply.error === "string") throw new TorchServerError(`${path.relative(process.cwd(), SCRIPT)}: ${reply.error}`);
        return reply;
    }

    info(): Promise<TorchInfo> {
        return this.request<TorchInfo>({ op: "info" });
    }
    async trainBegin(frozen: number): Promise<void> {
        await this.request({ op: "train_begin", frozen });
    }
    /** n training steps; their times in ms. */
    async trainSteps(n: number): Promise<number[]> {
        return (await this.request<{ times_ms: number[] }>({ op: "train_steps", n })).times_ms;
    }
    async genRep(batch: number, promptLen: number, newTokens: number): Promise<{ prefillMs: number; decodeMs: number }> {
        const r = await this.request<{ prefill_ms: number[]; decode_ms: number[] }>({ op: "gen", batch, prompt: promptLen, new: newTokens, reps: 1 });
        return { prefillMs: r.prefill_ms[0] ?? NaN, decodeMs: r.decode_ms[0] ?? NaN };
    }

    /** Ends the child (closing stdin ends its loop) and waits for it. */
    async close(): Promise<void> {
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        this.child.stdin.end();
        const timer = setTimeout(() => this.child.kill("SIGTERM"), 10_000);
        await exited;
        clearTimeout(timer);
    }
}

/** The equivalent one-shot command line, for the report (run from the repository root). */
export function torchCommandLine(c: BenchConfig, threads: number): string {
    return `/usr/bin/python3 bench/torch/lora_step.py --config '${torchConfigJson(c)}' --threads ${threads}`;
}
