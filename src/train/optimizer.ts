/**
 * AdamW over a list of parameters (torch.optim.AdamW semantics; one native call per step) and the learning-rate
 * schedule (linear warmup, then cosine or linear decay to minLrRatio * lr). Optimizer state is plain tensors so
 * checkpoints can store it in safetensors and resume exactly.
 */
import { zeros } from "../engine/factory.ts";
import { native } from "../engine/native.ts";
import { keep } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";

export interface AdamWOptions {
    /** Default 0.9. */
    beta1?: number;
    /** Default 0.999. */
    beta2?: number;
    /** Default 1e-8. */
    eps?: number;
    /** Decoupled weight decay. Default 0.0 (LoRA convention; pretraining uses ~0.1). */
    weightDecay?: number;
}

export class AdamW {
    readonly expAvg: Tensor[];
    readonly expAvgSq: Tensor[];
    /** Optimizer steps taken (bias correction uses it). */
    stepCount = 0;
    private readonly o: Required<AdamWOptions>;

    constructor(readonly params: Tensor[], o: AdamWOptions = {}) {
        this.o = { beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0 };
        this.expAvg = params.map((p) => keep(zeros(p.shape, { dtype: "float32", device: p.device })));
        this.expAvgSq = params.map((p) => keep(zeros(p.shape, { dtype: "float32", device: p.device })));
        for (const p of params) {
            if (p.dtype !== "float32") throw new Error(`AdamW: trainable parameters must be float32 (got ${p.dtype}); keep master weights in fp32`);
        }
    }

    step(lr: number): void {
        this.stepCount++;
        native.adamw_step_(
            this.params.map((p) => p.handle), this.expAvg.map((t) => t.handle), this.expAvgSq.map((t) => t.handle),
            this.stepCount, lr, this.o.beta1, this.o.beta2, this.o.eps, this.o.weightDecay,
        );
    }

    zeroGrad(): void {
        native.zero_grad(this.params.map((p) => p.handle));
    }

    /** Clips the global gradient norm in place; returns the norm before clipping. */
    clipGradNorm(maxNorm: number): number {
        return native.clip_grad_norm_(this.params.map((p) => p.handle), maxNorm);
    }

    /** State tensors by stable names (for checkpoints). */
    stateTensors(): Map<string, Tensor> {
        const m = new Map<string, Tensor>();
        this.expAvg.forEach((t, i) => m.set(`exp_avg.${i}`, t));
        this.expAvgSq.forEach((t, i) => m.set(`exp_avg_sq.${i}`, t));
        return m;
    }

    loadState(tensors: Map<string, Tensor>, stepCount: number): void {
        for (const [name, dst] of this.stateTensors()) {
            const src = tensors.get(name);
            if (!src || src.shape.join(",") !== dst.shape.join(",")) throw new Error(`optimizer state: ${name} missing or of the wrong shape`);
            dst.copy_(src);
        }
        this.stepCount = stepCount;
    }

    dispose(): void {
        for (const t of [...this.expAvg, ...this.expAvgSq]) t.dispose();
    }
}

export interface LrSchedule {
    /** Peak learning rate. */
    lr: number;
    /** Linear warmup steps from 0. Default 0. */
    warmupSteps?: number;
    /** Total optimizer steps (decay ends here). */
    totalSteps: number;
    /** "cosine" | "linear" | "constant" after warmup. Default "cosine". */
    decay?: "cosine" | "linear" | "constant";
    /** Final lr as a fraction of the peak. Default 0.1. */
    minLrRatio?: number;
}

/** Learning rate for optimizer step `step` (0-based). */
export function learningRate(s: LrSchedule, step: number): number {
    const warm = s.warmupSteps ?? 0;
    if (step < warm) return (s.lr * (step + 1)) / warm;
    const minLr = s.lr * (s.minLrRatio ?? 0.1);
    const decay = s.decay ?? "cosine";
    if (decay === "constant") return s.lr;
    const span = Math.max(1, s.totalSteps - warm);
    const progress = Math.min(1, (step - warm) / span);
    if (decay === "linear") return s.lr - (s.lr - minLr) * progress;
    return minLr + 0.5 * (s.lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
