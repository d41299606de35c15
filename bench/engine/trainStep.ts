/**
 * One LoRA SFT optimizer step on random tokens, as the training loop runs it (src/train/loop.ts): forward,
 * summed-token cross-entropy / target count, backward, AdamW on the LoRA parameters only, zero_grad. A session
 * keeps its adapter, optimizer and batch, so the benchmark can time steps one at a time (interleaved with the
 * PyTorch baseline's). It does not clip gradients or log (the baseline doesn't either), so both do the same work.
 * Optionally a second, frozen adapter is stacked under the trained one (the IA setup: organism + IA).
 */
import { randn } from "../../src/engine/factory.ts";
import { manualSeed } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import type { ActiveAdapter } from "../../src/lora/types.ts";
import type { Transformer } from "../../src/model/transformer.ts";
import { collate, type Batch } from "../../src/train/batch.ts";
import { summedTokenLoss } from "../../src/train/loss.ts";
import { AdamW } from "../../src/train/optimizer.ts";
import { Rng } from "../../src/util/rng.ts";

export interface TrainSessionOptions {
    batch: number;
    seq: number;
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

export class TrainSession {
    readonly trainableParams: number;
    readonly tokensPerStep: number;
    private readonly trained: LoraAdapter;
    private readonly frozen: LoraAdapter | null;
    private readonly optimizer: AdamW;
    private readonly batch: Batch;
    private readonly saved: ActiveAdapter[];

    constructor(private readonly model: Transformer, private readonly o: TrainSessionOptions) {
        const seed = o.seed ?? 0;
        manualSeed(seed);
        const cfg = { r: o.r ?? 16, alpha: o.alpha ?? 32, dropout: o.dropout ?? 0 };
        // float32 adapter weights on any base dtype, as PEFT keeps them.
        this.trained = LoraAdapter.create("bench", model.config, cfg, { device: model.device }).setTrainable(true);
        this.frozen = null;
        if (o.stackFrozen) {
            const frozen = LoraAdapter.create("frozen", model.config, cfg, { device: model.device });
            tidy(() => {
                for (const { B } of frozen.weights.values()) B.copy_(randn(B.shape, { device: model.device }).mul(0.01));
            });
            this.frozen = frozen.setTrainable(false);
        }
        this.saved = model.adapters;
        model.adapters = this.frozen ? [this.frozen, this.trained] : [this.trained];
        this.optimizer = new AdamW(this.trained.parameters());
        const rng = new Rng(seed);
        const ids = Array.from({ length: o.batch }, () => Array.from({ length: o.seq }, () => rng.int(model.config.vocabSize)));
        // Built once, as the baseline builds its ids once; every token but a row's first is a target.
        this.batch = collate(ids.map((row) => ({ ids: row, targetMask: row.map(() => 1) })), 0, model.device);
        this.trainableParams = this.trained.numParameters();
        this.tokensPerStep = o.batch * o.seq;
    }

    /** One optimizer step; returns [milliseconds, loss]. */
    step(): [number, number] {
        const { model, batch } = this;
        model.training = true;
        try {
            const t0 = performance.now();
            const loss = tidy(() => {
                const summed = summedTokenLoss(model.forward({ ids: batch.ids }), batch.labels);
                summed.div(batch.targetTokens).backward();
                return summed.item() / batch.targetTokens;
            });
            this.optimizer.step(this.o.lr ?? 1e-4);
            this.optimizer.zeroGrad();
            return [performance.now() - t0, loss];
        } finally {
            model.training = false;
        }
    }

    /** Restores the model's adapters and frees the session's tensors. */
    dispose(): void {
        this.model.adapters = this.saved;
        this.optimizer.dispose();
        this.trained.dispose();
        this.frozen?.dispose();
        this.batch.ids.dispose();
        this.batch.labels.dispose();
    }
}

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
