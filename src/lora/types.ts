/** What the model needs from anything that adds a low-rank update to its projections. */
import type { Tensor } from "../engine/tensor.ts";

export interface ActiveAdapter {
    readonly name: string;
    /** Contribution to module `path` (e.g. "model.layers.0.mlp.up_proj") for input x [B, T, in], or null. */
    delta(path: string, x: Tensor, training: boolean): Tensor | null;
}
