/**
 * Times one LoRA SFT optimizer step on random tokens, as the training loop runs it (src/train/loop.ts):
 * forward, summed-token cross-entropy / target count, backward, AdamW on the LoRA parameters only, zero_grad.
 * It does not clip gradients or log (PyTorch's baseline doesn't either), so both sides do the same work.
 * Optionally a second, frozen adapter is stacked under the trained one (the IA setup: organism + IA).
 */
import { randn } from "../../src/engine/factory.ts";
import { manualSeed } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import type { Transformer } from "../../src/model/transformer.ts";
import { collate } from "../../src/train/batch.ts";
import { summedTokenLoss } from "../../src/train/loss.ts";
import { AdamW } from "../../src/train/optimizer.ts";
import { Rng } from "../../src/util/rng.ts";

export interface TrainTimingOptions {
    batch: number;
    seq: number;
    /** Timed steps. */
    steps: number;
    /** Untimed steps first (allocator and thread-pool warm-up). */
    warmup: number;
    /** LoRA rank. Default 16. */
    r?: number;
    /** LoRA alpha. Default 32. */
    alpha?: number;
    /** LoRA dropout on the trained adapter. Default 0 (the PyTorch baseline has none). */
    dropout?: number;
    /** Stack a frozen adapter (random, non-zero B) under the trained one. Default false. */
    stackFrozen?: boolean;
    /** Learning rate. Default 1e-4 (as the baseline). */
    lr?: number;
    /** Seed for the token ids and adapter init. Default 0. */
    seed?: number;
}

export interface TrainTiming {
    tokensPerStep: number;
    stepMsBest: number;
    stepMsMedian: number;
    tokensPerSecBest: number;
    tokensPerSecMedian: number;
    lossFirst: number;
    lossLast: number;
    trainableParams: number;
}

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function timeTrainStep(model: Transformer, o: TrainTimingOptions): TrainTiming {
    const r = o.r ?? 16, alpha = o.alpha ?? 32, seed = o.seed ?? 0;
    manualSeed(seed);
    const cfg = { r, alpha, dropout: o.dropout ?? 0 };
    const trained = LoraAdapter.create("bench", model.config, cfg).setTrainable(true);
    let frozen: LoraAdapter | null = null;
    if (o.stackFrozen) {
        frozen = LoraAdapter.create("frozen", model.config, cfg);
        tidy(() => {
            for (const { B } of frozen!.weights.values()) B.copy_(randn(B.shape).mul(0.01));
        });
        frozen.setTrainable(false);
    }
    const saved = model.adapters;
    model.adapters = frozen ? [frozen, trained] : [trained];
    model.training = true;
    const optimizer = new AdamW(trained.parameters());
    const rng = new Rng(seed);
    const ids: number[][] = Array.from({ length: o.batch }, () => Array.from({ length: o.seq }, () => rng.int(model.config.vocabSize)));
    // Built once, as the baseline builds its ids once; every token but a row's first is a target.
    const batch = collate(ids.map((row) => ({ ids: row, targetMask: row.map(() => 1) })), 0);
    const trainableParams = trained.numParameters();
    const times: number[] = [];
    const losses: number[] = [];
    try {
        for (let i = 0; i < o.warmup + o.steps; i++) {
            const t0 = performance.now();
            const loss = tidy(() => {
                const summed = summedTokenLoss(model.forward({ ids: batch.ids }), batch.labels);
                summed.div(batch.targetTokens).backward();
                return summed.item() / batch.targetTokens;
            });
            optimizer.step(o.lr ?? 1e-4);
            optimizer.zeroGrad();
            const dt = performance.now() - t0;
            losses.push(loss);
            if (i >= o.warmup) times.push(dt);
        }
    } finally {
        model.training = false;
        model.adapters = saved;
        optimizer.dispose();
        trained.dispose();
        frozen?.dispose();
        batch.ids.dispose();
        batch.labels.dispose();
    }
    const tokens = o.batch * o.seq;
    const best = Math.min(...times), med = median(times);
    return {
        tokensPerStep: tokens,
        stepMsBest: best,
        stepMsMedian: med,
        tokensPerSecBest: (tokens * 1000) / best,
        tokensPerSecMedian: (tokens * 1000) / med,
        lossFirst: losses[0] ?? NaN,
        lossLast: losses[losses.length - 1] ?? NaN,
        trainableParams,
    };
}

