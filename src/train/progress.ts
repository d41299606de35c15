/**
 * Progress reporting for long jobs: a log line every few steps (step, loss, lr, tokens/s, MFU, ETA) on stderr,
 * and one JSON object per logged step appended to metrics.jsonl (with the process's RSS and live tensor count).
 *
 * MFU convention: FLOPs per trained token = 6N for full fine-tuning, 4N for LoRA with a frozen base (forward 2N +
 * input gradients 2N; weight gradients of the frozen base are skipped), N = non-embedding parameters + the
 * lm_head matmul. Peak: IA_PEAK_TFLOPS if set, else 989 (H100 SXM bf16 dense) on CUDA, else an estimate for
 * these CPUs (cpuPeakFlops: ~211 GFLOP/s per thread in fp32; a large sgemm reaches ~168 per core here).
 */
import fs from "node:fs";
import { getNumThreads, liveTensors } from "../engine/runtime.ts";

export function peakFlops(device: string): number {
    const env = Number(process.env.IA_PEAK_TFLOPS);
    if (Number.isFinite(env) && env > 0) return env * 1e12;
    if (device.startsWith("cuda")) return 989e12;
    // The threads this process computes with (a pool's children run one each, whatever IA_THREADS said before).
    return cpuPeakFlops(getNumThreads());
}

/** fp32 peak of these CPUs: 2 FMA units x 16 lanes (AVX-512) x 2 FLOPs x ~3.3 GHz = ~211 GFLOP/s per thread. */
export function cpuPeakFlops(threads: number): number {
    const env = Number(process.env.IA_PEAK_TFLOPS);
    if (Number.isFinite(env) && env > 0) return env * 1e12;
    return 2 * 16 * 2 * 3.3e9 * threads;
}

export function formatDuration(seconds: number): string {
    if (!Number.isFinite(seconds)) return "?";
    const s = Math.round(seconds);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export interface StepRecord {
    step: number;
    totalSteps: number;
    loss: number;
    lr: number;
    gradNorm: number;
    tokens: number;
    seconds: number;
    [extra: string]: number | string;
}

/** Which pool task a progress line belongs to, when tasks run side by side (src/parallel/pool.ts sets it). */
function poolTaskTag(): string {
    const task = process.env.IA_POOL_TASK;
    return task ? ` ${task}` : "";
}

export class ProgressLog {
    private tokensSince = 0;
    private secondsSince = 0;
    private readonly started = performance.now();
    private readonly stepsAtStart: number;

    constructor(
        private readonly label: string,
        private readonly metricsFile: string | null,
        private readonly flopsPerToken: number,
        private readonly peak: number,
        startStep: number,
        private readonly quiet = false,
    ) {
        this.stepsAtStart = startStep;
    }

    record(r: StepRecord, print: boolean): void {
        this.tokensSince += r.tokens;
        this.secondsSince += r.seconds;
        if (!print) return;
        const tps = this.tokensSince / Math.max(this.secondsSince, 1e-9);
        const mfu = (tps * this.flopsPerToken) / this.peak;
        const elapsed = (performance.now() - this.started) / 1000;
        const done = r.step + 1 - this.stepsAtStart;
        const eta = (elapsed / Math.max(done, 1)) * (r.totalSteps - r.step - 1);
        // Memory beside speed: a leak (tensors left to the garbage collector, whose N-API finalizers Node 20 defers to an
        // event loop that never turns during a synchronous stage) shows as live tensors or RSS growing with the steps.
        const memory = { rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20), liveTensors: liveTensors() };
        const row = { ...r, tokensPerSec: Math.round(tps), mfu: Number(mfu.toFixed(4)), elapsed: Number(elapsed.toFixed(1)), ...memory };
        if (this.metricsFile) fs.appendFileSync(this.metricsFile, JSON.stringify(row) + "\n");
        if (!this.quiet) {
            const extras = Object.entries(r)
                .filter(([k]) => !["step", "totalSteps", "loss", "lr", "gradNorm", "tokens", "seconds"].includes(k))
                .map(([k, v]) => `${k} ${typeof v === "number" ? v.toFixed(3) : v}`)
                .join(" | ");
            process.stderr.write(
                `[${this.label}${poolTaskTag()}] step ${r.step + 1}/${r.totalSteps} | loss ${r.loss.toFixed(4)} | lr ${r.lr.toExponential(2)} | ` +
                    `${Math.round(tps).toLocaleString("en-US")} tok/s | MFU ${(mfu * 100).toFixed(1)}% | ETA ${formatDuration(eta)}` +
                    (extras ? ` | ${extras}` : "") + "\n",
            );
        }
        this.tokensSince = 0;
        this.secondsSince = 0;
    }
}
