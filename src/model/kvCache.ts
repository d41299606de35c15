/**
 * Key/value cache for incremental decoding: per layer, preallocated [B, KV heads, capacity, D] buffers that
 * new keys/values are copied into, so a decoding step costs one new token's work instead of the whole prefix.
 */
import { zeros } from "../engine/factory.ts";
import { keep } from "../engine/scope.ts";
import type { DType, Tensor } from "../engine/tensor.ts";
import type { ModelConfig } from "./config.ts";

export class KvCache {
    private readonly keys: Tensor[] = [];
    private readonly values: Tensor[] = [];
    /** Positions already written (shared by all rows: batched prompts are left-padded to a common length). */
    length = 0;

    constructor(config: ModelConfig, readonly batch: number, readonly capacity: number, device: string, dtype: DType) {
        for (let i = 0; i < config.numLayers; i++) {
            this.keys.push(keep(zeros([batch, config.numKvHeads, capacity, config.headDim], { dtype, device })));
            this.values.push(keep(zeros([batch, config.numKvHeads, capacity, config.headDim], { dtype, device })));
        }
    }

    /** Writes k/v [B, KV, T, D] at the current length; returns views over everything cached (incl. them). */
    update(layer: number, k: Tensor, v: Tensor): [Tensor, Tensor] {
        const t = k.size(2);
        if (this.length + t > this.capacity) throw new Error(`KV cache full: ${this.length} + ${t} > capacity ${this.capacity}`);
        const K = this.keys[layer] as Tensor, V = this.values[layer] as Tensor;
        K.narrow(2, this.length, t).copy_(k);
        V.narrow(2, this.length, t).copy_(v);
        return [K.narrow(2, 0, this.length + t), V.narrow(2, 0, this.length + t)];
    }

    /** Called once per forward, after all layers wrote their t new positions. */
    advance(t: number): void {
        this.length += t;
    }

    dispose(): void {
        for (const t of [...this.keys, ...this.values]) t.dispose();
        this.keys.length = 0;
        this.values.length = 0;
    }
}
