/**
 * A LoRA adapter in PEFT's terms: for each targeted linear layer W [out, in], a pair A [r, in] and B [out, r],
 * applied as y = W x + scaling * scale * B (A dropout(x)), with scaling = alpha / r (or alpha / sqrt(r) with
 * rsLoRA). Several adapters can be active at once on a model, each with its own `scale` and `trainable` flag:
 * the IA setup is "organism adapter frozen + IA adapter trained".
 *
 * Module paths are the Hugging Face parameter prefixes, e.g. "model.layers.3.self_attn.q_proj".
 * PEFT file I/O lives in peft.ts; batched per-row adapters (many organisms in one batch) in bank.ts.
 */
import { rand, zeros } from "../engine/factory.ts";
import { keep, tidy } from "../engine/scope.ts";
import type { DType, Tensor } from "../engine/tensor.ts";
import type { ModelConfig } from "../model/config.ts";

export const LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
    /** Rank. Default 16 (the paper's IA). */
    r: number;
    /** Alpha; the update is scaled by alpha/r (alpha/sqrt(r) with rsLoRA). Default 32. */
    alpha: number;
    /** Dropout on the adapter's input during training. Default 0.05. */
    dropout: number;
    /** rsLoRA scaling alpha/sqrt(r). Default false. */
    useRslora: boolean;
    /** Projection names to adapt. Default all seven. */
    targetModules: LoraTarget[];
}

export const DEFAULT_LORA_CONFIG: LoraConfig = {
    r: 16,
    alpha: 32,
    dropout: 0.05,
    useRslora: false,
    targetModules: [...LORA_TARGETS],
};

/** alpha / r, or alpha / sqrt(r) with rsLoRA (PEFT's `scaling`). */
export function loraScaling(c: Pick<LoraConfig, "r" | "alpha" | "useRslora">): number {
    return c.useRslora ? c.alpha / Math.sqrt(c.r) : c.alpha / c.r;
}

export interface LoraPair {
    /** [r, in] */
    A: Tensor;
    /** [out, r] */
    B: Tensor;
}

/** [in, out] of a projection for a given model config. */
export function projectionShape(c: ModelConfig, target: LoraTarget): [number, number] {
    const q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
    switch (target) {
        case "q_proj": return [c.hiddenSize, q];
        case "k_proj": case "v_proj": return [c.hiddenSize, kv];
        case "o_proj": return [q, c.hiddenSize];
        case "gate_proj": case "up_proj": return [c.hiddenSize, c.intermediateSize];
        case "down_proj": return [c.intermediateSize, c.hiddenSize];
    }
}

export function modulePath(layer: number, target: LoraTarget): string {
    const block = target === "gate_proj" || target === "up_proj" || target === "down_proj" ? "mlp" : "self_attn";
    return `model.layers.${layer}.${block}.${target}`;
}

/** LoRA A/B pairs by module path, with PEFT's bookkeeping of what is trainable. */
export abstract class LoraWeights {
    /** Whether the parameters get gradients. Default false (frozen). */
    trainable = false;

    constructor(readonly weights: Map<string, LoraPair>) {}

    parameters(): Tensor[] {
        const out: Tensor[] = [];
        for (const { A, B } of this.weights.values()) out.push(A, B);
        return out;
    }

    /** Marks the parameters trainable (sets requires_grad) or frozen. */
    setTrainable(flag: boolean): this {
        this.trainable = flag;
        for (const p of this.parameters()) p.requiresGrad_(flag);
        return this;
    }
}

export class LoraAdapter extends LoraWeights {
    /** User multiplier on top of the config's scaling (e.g. `--adapter dir:0.5`). Default 1. */
    scale = 1;

    constructor(
        readonly name: string,
        readonly config: LoraConfig,
        weights: Map<string, LoraPair>,
        /** Free-form provenance saved into adapter_config.json (base_model_name_or_path). */
        readonly baseModel: string | null = null,
    ) {
        super(weights);
    }

    get scaling(): number {
        return loraScaling(this.config);
    }

    /** New adapter with PEFT's default init: A ~ kaiming-uniform(a=sqrt(5)) i.e. U(-1/sqrt(in), 1/sqrt(in)), B = 0. */
    static create(name: string, model: ModelConfig, cfg: Partial<LoraConfig> = {}, o: { device?: string; dtype?: DType } = {}): LoraAdapter {
        const config: LoraConfig = { ...DEFAULT_LORA_CONFIG, ...cfg };
        const weights = new Map<string, LoraPair>();
        for (let l = 0; l < model.numLayers; l++) {
            for (const t of config.targetModules) {
                const [inF, outF] = projectionShape(model, t);
                const bound = 1 / Math.sqrt(inF);
                // In a scope so the intermediate handles don't outlive the call (they kept A's storage until GC).
                const A = keep(tidy(() => rand([config.r, inF]).sub(0.5).mul(2 * bound).to(o.dtype ?? "float32", o.device ?? "cpu")));
                const B = keep(zeros([outF, config.r], { dtype: o.dtype ?? "float32", device: o.device }));
                weights.set(modulePath(l, t), { A, B });
            }
        }
        return new LoraAdapter(name, config, weights);
    }

    /**
     * The adapter's contribution to module `path` for input x [..., in], or null when it does not target it.
     * Dropout applies only while training a trainable adapter (a frozen organism adapter is deterministic).
     */
    delta(path: string, x: Tensor, training: boolean): Tensor | null {
        const pair = this.weights.get(path);
        if (!pair || this.scale === 0) return null;
        const input = training && this.trainable && this.config.dropout > 0 ? x.dropout(this.config.dropout, true) : x;
        // Scaled at rank r rather than on the [.., out] result: the same update with a smaller elementwise pass
        // (forward and backward), 2-4% of a LoRA training step on the benchmark's small config.
        // Adapter weights may be float32 under a bfloat16/float16 base (as PEFT keeps them): the update is computed
        // in the adapter's precision and added back in the base's.
        if (pair.A.dtype === x.dtype) return input.linear(pair.A).mul(this.scaling * this.scale).linear(pair.B);
        return input.to(pair.A.dtype).linear(pair.A).mul(this.scaling * this.scale).linear(pair.B).to(x.dtype);
    }

    numParameters(): number {
        let n = 0;
        for (const p of this.parameters()) n += p.numel;
        return n;
    }

    dispose(): void {
        for (const p of this.parameters()) p.dispose();
        this.weights.clear();
    }
}
