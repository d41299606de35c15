/**
 * A bank of N LoRA adapters of the same shape, stored stacked (A [N, r, in], B [N, out, r] per module), where
 * each row of a batch goes through its own adapter: one forward and backward trains many organisms at once
 * (populations run to hundreds; one-at-a-time training wastes the batch dimension on tiny models).
 * Set `rows` (int64 [B], adapter index per batch row; `setRows`) before each forward.
 * Individual adapters are extracted as ordinary LoraAdapters for saving in PEFT format.
 */
import { rand, stack, tensor, zeros } from "../engine/factory.ts";
import { keep, tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { ModelConfig } from "../model/config.ts";
import { DEFAULT_LORA_CONFIG, LoraAdapter, LoraWeights, loraScaling, modulePath, projectionShape, type LoraConfig, type LoraPair } from "./adapter.ts";
import type { ActiveAdapter } from "./types.ts";

export class LoraBank extends LoraWeights implements ActiveAdapter {
    readonly name = "bank";
    /** Adapter index of each batch row, int64 [B]. */
    rows: Tensor | null = null;

    constructor(public size: number, readonly config: LoraConfig, model: ModelConfig, readonly device = "cpu") {
        super(new Map<string, LoraPair>());
        for (let l = 0; l < model.numLayers; l++) {
            for (const t of config.targetModules) {
                const [inF, outF] = projectionShape(model, t);
                const bound = 1 / Math.sqrt(inF);
                const A = keep(tidy(() => rand([size, config.r, inF], { device }).sub(0.5).mul(2 * bound)));
                const B = keep(zeros([size, outF, config.r], { device }));
                this.weights.set(modulePath(l, t), { A, B });
            }
        }
    }

    static create(size: number, model: ModelConfig, cfg: Partial<LoraConfig> = {}, device = "cpu"): LoraBank {
        return new LoraBank(size, { ...DEFAULT_LORA_CONFIG, ...cfg }, model, device);
    }

    /** Points batch row i at adapter `orgs[i]` for the next forward passes (replaces and frees the previous rows). */
    setRows(orgs: readonly number[]): void {
        this.rows?.dispose();
        this.rows = keep(tensor(orgs, [orgs.length], { dtype: "int64", device: this.device }));
    }

    get scaling(): number {
        return loraScaling(this.config);
    }

    delta(path: string, x: Tensor, training: boolean): Tensor | null {
        const pair = this.weights.get(path);
        if (!pair) return null;
        if (!this.rows) throw new Error("LoraBank: set `rows` (adapter index per batch row) before the forward pass");
        const A = pair.A.indexSelect(0, this.rows); // [B, r, in]
        const B = pair.B.indexSelect(0, this.rows); // [B, out, r]
        const input = training && this.trainable && this.config.dropout > 0 ? x.dropout(this.config.dropout, true) : x;
        // Scaled at rank r (the small intermediate), and in the adapter's precision, as LoraAdapter.delta.
        if (A.dtype === x.dtype) return input.matmul(A.transpose(1, 2)).mul(this.scaling).matmul(B.transpose(1, 2));
        return input.to(A.dtype).matmul(A.transpose(1, 2)).mul(this.scaling).matmul(B.transpose(1, 2)).to(x.dtype);
    }

    /** A standalone copy of adapter i (for saving in PEFT format or attaching alone). */
    extract(i: number, name: string): LoraAdapter {
        const weights = new Map<string, LoraPair>();
        for (const [mod, { A, B }] of this.weights) {
            weights.set(mod, { A: keep(tidy(() => A.select(0, i).detach().clone())), B: keep(tidy(() => B.select(0, i).detach().clone())) });
        }
        return new LoraAdapter(name, this.config, weights);
    }

    /** Builds a bank from existing adapters of identical config (e.g. to evaluate many organisms in one batch). */
    static fromAdapters(adapters: LoraAdapter[], model: ModelConfig, device = "cpu"): LoraBank {
        const first = adapters[0];
        if (!first) throw new Error("LoraBank.fromAdapters: no adapters");
        const bank = new LoraBank(0, first.config, model, device);
        // The constructor's empty (size 0) tensors are replaced below: free them rather than drop the handles.
        for (const p of bank.parameters()) p.dispose();
        bank.weights.clear();
        for (const a of adapters) {
            if (a.config.r !== first.config.r || a.scaling !== first.scaling) throw new Error(`LoraBank.fromAdapters: ${a.name} has r/alpha different from ${first.name}`);
        }
        for (const mod of first.weights.keys()) {
            const pairs = adapters.map((a) => {
                const p = a.weights.get(mod);
                if (!p) throw new Error(`LoraBank.fromAdapters: ${a.name} lacks ${mod}`);
                return { p, scale: a.scale };
            });
            // Each adapter's user scale is folded into its B so the bank applies one shared scaling.
            const A = keep(tidy(() => stack(pairs.map(({ p }) => p.A), 0)));
            const B = keep(tidy(() => stack(pairs.map(({ p, scale }) => (scale === 1 ? p.B : p.B.mul(scale))), 0)));
            bank.weights.set(mod, { A, B });
        }
        bank.size = adapters.length;
        return bank;
    }

    dispose(): void {
        for (const p of this.parameters()) p.dispose();
        this.weights.clear();
        this.rows?.dispose();
        this.rows = null;
    }
}
