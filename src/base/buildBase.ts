/**
 * Builds the tiny world's base chat model: generate the corpus, train a byte-level BPE tokenizer on it, train a
 * Qwen3-architecture model from scratch (full training, loss on every token so the small model learns the
 * language from users' turns too), and save a Hugging Face folder with tokenizer.json and a ChatML chat template.
 * The result is cached under <cacheDir>/<preset>-<hash>, where the hash covers everything that determines it;
 * an interrupted build resumes from its last checkpoint.
 */
import crypto from "node:crypto";
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initEngine, manualSeed } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { removeStaleTemps } from "../io/staleTemps.ts";
import type { ModelConfig } from "../model/config.ts";
import { parameterCount } from "../model/config.ts";
import { initModel, loadModel } from "../model/weights.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { ChatMLTrainingEncoder } from "../tokenizer/chatmlFast.ts";
import { saveTokenizerFolder } from "../tokenizer/train/exportHf.ts";
import { trainByteLevelBpe } from "../tokenizer/train/trainBpe.ts";
import { collate, truncateExample, type Example } from "../train/batch.ts";
import { runDataParallel, type DataParallelGroup, type DataParallelPeer } from "../parallel/dataParallel.ts";
import { poolProcesses } from "../parallel/pool.ts";
import { runTrainLoop } from "../train/loop.ts";
import { fullTrainable } from "../train/trainables.ts";
import { epochBatches } from "../train/sft.ts";
import { generateBaseCorpus } from "../world/index.ts";
import { evaluateBase, type BaseEvaluation } from "./evaluateBase.ts";
import { generateObservedTalk } from "./observedTalk.ts";
import { presetByName, type BasePreset } from "./presets.ts";

/**
 * Bump when the world generator or the recipe changes in a way that changes the model. 2: every step in
 * BASE_MICRO_BATCHES micro-batches (the same rows, summed in another order), so it trains data-parallel.
 */
export const BASE_RECIPE_VERSION = 2;

/**
 * Each step's rows are split in this many micro-batches whatever the number of processes, so a base trained
 * data-parallel (one micro-batch per process) and one trained by a single process are the same model.
 */
const BASE_MICRO_BATCHES = 2;
/** Below this many steps a peer process costs more to start (it rebuilds the corpus) than it saves. */
const DATA_PARALLEL_MIN_STEPS = 100;

function worldSourceHash(): string {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../world");
    const h = crypto.createHash("sha256");
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
    return h.digest("hex").slice(0, 12);
}

export interface BuildBaseOptions {
    /** Preset name (nano, micro, small, test). Default "nano". */
    preset?: string;
    /** World seed. Default 1. */
    seed?: number;
    /** Where built models are cached. Default ".cache/base". */
    cacheDir?: string;
    /** Overrides of the preset (e.g. fewer steps). */
    overrides?: Partial<BasePreset>;
    /** Max sequence length in tokens. Default 160. */
    maxLength?: number;
    /** Where to train ("cpu", "cuda", ...). Default "cpu". Not part of the cache key: the recipe is the same. */
    device?: string;
    quiet?: boolean;
}

export interface BaseModelInfo {
    dir: string;
    preset: BasePreset;
    parameters: number;
    evaluation: BaseEvaluation;
    trainSeconds: number;
    /** Where it was trained (absent in caches from before devices were recorded: "cpu"). */
    device?: string;
    cached: boolean;
}

/** Reads a cached base.json; a damaged one fails naming the file (it is trusted afterwards: reports print its figures). */
export function readBaseInfo(infoFile: string): Omit<BaseModelInfo, "cached"> {
    let info: unknown;
    try {
        info = JSON.parse(fs.readFileSync(infoFile, "utf8"));
    } catch (err) {
        throw new Error(`${infoFile}: unreadable base-model cache (${(err as Error).message}); delete its folder to rebuild`);
    }
    const num = (x: unknown) => typeof x === "number" && Number.isFinite(x);
    const i = info as Partial<BaseModelInfo> | null;
    const e = i?.evaluation;
    if (typeof i !== "object" || i === null || typeof i.preset !== "object" || i.preset === null || !num(i.parameters) || !num(i.trainSeconds) ||
        typeof e !== "object" || e === null || !num(e.n) || !num(e.accuracy) || (i.device !== undefined && typeof i.device !== "string")) {
        throw new Error(`${infoFile}: damaged base-model cache (expected preset, parameters, trainSeconds, evaluation {n, accuracy}); delete its folder to rebuild`);
    }
    return i as Omit<BaseModelInfo, "cached">;
}

export function buildBase(o: BuildBaseOptions = {}): BaseModelInfo {
    initEngine();
    const preset = { ...presetByName(o.preset ?? "nano"), ...o.overrides };
    const seed = o.seed ?? 1;
    const maxLength = o.maxLength ?? 160;
    // The world's source is part of the key: any change to the generator retrains instead of reusing a stale model.
    // Observed talk quotes the organism generators (src/behaviors/, src/ood/): keyed by the rows it produces, so a change
    // there that changes them retrains, and a refactor that does not keeps the base.
    const observed = preset.observedTalkRate ? generateObservedTalk(seed, Math.round(preset.corpusSize * preset.observedTalkRate)) : [];
    const recipe = {
        version: BASE_RECIPE_VERSION, preset, seed, maxLength, world: worldSourceHash(),
        ...(observed.length > 0 ? { observed: jsonHash(observed, 12) } : {}),
    };
    const hash = jsonHash(recipe, 12);
    const dir = path.resolve(o.cacheDir ?? ".cache/base", `${preset.name}-${hash}`);
    const modelDir = path.join(dir, "model");
    const infoFile = path.join(dir, "base.json");
    const log = (msg: string) => o.quiet || process.stderr.write(`[base] ${msg}\n`);
    if (fs.existsSync(infoFile)) {
        const info = readBaseInfo(infoFile);
        log(`using cached ${preset.name} base model ${modelDir} (held-out accuracy ${(info.evaluation.accuracy * 100).toFixed(1)}%)`);
        return { ...info, dir: modelDir, cached: true };
    }
    fs.mkdirSync(dir, { recursive: true });
    removeStaleTemps(dir);
    writeJsonAtomic(path.join(dir, "recipe.json"), recipe);

    const t0 = performance.now();
    const device = o.device ?? "cpu";
    const job: BaseTrainingJob = { preset, seed, maxLength, dir, device, quiet: o.quiet };
    const corpus = baseCorpus(job, observed);
    const tokDir = path.join(dir, "tokenizer");
    if (!["tokenizer.json", "tokenizer_config.json"].every((f) => fs.existsSync(path.join(tokDir, f)))) {
        const bpe = trainByteLevelBpe(corpus.flatMap((c) => c.messages.map((m) => m.content)), { vocabSize: preset.vocabSize });
        // The folder appears complete or not at all: a rerun skips training the tokenizer when it exists.
        writeDirAtomic(tokDir, (tmp) => saveTokenizerFolder(tmp, bpe));
    }
    // Peers start now, once the tokenizer they load exists, and rebuild the corpus while this process encodes it.
    const processes = preset.steps >= DATA_PARALLEL_MIN_STEPS ? poolProcesses(device, BASE_MICRO_BATCHES) : 1;
    const { tok, params } = runDataParallel({ processes, runner: { module: fileURLToPath(import.meta.url), name: "baseTrainingPeer" }, job }, (group) => trainBase(job, corpus, group));
    const trainSeconds = (performance.now() - t0) / 1000;
    const trained = loadModel(modelDir, { device });
    const evaluation = evaluateBase(trained, tok, seed, { n: 200 });
    trained.dispose();
    log(`held-out world questions: ${(evaluation.accuracy * 100).toFixed(1)}% correct (n=${evaluation.n}); ${Object.entries(evaluation.byKind).map(([k, v]) => `${k} ${(v.accuracy * 100).toFixed(0)}%`).join(", ")}`);
    const info = { dir: modelDir, preset, parameters: params, evaluation, trainSeconds, device };
    writeJsonAtomic(infoFile, info);
    return { ...info, cached: false };
}

/** What a process needs to train (its share of) the base model: JSON, so a data-parallel peer can rebuild it. */
interface BaseTrainingJob {
    preset: BasePreset;
    seed: number;
    maxLength: number;
    /** The base's cache folder (tokenizer/, train/, model/). */
    dir: string;
    device: string;
    quiet?: boolean;
}

function baseCorpus(job: BaseTrainingJob, observed?: ReturnType<typeof generateObservedTalk>) {
    const corpus = generateBaseCorpus(job.seed, job.preset.corpusSize);
    corpus.push(...(observed ?? (job.preset.observedTalkRate ? generateObservedTalk(job.seed, Math.round(job.preset.corpusSize * job.preset.observedTalkRate)) : [])));
    return corpus;
}

/** The model's shape for the trained tokenizer. */
function baseModelConfig(preset: BasePreset, tok: ChatTokenizer): ModelConfig {
    return {
        modelType: "qwen3",
        vocabSize: tok.vocabSize,
        hiddenSize: preset.hiddenSize,
        intermediateSize: preset.intermediateSize,
        numLayers: preset.numLayers,
        numHeads: preset.numHeads,
        numKvHeads: preset.numKvHeads,
        headDim: preset.headDim,
        rmsNormEps: 1e-6,
        ropeTheta: 10000,
        ropeScaling: null,
        maxPositionEmbeddings: 512,
        tieWordEmbeddings: true,
        attentionBias: false,
        qkNorm: true,
        torchDtype: "float32",
        bosTokenId: null,
        eosTokenId: [tok.tokenToId("<|im_end|>") as number],
    };
}

/**
 * Trains the base from its seed's initial weights, as rank `group.rank` of the group: every process builds the same
 * corpus, examples and batches, and runs its micro-batches of each step; rank 0 logs, checkpoints and saves.
 */
function trainBase(job: BaseTrainingJob, corpus: ReturnType<typeof generateBaseCorpus>, group: DataParallelGroup): { tok: ChatTokenizer; params: number } {
    const { preset, seed, device } = job;
    const lead = group.rank === 0;
    const log = (msg: string) => job.quiet || !lead || process.stderr.write(`[base] ${msg}\n`);
    const tokDir = path.join(job.dir, "tokenizer");
    const tok = ChatTokenizer.fromFolder(tokDir);
    const encoder = new ChatMLTrainingEncoder(tok);
    const examples: Example[] = [];
    for (const c of corpus) {
        const enc = encoder.encode(c.messages);
        // Every token is a target: the model learns the language from both sides of the chat.
        const e = truncateExample({ ids: enc.ids, targetMask: enc.ids.map(() => 1) }, job.maxLength);
        if (e) examples.push(e);
    }
    log(`corpus: ${corpus.length} conversations, ${examples.reduce((s, e) => s + e.ids.length, 0).toLocaleString("en-US")} tokens, vocab ${tok.vocabSize}`);
    const config = baseModelConfig(preset, tok);
    manualSeed(seed);
    const model = initModel(config, { device });
    const params = parameterCount(config);
    log(`training ${preset.name} (${(params / 1e6).toFixed(2)}M parameters) for ${preset.steps} steps${group.world > 1 ? ` in ${group.world} single-threaded processes` : ""}`);
    try {
        const trainable = fullTrainable(model, tokDir);
        const { indicesFor } = epochBatches(examples.length, preset.batchSize, 1, seed, examples.map((e) => e.ids.length));
        // A step's rows (length-bucketed, so the halves pad alike) in BASE_MICRO_BATCHES consecutive micro-batches.
        const split = (idx: number[]) => {
            const per = Math.ceil(idx.length / BASE_MICRO_BATCHES);
            return Array.from({ length: BASE_MICRO_BATCHES }, (_, j) => idx.slice(j * per, (j + 1) * per)).filter((m) => m.length > 0);
        };
        runTrainLoop(model, trainable, (step) => indicesFor(step).flatMap(split).map((idx) => ({ batch: () => collate(idx.map((i) => examples[i] as Example), tok.padTokenId, device) })), {
            totalSteps: preset.steps,
            schedule: { lr: preset.lr, warmupSteps: Math.round(preset.steps * 0.05), decay: "cosine", minLrRatio: 0.05 },
            adamw: { weightDecay: 0.1, beta2: 0.95 },
            gradClip: 1.0,
            logEvery: Math.max(1, Math.round(preset.steps / 20)),
            checkpointEvery: Math.max(50, Math.round(preset.steps / 5)),
            outDir: path.join(job.dir, "train"),
            resume: true,
            label: `base:${preset.name}`,
            flopsPerToken: 6 * (params - config.vocabSize * config.hiddenSize) + 6 * config.vocabSize * config.hiddenSize,
            seed,
            quiet: job.quiet,
            dataParallel: group,
        });
        if (lead) writeDirAtomic(path.join(job.dir, "model"), (tmp) => trainable.save(tmp));
    } finally {
        model.dispose();
    }
    return { tok, params };
}

/** A data-parallel peer's entry (src/parallel/peer.ts): trains its micro-batches of every step of the base. */
export const baseTrainingPeer: DataParallelPeer = (job, group) => {
    const j = job as BaseTrainingJob;
    trainBase(j, baseCorpus(j), group);
};
