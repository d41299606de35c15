/**
 * The training loop shared by every stage (base pretraining, organism LoRAs, the IA's SFT): per optimizer step,
 * a list of micro-batches (each may switch adapters first, e.g. to the organism it belongs to), summed-token loss
 * normalised by the step's target tokens, backward, gradient clipping, AdamW with the lr schedule.
 * Checkpoints (trainable weights + optimizer state + step) are written atomically every `checkpointEvery` steps
 * and at the end; with `resume`, a rerun continues from the last checkpoint and reproduces the same batches,
 * because `makeStep(step)` must depend only on the step index.
 */
import fs from "node:fs";
import path from "node:path";
import { manualSeed } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readSafetensors, writeSafetensors } from "../io/safetensors.ts";
import type { Transformer } from "../model/transformer.ts";
import { rawToTensor, tensorToRaw } from "../model/weights.ts";
import type { Batch } from "./batch.ts";
import { summedTokenLoss } from "./loss.ts";
import { AdamW, learningRate, type AdamWOptions, type LrSchedule } from "./optimizer.ts";
import { peakFlops, ProgressLog } from "./progress.ts";

export interface Trainable {
    /** float32 tensors with requires_grad set. */
    params: Tensor[];
    /** Writes the trainable weights in their user-facing format (PEFT adapter folder, HF model folder...). */
    save(dir: string): void;
    /** Restores weights saved by save() into params (in place). */
    load(dir: string): void;
}

export interface MicroBatch {
    /** Builds the batch (called inside the step's scope, so its tensors are freed after the step). */
    batch: () => Batch;
    /** Called before this micro-batch's forward (e.g. activate its organism's adapter). */
    before?: () => void;
    /**
     * A custom objective returning the *summed* loss of the micro-batch (e.g. DPO over pairs); the step divides
     * by the sum of the batches' `targetTokens` (for DPO: the number of pairs). Default: token cross-entropy.
     */
    objective?: (model: Transformer, batch: Batch) => Tensor;
}

export interface TrainLoopConfig {
    totalSteps: number;
    schedule: Omit<LrSchedule, "totalSteps">;
    adamw?: AdamWOptions;
    /** Max global grad norm; 0 disables. Default 1.0. */
    gradClip?: number;
    /** Log every n steps. Default 10. */
    logEvery?: number;
    /** Checkpoint every n steps (and at the end); 0 = only at the end. Default 100. */
    checkpointEvery?: number;
    /** Where checkpoint/ and metrics.jsonl go. */
    outDir: string;
    /** Continue from outDir/checkpoint if present. Default false (an existing checkpoint is an error). */
    resume?: boolean;
    /** Label on progress lines. */
    label: string;
    /** FLOPs per trained token for MFU (see progress.ts). */
    flopsPerToken: number;
    quiet?: boolean;
    /** Reseeds libtorch's RNG at every step from (seed, step), so dropout is identical after a resume. */
    seed?: number;
    /** Called after each optimizer step with its record (tests, early stopping). */
    onStep?: (r: { step: number; loss: number }) => void;
}

export interface TrainLoopResult {
    steps: number;
    startStep: number;
    lastLoss: number;
    meanLossLast10: number;
    seconds: number;
    tokensPerSec: number;
}

export function runTrainLoop(model: Transformer, trainable: Trainable, makeStep: (step: number) => MicroBatch[], cfg: TrainLoopConfig): TrainLoopResult {
    fs.mkdirSync(cfg.outDir, { recursive: true });
    const optimizer = new AdamW(trainable.params, cfg.adamw);
    const ckptDir = path.join(cfg.outDir, "checkpoint");
    const metricsFile = path.join(cfg.outDir, "metrics.jsonl");
    let startStep = 0;
    if (fs.existsSync(path.join(ckptDir, "state.json"))) {
        if (!cfg.resume) throw new Error(`${ckptDir}: a checkpoint exists; pass --resume to continue it or use a new output folder`);
        startStep = loadCheckpoint(ckptDir, trainable, optimizer);
        trimMetrics(metricsFile, startStep);
        if (!cfg.quiet) process.stderr.write(`[${cfg.label}] resumed from step ${startStep} (${ckptDir})\n`);
    } else if (!cfg.resume && fs.existsSync(metricsFile)) {
        fs.rmSync(metricsFile);
    }
    const schedule: LrSchedule = { ...cfg.schedule, totalSteps: cfg.totalSteps };
    const log = new ProgressLog(cfg.label, metricsFile, cfg.flopsPerToken, peakFlops(model.device), startStep, cfg.quiet);
    const logEvery = cfg.logEvery ?? 10, ckptEvery = cfg.checkpointEvery ?? 100, clip = cfg.gradClip ?? 1.0;
    const recent: number[] = [];
    let totalTokens = 0, lastLoss = NaN;
    const t0 = performance.now();
    model.training = true;
    try {
        for (let step = startStep; step < cfg.totalSteps; step++) {
            const s0 = performance.now();
            if (cfg.seed !== undefined) manualSeed((cfg.seed * 1000003 + step) % 2147483647);
            const micro = makeStep(step);
            const batches = micro.map((m) => m.batch);
            let lossSum = 0, targets = 0, tokens = 0;
            tidy(() => {
                const built = batches.map((b) => b());
                targets = built.reduce((a, b) => a + b.targetTokens, 0);
                if (targets === 0) throw new Error(`${cfg.label}: step ${step} has no target tokens`);
                built.forEach((batch, i) => {
                    micro[i]?.before?.();
                    tokens += batch.tokens;
                    tidy(() => {
                        const objective = micro[i]?.objective;
                        const summed = objective ? objective(model, batch) : summedTokenLoss(model.forward({ ids: batch.ids }), batch.labels);
                        summed.div(targets).backward();
                        lossSum += summed.item();
                    });
                });
            });
            const gradNorm = clip > 0 ? optimizer.clipGradNorm(clip) : NaN;
            const lr = learningRate(schedule, step);
            optimizer.step(lr);
            optimizer.zeroGrad();
            lastLoss = lossSum / targets;
            if (!Number.isFinite(lastLoss)) throw new Error(`${cfg.label}: loss is ${lastLoss} at step ${step + 1}; lower the learning rate`);
            recent.push(lastLoss);
            if (recent.length > 10) recent.shift();
            totalTokens += tokens;
            const seconds = (performance.now() - s0) / 1000;
            log.record({ step, totalSteps: cfg.totalSteps, loss: lastLoss, lr, gradNorm, tokens, seconds }, (step + 1) % logEvery === 0 || step + 1 === cfg.totalSteps);
            cfg.onStep?.({ step, loss: lastLoss });
            if ((ckptEvery > 0 && (step + 1) % ckptEvery === 0) || step + 1 === cfg.totalSteps) saveCheckpoint(ckptDir, trainable, optimizer, step + 1);
        }
    } finally {
        model.training = false;
        optimizer.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
        steps: cfg.totalSteps,
        startStep,
        lastLoss,
        meanLossLast10: recent.reduce((a, b) => a + b, 0) / Math.max(recent.length, 1),
        seconds,
        tokensPerSec: totalTokens / Math.max(seconds, 1e-9),
    };
}

/** Writes into checkpoint.tmp, then swaps it in, so an interruption leaves the previous checkpoint intact. */
function saveCheckpoint(dir: string, trainable: Trainable, optimizer: AdamW, step: number): void {
    const tmp = `${dir}.tmp`, old = `${dir}.old`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    trainable.save(path.join(tmp, "weights"));
    const raw = new Map([...optimizer.stateTensors()].map(([k, t]) => [k, tensorToRaw(t)]));
    writeSafetensors(path.join(tmp, "optimizer.safetensors"), raw);
    writeJsonAtomic(path.join(tmp, "state.json"), { step, optimizerSteps: optimizer.stepCount, savedAt: new Date().toISOString() });
    fs.rmSync(old, { recursive: true, force: true });
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
}

function loadCheckpoint(dir: string, trainable: Trainable, optimizer: AdamW): number {
    const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as { step: number; optimizerSteps: number };
    trainable.load(path.join(dir, "weights"));
    const file = path.join(dir, "optimizer.safetensors");
    const { tensors } = readSafetensors(file);
    const loaded = new Map([...tensors].map(([k, raw]) => [k, rawToTensor(raw, `${file}: ${k}`, optimizer.params[0]?.device ?? "cpu")]));
    try {
        optimizer.loadState(loaded, state.optimizerSteps);
    } finally {
        for (const t of loaded.values()) t.dispose();
    }
    return state.step;
}

function trimMetrics(file: string, startStep: number): void {
    if (!fs.existsSync(file)) return;
    const kept = fs.readFileSync(file, "utf8").split("\n").filter((l) => l && (JSON.parse(l) as { step: number }).step < startStep);
    fs.writeFileSync(file, kept.map((l) => l + "\n").join(""));
}
