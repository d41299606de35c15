/**
 * Bad numbers in training: a NaN/Inf loss, gradient, learning rate or weight stops the run with an error naming
 * the step and the parameter ("step 12: non-finite gradient in lora_B of layers.3.mlp.down_proj (group ia)"),
 * raised before the optimizer applies the step and before any checkpoint is written, so the last checkpoint on
 * disk stays the last good one.
 *
 * Cost: the per-step gradient check reuses the global gradient norm that clipping computes anyway (NaN/Inf in any
 * gradient makes it non-finite); weights are checked with one summed reduction over all tensors at the start and
 * before each checkpoint. Only when a cheap check fails are tensors scanned one by one to name the culprit (a
 * finite-but-huge sum that overflowed is then recognised and not an error).
 */
import { stack } from "../engine/factory.ts";
import { noGrad } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import { LoraBank } from "../lora/bank.ts";
import { LoraWeights } from "../lora/adapter.ts";
import type { Transformer } from "../model/transformer.ts";

export class NonFiniteError extends Error {
    constructor(readonly step: number, message: string) {
        super(message);
        this.name = "NonFiniteError";
    }
}

interface ParamLabel {
    /** "lora_B of layers.3.mlp.down_proj" or "model.norm.weight". */
    name: string;
    /** The adapter's name ("ia", "sft", "bank"), "base" for the model's own weights, "trainable" otherwise. */
    group: string;
    /** Stacked per-organism weights (LoraBank): the scan also names the bank row. */
    bank: boolean;
}

/** Every tensor of the model (base weights and each adapter's A/B) with a human-readable label. */
function labelWeights(model: Transformer): Map<Tensor, ParamLabel> {
    const labels = new Map<Tensor, ParamLabel>();
    for (const [name, t] of model.params) labels.set(t, { name, group: "base", bank: false });
    for (const a of model.adapters) {
        if (!(a instanceof LoraWeights)) continue;
        for (const [mod, { A, B }] of a.weights) {
            const short = mod.replace(/^model\./, "");
            labels.set(A, { name: `lora_A of ${short}`, group: a.name, bank: a instanceof LoraBank });
            labels.set(B, { name: `lora_B of ${short}`, group: a.name, bank: a instanceof LoraBank });
        }
    }
    return labels;
}

/** Count of non-finite values of t, and for a bank tensor [N, ...] the first bank row holding one. */
function nonFinite(t: Tensor, bank: boolean): { count: number; row: number | null } {
    return tidy(() => {
        const bad = t.isfinite().logicalNot();
        const count = bad.sum().item();
        if (count === 0 || !bank || t.ndim < 2) return { count, row: null };
        const perRow = bad.reshape([t.size(0), -1]).sum(1).toNumbers();
        return { count, row: perRow.findIndex((n) => n > 0) };
    });
}

/** Cheap test: the sum of all tensors' sums is finite (a false alarm only if finite values overflow the sum). */
function sumIsFinite(tensors: readonly Tensor[]): boolean {
    if (tensors.length === 0) return true;
    return Number.isFinite(noGrad(() => tidy(() => stack(tensors.map((t) => t.sum().to("float32"))).sum().item())));
}

export class FiniteGuard {
    private readonly labels: Map<Tensor, ParamLabel>;
    private readonly all: Tensor[];
    /** Seconds spent in checks (reported by the loop: the guard's overhead). */
    seconds = 0;
    /** Step of the last checkpoint on disk (set by the loop), named in errors: it is the one to go back to. */
    lastCheckpoint: number | null = null;

    constructor(model: Transformer, private readonly params: readonly Tensor[], private readonly label: string) {
        this.labels = labelWeights(model);
        params.forEach((p, i) => {
            if (!this.labels.has(p)) this.labels.set(p, { name: `parameter ${i}`, group: "trainable", bank: false });
        });
        this.all = [...this.labels.keys()];
    }

    private describe(t: Tensor, found: { count: number; row: number | null }): string {
        const l = this.labels.get(t)!;
        const where = found.row !== null ? `${l.group}, adapter ${found.row}` : l.group;
        return `${l.name} (group ${where}; ${found.count} of ${t.numel} values)`;
    }

    private fail(step: number, what: string, hint: string): never {
        const ckpt = this.lastCheckpoint === null ? "no checkpoint was written" : `the checkpoint of step ${this.lastCheckpoint} is untouched`;
        throw new NonFiniteError(step, `${this.label}: step ${step}: ${what}; ${hint}; ${ckpt}`);
    }

    private time<R>(fn: () => R): R {
        const t0 = performance.now();
        try {
            return fn();
        } finally {
            this.seconds += (performance.now() - t0) / 1000;
        }
    }

    /** The first weight (of `tensors`, default every weight of the model) holding NaN/Inf, described; or null. */
    private findBadWeight(tensors: readonly Tensor[]): string | null {
        for (const t of tensors) {
            const found = noGrad(() => nonFinite(t, this.labels.get(t)?.bank ?? false));
            if (found.count > 0) return this.describe(t, found);
        }
        return null;
    }

    /**
     * Every weight the step will read, trained or frozen (at step 0: a model or adapter loaded with NaN/Inf fails
     * here, before any work), or only the trained ones (before a checkpoint: what the optimizer changed).
     */
    checkWeights(step: number, which: "all" | "trainable", hint: string): void {
        this.time(() => {
            const tensors = which === "all" ? this.all : this.params;
            if (sumIsFinite(tensors)) return;
            const bad = this.findBadWeight(tensors);
            if (bad) this.fail(step, `non-finite weight in ${bad}`, hint);
        });
    }

    checkLearningRate(step: number, lr: number): void {
        if (!Number.isFinite(lr)) this.fail(step, `learning rate is ${lr}`, "check the configured lr and schedule; no update was applied");
    }

    /** The step's loss; a non-finite loss also names a non-finite weight if there is one (the likely cause). */
    checkLoss(step: number, loss: number): void {
        if (Number.isFinite(loss)) return;
        this.time(() => {
            const bad = this.findBadWeight(this.all);
            this.fail(step, `loss is ${loss}${bad ? ` (non-finite weight in ${bad})` : ""}`, "no update was applied; lower the learning rate or check the data");
        });
    }

    /** `gradNorm`: the global norm clipping computed; non-finite iff some gradient holds NaN/Inf (or overflowed). */
    checkGradients(step: number, gradNorm: number): void {
        if (Number.isFinite(gradNorm)) return;
        this.time(() => {
            for (const p of this.params) {
                const found = noGrad(() => tidy(() => {
                    const g = p.grad;
                    return g ? nonFinite(g, this.labels.get(p)?.bank ?? false) : { count: 0, row: null };
                }));
                if (found.count > 0) this.fail(step, `non-finite gradient in ${this.describe(p, found)}`, "no update was applied; lower the learning rate or check the data");
            }
            this.fail(step, `gradient norm is ${gradNorm} although every gradient is finite (overflow)`, "no update was applied; lower the learning rate");
        });
    }
}
