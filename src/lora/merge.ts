/**
 * Merging an adapter into the base weights: W <- W + scaling * scale * B @ A, in place, for every module the
 * adapter targets. After merging, the adapter must not also stay active (it would count twice).
 * Used to fold an organism into a base before attaching the IA (as vLLM-style servers do).
 */
import { noGrad } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Transformer } from "../model/transformer.ts";
import type { LoraAdapter } from "./adapter.ts";

export function mergeAdapter(model: Transformer, adapter: LoraAdapter, sign: 1 | -1 = 1): void {
    noGrad(() => {
        for (const [mod, { A, B }] of adapter.weights) {
            const W = model.params.get(`${mod}.weight`);
            if (!W) throw new Error(`merge: the model has no ${mod}.weight (adapter ${adapter.name})`);
            tidy(() => {
                const delta = B.to("float32").matmul(A.to("float32")).mul(sign * adapter.scaling * adapter.scale);
                W.add_(delta.to(W.dtype));
            });
        }
    });
    model.adapters = model.adapters.filter((a) => a !== adapter);
}

/** Undoes mergeAdapter (up to rounding in half precision). */
export function unmergeAdapter(model: Transformer, adapter: LoraAdapter): void {
    mergeAdapter(model, adapter, -1);
}
