/**
 * Runs the PyTorch eager baseline (bench/torch/lora_step.py) as a child process with this process's
 * environment (same OMP_WAIT_POLICY, LD_PRELOAD/MALLOC_CONF allocator, OPENBLAS_* presets) and thread count,
 * and parses its one JSON line. Does not install anything: a missing python3 or torch is reported as an error
 * result, not a crash, so the rest of the benchmark still prints.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { torchConfigJson, type BenchConfig } from "./configs.ts";

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../torch/lora_step.py");

export interface TorchTrain {
    tokens_per_s_best: number;
    tokens_per_s_median: number;
    step_ms_best: number;
    step_ms_median: number;
    loss_first: number;
    loss_last: number;
    trainable_params: number;
}
export interface TorchGen {
    batch: number;
    decode_tokens_per_s_best: number;
    decode_tokens_per_s_median: number;
    prefill_ms_median: number;
}
export interface TorchResult {
    torch: string;
    threads: number;
    train: TorchTrain;
    generate?: Record<string, TorchGen>;
}
export interface TorchError {
    error: string;
}
export function isTorchError(r: TorchResult | TorchError): r is TorchError {
    return typeof (r as TorchError).error === "string";
}

export interface TorchRunOptions {
    threads: number;
    /** Frozen adapters stacked under the trained one. Default 0. */
    frozenAdapters?: number;
    /** Skip generation timing. Default false. */
    noGen?: boolean;
    /** python3 to use. Default $BENCH_PYTHON, else /usr/bin/python3 (Debian's, which has python3-torch). */
    python?: string;
    /** Kill the child after this many seconds. Default 900. */
    timeoutS?: number;
}

export function runTorchBaseline(c: BenchConfig, o: TorchRunOptions): TorchResult | TorchError {
    const python = o.python ?? process.env.BENCH_PYTHON ?? "/usr/bin/python3";
    const args = [
        SCRIPT, "--config", torchConfigJson(c), "--threads", String(o.threads),
        "--steps", String(c.steps), "--warmup", String(c.warmup),
        "--gen-batches", c.genBatches.join(","), "--gen-prompt", "16", "--gen-new", "32", "--gen-reps", String(c.genReps),
        "--frozen-adapters", String(o.frozenAdapters ?? 0),
    ];
    if (o.noGen) args.push("--no-gen");
    const r = spawnSync(python, args, { env: process.env, encoding: "utf8", timeout: (o.timeoutS ?? 900) * 1000, maxBuffer: 16 << 20 });
    if (r.error) return { error: `${python} ${path.relative(process.cwd(), SCRIPT)}: ${r.error.message}` };
    if (r.status !== 0) {
        const tail = (r.stderr || r.stdout || "").trim().split("\n").slice(-3).join(" | ");
        return { error: `${path.relative(process.cwd(), SCRIPT)} exited with ${r.status ?? r.signal}: ${tail}` };
    }
    const line = r.stdout.trim().split("\n").pop() ?? "";
    try {
        return JSON.parse(line) as TorchResult;
    } catch {
        return { error: `${path.relative(process.cwd(), SCRIPT)}: output is not JSON: ${line.slice(0, 200)}` };
    }
}

export function torchCommandLine(c: BenchConfig, threads: number): string {
    return `/usr/bin/python3 bench/torch/lora_step.py --config '${torchConfigJson(c)}' --threads ${threads}`;
}
