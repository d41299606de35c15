/**
 * The engine benchmark (`make bench`, `ia bench-engine`, or `node --import tsx bench/engine.ts`):
 * for tiny, small and Qwen3-0.6B-shaped decoders with random weights, times
 *   - a LoRA SFT optimizer step (r16/alpha32 on all 7 projections, AdamW on the LoRA parameters only), alone and
 *     with a second frozen adapter stacked under the trained one, tokens/s best-of-N [median], plus MFU;
 *   - greedy generation with the KV cache at batch 1 and 32 (16-token prompts, 32 new tokens; decode tokens only),
 * and runs the PyTorch eager baseline (bench/torch/lora_step.py) on the same shapes in the same run, with the same
 * environment and thread count, printing ours / PyTorch. Writes bench/results/engine-<date>.json.
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
import { peakFlops } from "../src/train/progress.ts";
import { benchConfigs, flopsPerToken, type BenchConfig } from "./engine/configs.ts";
import { timeGeneration, type GenTiming } from "./engine/generation.ts";
import { waitForQuiet, type QuietReport } from "./engine/quiet.ts";
import {
    cpuModel, envSnapshot, formatTable,
    type ConfigResult, type EngineBenchResult, type Figure, type Row,
} from "./engine/report.ts";
import { isTorchError, runTorchBaseline, type TorchResult } from "./engine/torchBaseline.ts";
import { timeTrainStep, type TrainTiming } from "./engine/trainStep.ts";

export interface EngineBenchOptions {
    /** Config names to run, in order. Default ["tiny", "small", "0.6b"]. */
    configs?: string[];
    /** Fewer timed steps/reps: a smoke run, not figures to report. Default false. */
    quick?: boolean;
    /** Skip the PyTorch baseline. Default false. */
    noTorch?: boolean;
    /** Folder for engine-<date>.json; null writes nothing. Default bench/results. */
    outDir?: string | null;
    /** Longest wait (seconds) for a quiet machine before each timed phase. Default 60; 0 disables waiting. */
    maxQuietWaitS?: number;
    /** Progress lines go here. Default process.stderr. */
    log?: (line: string) => void;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DROPOUT = 0.05;

const figure = (best: number, median: number): Figure => ({ best, median });
const trainFigure = (t: TrainTiming): Figure => figure(t.tokensPerSecBest, t.tokensPerSecMedian);
const genFigure = (g: GenTiming): Figure => figure(g.decodeTokensPerSecBest, g.decodeTokensPerSecMedian);

function row(key: string, label: string, unit: string, ours: Figure | null, torch: Figure | null, extra: Partial<Row> = {}): Row {
    return {
        key, label, unit, ours, torch,
        ratioBest: ours && torch ? ours.best / torch.best : null,
        ratioMedian: ours && torch ? ours.median / torch.median : null,
        ...extra,
    };
}

function runConfig(c: BenchConfig, threads: number, o: Required<Pick<EngineBenchOptions, "noTorch" | "maxQuietWaitS">>, log: (s: string) => void): { config: ConfigResult; torchVersion: string | null } {
    const quiet = (): QuietReport => (o.maxQuietWaitS > 0 ? waitForQuiet({ maxWaitS: o.maxQuietWaitS }) : { waitedS: 0, busyPct: null, quiet: false });
    const m = c.model, r = 16;
    const f1 = flopsPerToken(m, c.seq, r, 1), f2 = flopsPerToken(m, c.seq, r, 2);
    const peak = peakFlops("cpu");
    const mfu = (tps: number, f: number): number => (tps * f) / peak;

    log(`[${c.name}] init ${m.numLayers} layers, h${m.hiddenSize}, vocab ${m.vocabSize} (random weights)`);
    manualSeed(0);
    const model = initModel(m);
    const trainOpts = { batch: c.batch, seq: c.seq, steps: c.steps, warmup: c.warmup, r, alpha: 32 };
    const ours: { train?: TrainTiming; stacked?: TrainTiming; dropout?: TrainTiming; gen: GenTiming[] } = { gen: [] };
    const q: Record<string, QuietReport> = {};
    try {
        q.train = quiet();
        log(`[${c.name}] ours: LoRA step B${c.batch}xT${c.seq} (busy ${q.train.busyPct ?? "?"}%)`);
        ours.train = timeTrainStep(model, trainOpts);
        q.stacked = quiet();
        log(`[${c.name}] ours: LoRA step + frozen adapter`);
        ours.stacked = timeTrainStep(model, { ...trainOpts, stackFrozen: true });
        if (c.name !== "0.6b") {
            q.dropout = quiet();
            log(`[${c.name}] ours: LoRA step with dropout ${DROPOUT}`);
            ours.dropout = timeTrainStep(model, { ...trainOpts, dropout: DROPOUT });
        }
        // Generation with one (frozen, unmerged) adapter attached, as the baseline generates with its LoRA on.
        manualSeed(1);
        const adapter = LoraAdapter.create("gen", m, { r, alpha: 32 });
        model.adapters = [adapter];
        try {
            for (const b of c.genBatches) {
                q[`decode_b${b}`] = quiet();
                log(`[${c.name}] ours: greedy decode batch ${b}`);
                ours.gen.push(timeGeneration(model, { batch: b, promptLen: 16, newTokens: 32, reps: c.genReps }));
            }
        } finally {
            model.adapters = [];
            adapter.dispose();
        }
    } finally {
        model.dispose();
    }

    let torch: TorchResult | null = null, torchStacked: TorchResult | null = null, torchError: string | undefined;
    if (!o.noTorch) {
        quiet();
        log(`[${c.name}] PyTorch eager: LoRA step + decode`);
        const a = runTorchBaseline(c, { threads });
        if (isTorchError(a)) torchError = a.error;
        else {
            torch = a;
            quiet();
            log(`[${c.name}] PyTorch eager: LoRA step + frozen adapter`);
            const s = runTorchBaseline(c, { threads, frozenAdapters: 1, noGen: true });
            if (isTorchError(s)) torchError = s.error;
            else torchStacked = s;
        }
    }
    const tTrain = (t: TorchResult | null): Figure | null => (t ? figure(t.train.tokens_per_s_best, t.train.tokens_per_s_median) : null);
    const rows: Row[] = [];
    const tr = ours.train!, st = ours.stacked!;
    rows.push(row("train", `LoRA SFT step B${c.batch}xT${c.seq}`, "tok/s", trainFigure(tr), tTrain(torch), {
        mfu4n: mfu(tr.tokensPerSecBest, f1.lora4n), mfu6n: mfu(tr.tokensPerSecBest, f1.full6n), quiet: q.train,
    }));
    rows.push(row("train_stacked", "  + 2nd adapter, frozen", "tok/s", trainFigure(st), tTrain(torchStacked), {
        mfu4n: mfu(st.tokensPerSecBest, f2.lora4n), mfu6n: mfu(st.tokensPerSecBest, f2.full6n), quiet: q.stacked,
    }));
    if (ours.dropout) {
        const d = ours.dropout;
        rows.push(row("train_dropout", `  with LoRA dropout ${DROPOUT}`, "tok/s", trainFigure(d), null, {
            mfu4n: mfu(d.tokensPerSecBest, f1.lora4n), mfu6n: mfu(d.tokensPerSecBest, f1.full6n), quiet: q.dropout,
            note: "the project's default dropout; the baseline has no dropout, so no ratio",
        }));
    }
    for (const g of ours.gen) {
        const tg = torch?.generate?.[`b${g.batch}`];
        rows.push(row(`decode_b${g.batch}`, `greedy decode, batch ${g.batch}`, "tok/s", genFigure(g),
            tg ? figure(tg.decode_tokens_per_s_best, tg.decode_tokens_per_s_median) : null,
            { quiet: q[`decode_b${g.batch}`], note: `prefill ${g.prefillMsMedian.toFixed(1)} ms (ours) / ${tg ? tg.prefill_ms_median.toFixed(1) : "?"} ms (PyTorch), not counted` }));
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
        ...(torchError ? { torchError } : {}),
    };
    return { config, torchVersion: torch?.torch ?? null };
}

export function runEngineBench(options: EngineBenchOptions = {}): EngineBenchResult {
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
            peakFlops: peakFlops("cpu"),
            env: envSnapshot(),
            loadavgStart: os.loadavg(),
        },
        conventions: {
            train: "tokens/s = batch*seq / step time; step = forward + summed-token cross-entropy (all but each row's first token are targets) + backward + AdamW on LoRA params + zero_grad; no grad clipping, no dropout unless stated; best-of-N [median] after warm-up steps",
            decode: "decode tokens/s = batch*(new-1) / decode time: 16-token prompts, 32 new tokens, greedy, KV cache, one unmerged LoRA adapter attached; the first token comes from the prefill, timed separately and not counted",
            mfu: "MFU = tokens/s * FLOPs per token / peak. 4N (LoRA): 4*N + 6*N_lora + 12*L*H*D*T (frozen base: forward + input gradients). 6N: 6*(N + N_lora) + 12*L*H*D*T. N = matmul params (non-embedding + lm_head); a stacked frozen adapter adds 4 (4N) or 6 (6N) per param. Peak: src/train/progress.ts peakFlops (IA_PEAK_TFLOPS, else 105 GFLOP/s per thread)",
            ratio: "ours / PyTorch eager on the same shape, same environment and threads, run in the same process tree one after the other",
        },
        configs: [],
    };
    for (const c of chosen) {
        const { config, torchVersion } = runConfig(c, threads, { noTorch: options.noTorch ?? false, maxQuietWaitS: options.maxQuietWaitS ?? 60 }, log);
        result.configs.push(config);
        result.machine.baselineTorch ??= torchVersion;
    }
    result.machine.loadavgEnd = os.loadavg();
    return result;
}

/** Runs, prints the table to stdout, writes the JSON; returns the result and the file written (or null). */
export function runAndReport(options: EngineBenchOptions = {}): { result: EngineBenchResult; file: string | null } {
    const result = runEngineBench(options);
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

function main(): void {
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
    runAndReport({
        configs: values.configs?.split(",").map((s) => s.trim()).filter(Boolean),
        quick: values.quick,
        noTorch: values["no-torch"],
        outDir: values.out,
        maxQuietWaitS: wait,
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
