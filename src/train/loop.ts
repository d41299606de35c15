/**
 * The training loop shared by every stage (base pretraining, organism LoRAs, the IA's SFT): per optimizer step,
 * a list of micro-batches (each may switch adapters first, e.g. to the organism it belongs to), summed-token loss
 * normalised by the step's target tokens, backward, gradient clipping, AdamW with the lr schedule.
 * Checkpoints (trainable weights + optimizer state + step; checkpoint.ts) are written atomically every
 * `checkpointEvery` steps and at the end; with `resume`, a rerun continues from the last checkpoint and reproduces
 * the same batches, because `makeStep(step)` must depend only on the step index. A NaN/Inf weight, loss, gradient
 * or learning rate stops the run before the step is applied or checkpointed (finite.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { manualSeed } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import { removeStaleTemps } from "../io/staleTemps.ts";
import type { DataParallelGroup } from "../parallel/dataParallel.ts";
import { exitIfOrphaned } from "../parallel/pool.ts";
import type { Transformer } from "../model/transformer.ts";
import type { Batch } from "./batch.ts";
import { findCheckpoint, loadCheckpoint, recoverCheckpoint, saveCheckpoint, trimMetrics } from "./checkpoint.ts";
import { FiniteGuard } from "./finite.ts";
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
    /** Log every n steps. Default 10; the IA_LOG_EVERY environment variable overrides it for every stage. */
    logEvery?: number;
    /** Checkpoint every n steps (and at the end); 0 = only at the end. Default 100; IA_CHECKPOINT_EVERY overrides it. */
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
    /**
     * Train with other processes (src/parallel/dataParallel.ts): this process runs its share of each step's
     * micro-batches, and only rank 0 reads and writes checkpoints and metrics. Default: alone.
     */
    dataParallel?: DataParallelGroup;
}

export interface TrainLoopResult {
    steps: number;
    startStep: number;
    lastLoss: number;
    meanLossLast10: number;
    /** Mean loss of steps 1–10 when this process ran them (NaN after a resume past them): with meanLossLast10, whether training moved the model. */
    meanLossFirst10: number;
    seconds: number;
    tokensPerSec: number;
    /** Seconds spent checking for NaN/Inf (finite.ts), included in `seconds`. */
    checkSeconds: number;
}

/**
 * IA_LOG_EVERY / IA_CHECKPOINT_EVERY: log (and append to metrics.jsonl) / checkpoint every n steps in every stage,
 * whatever the stage's own setting: for runs that may be killed (preemptible machines) and for tools/faults.
 * Checkpointing more often costs time, never results (a resumed run is bit-identical to a straight one).
 */
function everyFromEnv(name: "IA_LOG_EVERY" | "IA_CHECKPOINT_EVERY"): number | undefined {
    const n = Number(process.env[name]);
    return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function runTrainLoop(model: Transformer, trainable: Trainable, makeStep: (step: number) => MicroBatch[], cfg: TrainLoopConfig): TrainLoopResult {
    const dp = cfg.dataParallel;
    // Rank 0 of a data-parallel group (or a process alone) owns the run's files; the others only compute.
    const lead = !dp || dp.rank === 0;
    fs.mkdirSync(cfg.outDir, { recursive: true });
    if (lead) removeStaleTemps(cfg.outDir);
    const ckptDir = path.join(cfg.outDir, "checkpoint");
    const metricsFile = path.join(cfg.outDir, "metrics.jsonl");
    if (lead && findCheckpoint(ckptDir) && !cfg.resume) throw new Error(`${ckptDir}: a checkpoint exists; pass --resume to continue it or use a new output folder`);
    const optimizer = new AdamW(trainable.params, cfg.adamw);
    const guard = new FiniteGuard(model, trainable.params, cfg.label);
    let startStep = 0, lastLoss = NaN;
    const recent: number[] = [];
    const first: number[] = [];
    const logEvery = everyFromEnv("IA_LOG_EVERY") ?? cfg.logEvery ?? 10, ckptEvery = everyFromEnv("IA_CHECKPOINT_EVERY") ?? cfg.checkpointEvery ?? 100, clip = cfg.gradClip ?? 1.0;
    try {
        if (lead && recoverCheckpoint(ckptDir)) {
            const state = loadCheckpoint(ckptDir, trainable, optimizer);
            startStep = state.step;
            lastLoss = state.lastLoss ?? NaN;
            recent.push(...(state.recentLosses ?? []));
            guard.lastCheckpoint = startStep;
            if (!cfg.quiet) process.stderr.write(`[${cfg.label}] resumed from step ${startStep} (${ckptDir})\n`);
        } else if (lead && !cfg.quiet) {
            // Where this run's checkpoints go (what a rerun resumes from), as the resume line says.
            process.stderr.write(`[${cfg.label}] starting ${cfg.totalSteps} steps (${ckptDir})\n`);
        }
        // Rows past the resume point (or all rows, starting over) belong to steps that will run again.
        if (lead) trimMetrics(metricsFile, startStep);
        // Step 0: weights loaded with NaN/Inf (model, frozen adapters, checkpoint) fail before any work.
        guard.checkWeights(startStep, "all", "the weights were loaded that way, training did not start");
        // The peers start from rank 0's weights, optimizer state and step, whatever they loaded themselves.
        const synced = dp?.syncStart([...trainable.params, ...optimizer.expAvg, ...optimizer.expAvgSq], [startStep, optimizer.stepCount]);
        if (synced && !lead) [startStep, optimizer.stepCount] = synced as [number, number];
    } catch (err) {
        optimizer.dispose();
        throw err;
    }
    const schedule: LrSchedule = { ...cfg.schedule, totalSteps: cfg.totalSteps };
    // Tokens/s and MFU are the group's: its processes' threads together.
    const log = new ProgressLog(cfg.label, lead ? metricsFile : null, cfg.flopsPerToken, peakFlops(model.device) * (dp?.world ?? 1), startStep, cfg.quiet || !lead);
    let totalTokens = 0;
    const t0 = performance.now();
    model.training = true;
    try {
        for (let step = startStep; step < cfg.totalSteps; step++) {
            // Errors name steps as the progress log does: the first optimizer step is "step 1".
            const n = step + 1;
            exitIfOrphaned();
            const s0 = performance.now();
            const lr = learningRate(schedule, step);
            guard.checkLearningRate(n, lr);
            if (cfg.seed !== undefined) manualSeed((cfg.seed * 1000003 + step) % 2147483647);
            const micro = makeStep(step);
            const batches = micro.map((m) => m.batch);
            let lossSum = 0, targets = 0, tokens = 0;
            tidy(() => {
                const built = batches.map((b) => b());
                targets = built.reduce((a, b) => a + b.targetTokens, 0);
                tokens = built.reduce((a, b) => a + b.tokens, 0);
                if (targets === 0) throw new Error(`${cfg.label}: step ${step} has no target tokens`);
                const run = (batch: Batch, i: number) => {
                    micro[i]?.before?.();
                    tidy(() => {
                        const objective = micro[i]?.objective;
                        const summed = objective ? objective(model, batch) : summedTokenLoss(model.forward({ ids: batch.ids }), batch.labels);
                        summed.div(targets).backward();
                        lossSum += summed.item();
                    });
                };
                const mine = built.map((_, i) => !dp || dp.owns(i));
                built.forEach((batch, i) => mine[i] && run(batch, i));
                if (dp?.active) {
                    const total = dp.allReduce(step, trainable.params, lossSum);
                    // A peer gone: its micro-batches are run here, and the step completes as a single process's would.
                    if (total === null) built.forEach((batch, i) => !mine[i] && run(batch, i));
                    else lossSum = total;
                }
            });
            lastLoss = lossSum / targets;
            // Checked before the update, so a bad step never reaches the weights, the log or a checkpoint.
            guard.checkLoss(n, lastLoss);
            // Without clipping the norm is still computed (an infinite max norm clips nothing): it is the check.
            const gradNorm = optimizer.clipGradNorm(clip > 0 ? clip : Infinity);
            guard.checkGradients(n, gradNorm);
            optimizer.step(lr);
            optimizer.zeroGrad();
            recent.push(lastLoss);
            if (recent.length > 10) recent.shift();
            if (step < 10) first.push(lastLoss);
            totalTokens += tokens;
            const seconds = (performance.now() - s0) / 1000;
            log.record({ step, totalSteps: cfg.totalSteps, loss: lastLoss, lr, gradNorm, tokens, seconds }, n % logEvery === 0 || n === cfg.totalSteps);
            cfg.onStep?.({ step, loss: lastLoss });
            if (lead && ((ckptEvery > 0 && n % ckptEvery === 0) || n === cfg.totalSteps)) {
                // Finite gradients and lr can still overflow a weight (a huge lr): never persist that.
                guard.checkWeights(n, "trainable", `after the optimizer step (learning rate ${lr})`);
                saveCheckpoint(ckptDir, trainable, optimizer, { step: n, lastLoss, recentLosses: [...recent], totalSteps: cfg.totalSteps, checkpointEvery: ckptEvery });
                guard.lastCheckpoint = n;
            }
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
        meanLossFirst10: first.length ? first.reduce((a, b) => a + b, 0) / first.length : NaN,
        seconds,
        tokensPerSec: totalTokens / Math.max(seconds, 1e-9),
        checkSeconds: guard.seconds,
    };
}
