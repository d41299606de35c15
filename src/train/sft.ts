/**
 * Supervised fine-tuning of a model folder on chat JSONL: LoRA (optionally on top of frozen adapters) or full.
 * Data order is a seeded shuffle per epoch, so step k always sees the same batch (resume reproduces the run).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { manualSeed, resolveDevice, initEngine } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { LoraAdapter } from "../lora/adapter.ts";
import { loadAdapter } from "../lora/peft.ts";
import { parameterCount } from "../model/config.ts";
import { loadModel } from "../model/weights.ts";
import type { Transformer } from "../model/transformer.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { Rng } from "../util/rng.ts";
import { collate, type Example } from "./batch.ts";
import { findCheckpoint } from "./checkpoint.ts";
import { readChatJsonl, tokenizeConversations } from "./chatData.ts";
import { runTrainLoop, type MicroBatch, type TrainLoopResult } from "./loop.ts";
import { SFT_DEFAULTS, type SftConfig } from "./sftConfig.ts";
import { fullTrainable, loraTrainable } from "./trainables.ts";

export function resolveSftConfig(partial: Partial<SftConfig> & Pick<SftConfig, "model" | "data" | "out">): SftConfig {
    return { ...SFT_DEFAULTS, ...partial, lora: { ...SFT_DEFAULTS.lora, ...partial.lora } };
}

/** "dir" or "dir:scale" -> loaded frozen adapter. */
export function attachAdapterSpec(model: Transformer, spec: string): LoraAdapter {
    const m = /^(.*?)(?::(-?[\d.]+))?$/.exec(spec)!;
    const adapter = loadAdapter(m[1] as string, model.config, { device: model.device });
    if (m[2] !== undefined) adapter.scale = Number(m[2]);
    model.adapters.push(adapter);
    return adapter;
}

/**
 * Steps per epoch and the example indices of step k (seeded shuffle per epoch). With `lengths`, examples are
 * bucketed by length inside windows of 16 batches (then the batches are shuffled), so a batch pads to a length
 * close to its rows' own: with short, varied chats this removes most of the padding compute.
 */
export function epochBatches(n: number, batchSize: number, gradAccum: number, seed: number, lengths?: readonly number[]) {
    const perStep = batchSize * gradAccum;
    const stepsPerEpoch = Math.max(1, Math.floor(n / perStep));
    const orders = new Map<number, number[]>();
    const orderFor = (epoch: number): number[] => {
        let order = orders.get(epoch);
        if (!order) {
            const rng = new Rng(`${seed}:epoch:${epoch}`);
            order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
            if (lengths) {
                const window = batchSize * 16;
                const batches: number[][] = [];
                for (let w = 0; w < order.length; w += window) {
                    const chunk = order.slice(w, w + window).sort((a, b) => (lengths[a] as number) - (lengths[b] as number));
                    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
                }
                order = rng.shuffle(batches.filter((b) => b.length === batchSize)).flat();
            }
            orders.clear();
            orders.set(epoch, order);
        }
        return order;
    };
    const indicesFor = (step: number): number[][] => {
        const order = orderFor(Math.floor(step / stepsPerEpoch));
        const start = (step % stepsPerEpoch) * perStep;
        const micro: number[][] = [];
        for (let j = 0; j < gradAccum; j++) {
            const slice = order.slice(start + j * batchSize, start + (j + 1) * batchSize);
            if (slice.length) micro.push(slice);
        }
        return micro;
    };
    return { stepsPerEpoch, indicesFor };
}

/** Settings a resumed run must share with the run it continues (the rest: output, device, logging, step count). */
const RESUME_MUST_MATCH = ["model", "data", "mode", "lora", "frozenAdapters", "batchSize", "gradAccum", "maxLength", "lr", "warmup", "decay", "minLrRatio", "weightDecay", "gradClip", "seed"] as const;

function sha256File(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Refusals before anything is read into memory or written: an existing checkpoint without --resume, and a resume
 * whose data file or hyperparameters differ from the run's saved config.json (the fields are named). Returns the
 * saved config when resuming one.
 */
function checkOutputFolder(cfg: SftConfig, dataSha256: string): Record<string, unknown> | undefined {
    const ckptDir = path.join(cfg.out, "checkpoint");
    const existing = findCheckpoint(ckptDir);
    if (existing && !cfg.resume) throw new Error(`${ckptDir}: a checkpoint exists; pass --resume to continue it or use a new output folder`);
    const configFile = path.join(cfg.out, "config.json");
    if (!cfg.resume || !existing || !fs.existsSync(configFile)) return undefined;
    let saved: Record<string, unknown>;
    try {
        saved = JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>;
    } catch (e) {
        throw new Error(`${configFile}: cannot read the run's saved config (${(e as Error).message}); refusing to resume without knowing its settings`);
    }
    const differs: string[] = [];
    for (const k of RESUME_MUST_MATCH) {
        const was = k === "model" || k === "data" ? path.resolve(String(saved[k])) : saved[k];
        const now = k === "model" || k === "data" ? path.resolve(cfg[k]) : cfg[k];
        if (JSON.stringify(was) !== JSON.stringify(now)) differs.push(`${k} ${JSON.stringify(was)} → ${JSON.stringify(now)}`);
    }
    const savedHash = (saved.resolved as { dataSha256?: unknown } | undefined)?.dataSha256;
    if (typeof savedHash === "string" && savedHash !== dataSha256) differs.push(`data file contents (sha256 ${savedHash.slice(0, 12)}… → ${dataSha256.slice(0, 12)}…)`);
    if (differs.length) throw new Error(`${cfg.out}: --resume with settings that differ from the run's config.json: ${differs.join("; ")}. Resume with the original settings, or train into a new output folder`);
    return saved;
}

export function runSft(cfg: SftConfig): TrainLoopResult & { outputDir: string } {
    let dataSha256: string;
    try {
        dataSha256 = sha256File(cfg.data);
    } catch (e) {
        throw new Error(`${cfg.data}: cannot read the data file (${(e as Error).message})`);
    }
    const saved = checkOutputFolder(cfg, dataSha256);
    initEngine();
    const device = resolveDevice(cfg.device);
    manualSeed(cfg.seed);
    const tok = ChatTokenizer.fromFolder(cfg.model);
    const model = loadModel(cfg.model, { device, dtype: "float32" });
    try {
        for (const spec of cfg.frozenAdapters) attachAdapterSpec(model, spec);
        const { examples, dropped } = tokenizeConversations(tok, readChatJsonl(cfg.data), cfg.maxLength);
        const perStep = cfg.batchSize * cfg.gradAccum;
        const why = `${examples.length} usable conversation(s) with assistant tokens after truncation to --max-length ${cfg.maxLength}${dropped ? ` (${dropped} dropped: no assistant tokens left)` : ""}`;
        if (examples.length === 0) throw new Error(`${cfg.data}: no conversation has assistant tokens to train on after truncation to --max-length ${cfg.maxLength} (${dropped} dropped)`);
        if (examples.length < perStep) throw new Error(`${cfg.data}: ${why}, fewer than one step needs (--batch-size ${cfg.batchSize} × --grad-accum ${cfg.gradAccum} = ${perStep}); lower --batch-size or add data`);
        const { stepsPerEpoch, indicesFor } = epochBatches(examples.length, cfg.batchSize, cfg.gradAccum, cfg.seed, examples.map((e) => e.ids.length));
        const totalSteps = cfg.maxSteps > 0 ? cfg.maxSteps : stepsPerEpoch * cfg.epochs;
        let trainable, outputDir: string, flopsPerToken: number;
        const n = parameterCount(model.config) - model.config.vocabSize * model.config.hiddenSize * (model.config.tieWordEmbeddings ? 0 : 1);
        if (cfg.mode === "full") {
            trainable = fullTrainable(model, cfg.model);
            outputDir = path.join(cfg.out, "model");
            flopsPerToken = 6 * n;
        } else {
            const adapter = LoraAdapter.create("sft", model.config, cfg.lora, { device });
            model.adapters.push(adapter);
            trainable = loraTrainable(model, adapter, path.resolve(cfg.model));
            outputDir = path.join(cfg.out, "adapter");
            flopsPerToken = 4 * n;
        }
        fs.mkdirSync(cfg.out, { recursive: true });
        const resolved = { device, totalSteps, stepsPerEpoch, examples: examples.length, dropped, dataSha256 };
        // A resume keeps the run's record (its settings were checked equal) and notes what the resume changed.
        const record = saved
            ? { ...saved, resolved: { ...(saved.resolved as object), totalSteps }, resumes: [...((saved.resumes as unknown[]) ?? []), { maxSteps: cfg.maxSteps, epochs: cfg.epochs, device, logEvery: cfg.logEvery, checkpointEvery: cfg.checkpointEvery, totalSteps }] }
            : { ...cfg, resolved };
        writeJsonAtomic(path.join(cfg.out, "config.json"), record);
        const warmupSteps = cfg.warmup < 1 ? Math.round(cfg.warmup * totalSteps) : cfg.warmup;
        const makeStep = (step: number): MicroBatch[] =>
            indicesFor(step).map((idx) => ({ batch: () => collate(idx.map((i) => examples[i] as Example), tok.padTokenId, device) }));
        const result = runTrainLoop(model, trainable, makeStep, {
            totalSteps,
            schedule: { lr: cfg.lr, warmupSteps, decay: cfg.decay, minLrRatio: cfg.minLrRatio },
            adamw: { weightDecay: cfg.weightDecay },
            gradClip: cfg.gradClip,
            logEvery: cfg.logEvery,
            checkpointEvery: cfg.checkpointEvery,
            outDir: cfg.out,
            resume: cfg.resume,
            label: "sft",
            seed: cfg.seed,
            flopsPerToken,
        });
        // Whole-folder swap: a kill mid-save leaves the previous complete adapter (or none), never a mix.
        writeDirAtomic(outputDir, (tmp) => trainable.save(tmp));
        return { ...result, outputDir };
    } finally {
        model.dispose();
    }
}
