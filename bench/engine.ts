/**
 * The engine benchmark (`make bench`, `ia bench-engine`, or `node --import tsx bench/engine.ts`):
 * for tiny, small and Qwen3-0.6B-shaped decoders with random weights, times
 *   - a LoRA SFT optimizer step (r16/alpha32 on all 7 projections, AdamW on the LoRA parameters only), alone and
 *     with a second frozen adapter stacked under the trained one, tokens/s best-of-N [median], plus MFU;
 *   - greedy generation with the KV cache at batch 1 and 32 (16-token prompts, 32 new tokens; decode tokens only),
 * and runs the PyTorch eager baseline (bench/torch/lora_step.py --serve, a child process with the same environment
 * and thread count) on the same shapes in the same run, alternating single steps / repetitions between the two so
 * that background load on a shared machine hits both alike; prints ours / PyTorch and writes
 * bench/results/engine-<date>.json.
 *
 * It does not change OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (both sides run with the machine's presets), and it does
 * not compare against llama.cpp or GPUs.
 *
 * Usage: node --import tsx bench/engine.ts [--configs tiny,small,0.6b] [--quick] [--no-torch] [--out dir]
 *        (through `source scripts/env.sh` so the allocator and OpenMP settings match the project's entry points)
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { buildInfo, getNumThreads, initEngine, manualSeed } from "../src/engine/runtime.ts";
import { writeJsonAtomic } from "../src/io/atomic.ts";
import { LoraAdapter } from "../src/lora/adapter.ts";
import { initModel } from "../src/model/weights.ts";
import { benchConfigs, cpuPeakFlops, flopsPerToken, type BenchConfig } from "./engine/configs.ts";
import { benchPrompts, timeGenerationRep } from "./engine/generation.ts";
import { waitForQuiet, type QuietReport } from "./engine/quiet.ts";
import {
    cpuModel, envSnapshot, formatTable,
    type ConfigResult, type EngineBenchResult, type Figure, type Row,
} from "./engine/report.ts";
import { TorchServer, TorchServerError, torchCommandLine } from "./engine/torchBaseline.ts";
import { median, TrainSession } from "./engine/trainStep.ts";

export interface EngineBenchOptions {
    /** Config names to run, in order. Default ["tiny", "small", "0.6b"]. */
    configs?: string[];
    /** Fewer timed steps/reps: a smoke run, not figures to report. Default false. */
    quick?: boolean;
    /** Skip the PyTorch baseline. Default false. */
    noTorch?: boolean;
    /** Folder for engine-<date>.json; null writes nothing. Default bench/results. */
    outDir?: string | null;
    /** Longest wait (seconds) for a quiet machine before each timed phase. Default 20; 0 disables waiting. */
    maxQuietWaitS?: number;
    /** Progress lines go here. Default process.stderr. */
    log?: (line: string) => void;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DROPOUT = 0.05;
const PROMPT = 16, NEW_TOKENS = 32;

function row(key: string, label: string, unit: string, ours: Figure | null, torch: Figure | null, extra: Partial<Row> = {}): Row {
    return {
        key, label, unit, ours, torch,
        ratioBest: ours && torch ? ours.best / torch.best : null,
        ratioMedian: ours && torch ? ours.median / torch.median : null,
        ...extra,
    };
}

/** tokens/s figure from per-sample milliseconds (best = fastest sample). */
function rate(tokens: number, ms: number[]): Figure | null {
    return ms.length ? { best: (tokens * 1000) / Math.min(...ms), median: (tokens * 1000) / median(ms) } : null;
}

interface Samples {
    ours: number[];
    torch: number[];
}

/**
 * Alternates single samples between the engines (ours first on even samples, PyTorch first on odd ones), after
 * `warmup` untimed samples each, so background load on a shared machine hits both alike.
 */
async function interleave(n: number, warmup: number, ours: () => number, torch: (() => Promise<number>) | null): Promise<Samples> {
    for (let i = 0; i < warmup; i++) {
        ours();
        if (torch) await torch();
    }
    const out: Samples = { ours: [], torch: [] };
    for (let i = 0; i < n; i++) {
        if (torch && i % 2 === 1) out.torch.push(await torch());
        out.ours.push(ours());
        if (torch && i % 2 === 0) out.torch.push(await torch());
    }
    return out;
}

async function runConfig(c: BenchConfig, threads: number, o: Required<Pick<EngineBenchOptions, "noTorch" | "maxQuietWaitS">>, log: (s: string) => void): Promise<{ config: ConfigResult; torchVersion: string | null }> {
    const quiet = (): QuietReport => (o.maxQuietWaitS > 0 ? waitForQuiet({ maxWaitS: o.maxQuietWaitS }) : { waitedS: 0, busyPct: null, quiet: false });
    const m = c.model, r = 16;
    const f1 = flopsPerToken(m, c.seq, r, 1), f2 = flopsPerToken(m, c.seq, r, 2);
    const peak = cpuPeakFlops(threads);
    const mfus = (f: Figure | null, fl: { lora4n: number; full6n: number }): Partial<Row> =>
        f ? { mfu4n: (f.best * fl.lora4n) / peak, mfu6n: (f.best * fl.full6n) / peak } : {};

    log(`[${c.name}] init ${m.numLayers} layers, h${m.hiddenSize}, vocab ${m.vocabSize} (random weights)`);
    manualSeed(0);
    const model = initModel(m);
    let torch: TorchServer | null = null, torchVersion: string | null = null, torchError: string | undefined;
    if (!o.noTorch) {
        log(`[${c.name}] starting the PyTorch eager baseline (bench/torch/lora_step.py --serve)`);
        torch = new TorchServer(c, { threads });
        try {
            torchVersion = (await torch.info()).torch; // replies once its model is built
        } catch (e) {
            if (!(e instanceof TorchServerError)) throw e;
            torchError = e.message;
            await torch.close();
            torch = null;
        }
    }
    const rows: Row[] = [];
    const tokens = c.batch * c.seq;
    const trainPhase = async (key: string, label: string, opts: { stackFrozen?: boolean; dropout?: number }, withTorch: boolean, fl: { lora4n: number; full6n: number }, note?: string): Promise<void> => {
        const q = quiet();
        log(`[${c.name}] ${label.trim()}: ${c.warmup} + ${c.steps} steps${withTorch && torch ? ", alternating with PyTorch" : ""} (busy ${q.busyPct ?? "?"}%)`);
        const session = new TrainSession(model, { batch: c.batch, seq: c.seq, r, alpha: 32, ...opts });
        let s: Samples;
        try {
            const t = withTorch ? torch : null;
            if (t) await t.trainBegin(opts.stackFrozen ? 1 : 0);
            s = await interleave(c.steps, c.warmup, () => session.step()[0], t ? async () => (await t.trainSteps(1))[0] ?? NaN : null);
        } finally {
            session.dispose();
        }
        const ours = rate(tokens, s.ours), th = rate(tokens, s.torch);
        rows.push(row(key, label, "tok/s", ours, th, { ...mfus(ours, fl), quiet: q, oursMs: s.ours, torchMs: s.torch, ...(note ? { note } : {}) }));
    };
    try {
        await trainPhase("train", `LoRA SFT step B${c.batch}xT${c.seq}`, {}, true, f1);
        await trainPhase("train_stacked", "  + 2nd adapter, frozen", { stackFrozen: true }, true, f2);
        if (c.name !== "0.6b") {
            await trainPhase("train_dropout", `  with LoRA dropout ${DROPOUT}`, { dropout: DROPOUT }, false, f1,
                "the project's default dropout; the baseline has no dropout, so no ratio");
        }
        // Generation with one (frozen, unmerged) adapter attached, as the baseline generates with its LoRA on.
        manualSeed(1);
        const adapter = LoraAdapter.create("gen", m, { r, alpha: 32 });
        model.adapters = [adapter];
        try {
            for (const b of c.genBatches) {
                const q = quiet();
                log(`[${c.name}] greedy decode, batch ${b}: 1 + ${c.genReps} reps (busy ${q.busyPct ?? "?"}%)`);
                const prompts = benchPrompts(m.vocabSize, b, PROMPT);
                const prefill: Samples = { ours: [], torch: [] };
                const t = torch;
                const s = await interleave(c.genReps, 1, () => {
                    const rep = timeGenerationRep(model, prompts, NEW_TOKENS);
                    prefill.ours.push(rep.prefillMs);
                    return rep.decodeMs;
                }, t ? async () => {
                    const rep = await t.genRep(b, PROMPT, NEW_TOKENS);
                    prefill.torch.push(rep.prefillMs);
                    return rep.decodeMs;
                } : null);
                const n = b * (NEW_TOKENS - 1);
                rows.push(row(`decode_b${b}`, `greedy decode, batch ${b}`, "tok/s", rate(n, s.ours), rate(n, s.torch), {
                    quiet: q, oursMs: s.ours, torchMs: s.torch,
                    note: `prefill median ${median(prefill.ours.slice(1)).toFixed(1)} ms (ours)` +
                        (prefill.torch.length ? ` / ${median(prefill.torch.slice(1)).toFixed(1)} ms (PyTorch)` : "") + ", not counted",
                }));
            }
        } finally {
            model.adapters = [];
            adapter.dispose();
        }
    } catch (e) {
        if (!(e instanceof TorchServerError)) throw e;
        torchError = e.message; // a baseline failure mid-run: keep what we have
        log(`[${c.name}] PyTorch baseline failed: ${torchError}`);
    } finally {
        await torch?.close();
        model.dispose();
    }
    const config: ConfigResult = {
        name: c.name,
        shape: {
            vocab: m.vocabSize, hidden: m.hiddenSize, layers: m.numLayers, heads: m.numHeads, kvHeads: m.numKvHeads,
            headDim: m.headDim, ffn: m.intermediateSize, tiedEmbeddings: m.tieWordEmbeddings,
        },
        batch: c.batch,
        seq: c.seq,
        params: f1.n,
        loraParams: f1.nLora,
        flopsPerToken: { lora4n: f1.lora4n, full6n: f1.full6n, stacked4n: f2.lora4n, stacked6n: f2.full6n },
        rows,
        baselineCommand: `${torchCommandLine(c, threads)} (one-shot form; the benchmark drives it with --serve)`,
        ...(torchError ? { torchError } : {}),
    };
    return { config, torchVersion };
}

export async function runEngineBench(options: EngineBenchOptions = {}): Promise<EngineBenchResult> {
    const log = options.log ?? ((s: string) => process.stderr.write(s + "\n"));
    const all = benchConfigs(options.quick ?? false);
    const names = options.configs ?? all.map((c) => c.name);
    const chosen = names.map((n) => {
        const c = all.find((x) => x.name === n);
        if (!c) throw new Error(`bench/engine.ts: unknown config "${n}" (known: ${all.map((x) => x.name).join(", ")})`);
        return c;
    });
    initEngine();
    const threads = getNumThreads();
    if (!(process.env.LD_PRELOAD ?? "").includes("jemalloc")) log("warning: jemalloc is not preloaded; run through `source scripts/env.sh` for the project's settings");
    const result: EngineBenchResult = {
        date: new Date().toISOString(),
        command: `node --import tsx bench/engine.ts --configs ${names.join(",")}${options.quick ? " --quick" : ""}${options.noTorch ? " --no-torch" : ""}`,
        machine: {
            cpuModel: cpuModel(),
            logicalCpus: os.availableParallelism(),
            threads,
            node: process.version,
            oursTorch: buildInfo().torchVersion,
            baselineTorch: null,
            peakFlops: cpuPeakFlops(threads),
            env: envSnapshot(),
            loadavgStart: os.loadavg(),
        },
        conventions: {
            train: "tokens/s = batch*seq / step time; step = forward + summed-token cross-entropy (all but each row's first token are targets) + backward + AdamW on LoRA params + zero_grad; no grad clipping, no dropout unless stated; best-of-N [median] after warm-up steps",
            decode: "decode tokens/s = batch*(new-1) / decode time: 16-token prompts, 32 new tokens, greedy, KV cache, one unmerged LoRA adapter attached; the first token comes from the prefill, timed separately and not counted",
            mfu: "MFU = tokens/s * FLOPs per token / peak. 4N (LoRA): 4*N + 6*N_lora + 12*L*H*D*T (frozen base: forward + input gradients). 6N: 6*(N + N_lora) + 12*L*H*D*T. N = matmul params (non-embedding + lm_head); a stacked frozen adapter adds 4 (4N) or 6 (6N) per param. Peak: IA_PEAK_TFLOPS, else 211 GFLOP/s per thread (AVX-512: 2 FMA x 16 lanes x 2 x 3.3 GHz); see bench/engine/configs.ts cpuPeakFlops. 6N overstates LoRA work (the frozen base gets no weight gradients): 4N is the meaningful one",
            ratio: "ours / PyTorch eager (bench/torch/lora_step.py --serve as a child process) on the same shape, same environment and threads; single steps / repetitions alternate between the two so background load hits both alike",
        },
        configs: [],
    };
    for (const c of chosen) {
        const { config, torchVersion } = await runConfig(c, threads, { noTorch: options.noTorch ?? false, maxQuietWaitS: options.maxQuietWaitS ?? 20 }, log);
        result.configs.push(config);
        result.machine.baselineTorch ??= torchVersion;
    }
    result.machine.loadavgEnd = os.loadavg();
    return result;
}

/** Runs, prints the table to stdout, writes the JSON; returns the result and the file written (or null). */
export async function runAndReport(options: EngineBenchOptions = {}): Promise<{ result: EngineBenchResult; file: string | null }> {
    const result = await runEngineBench(options);
    process.stdout.write(formatTable(result) + "\n");
    const dir = options.outDir === undefined ? path.join(HERE, "results") : options.outDir;
    let file: string | null = null;
    if (dir !== null) {
        file = path.join(dir, `engine-${result.date.slice(0, 10)}.json`);
        writeJsonAtomic(file, result);
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
    return { result, file };
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            configs: { type: "string" },
            quick: { type: "boolean", default: false },
            "no-torch": { type: "boolean", default: false },
            out: { type: "string" },
            "max-quiet-wait": { type: "string" },
        },
    });
    const wait = values["max-quiet-wait"] === undefined ? undefined : Number(values["max-quiet-wait"]);
    if (wait !== undefined && !(wait >= 0)) throw new Error(`bench/engine.ts: --max-quiet-wait must be a number of seconds >= 0`);
    await runAndReport({
        configs: values.configs?.split(",").map((s) => s.trim()).filter(Boolean),
        quick: values.quick,
        noTorch: values["no-torch"],
        outDir: values.out,
        maxQuietWaitS: wait,
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    main().catch((e: unknown) => {
        process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        process.exitCode = 1;
    });
}
