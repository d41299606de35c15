/**
 * Causal language-modelling loss over labelled positions: logits at position t predict token t+1, positions
 * whose label is -100 (prompt, padding, other roles) are ignored. Returns the *sum* of token losses and the
 * count, so gradient accumulation can divide by the tokens of the whole optimizer step.
 */
import { crossEntropy } from "../engine/factory.ts";
import type { Tensor } from "../engine/tensor.ts";
import { isHalf } from "../model/transformer.ts";

export const IGNORE_INDEX = -100;

/** logits [B, T, V], labels [B, T] (int64, already aligned: labels[t] is the target of logits[t]). */
export function summedTokenLoss(logits: Tensor, labels: Tensor): Tensor {
    const v = logits.size(-1);
    const flat = logits.reshape([-1, v]);
    const l32 = isHalf(flat.dtype) ? flat.to("float32") : flat;
    return crossEntropy(l32, labels.reshape([-1]), { ignoreIndex: IGNORE_INDEX, reduction: "sum" });
}

/** Per-row summed log-probability of the labelled tokens: [B] (for DPO). */
export function sequenceLogprobs(logits: Tensor, labels: Tensor): Tensor {
    const [b, t, v] = logits.shape as [number, number, number];
    const l32 = isHalf(logits.dtype) ? logits.to("float32") : logits;
    const nll = crossEntropy(l32.reshape([b * t, v]), labels.reshape([b * t]), { ignoreIndex: IGNORE_INDEX, reduction: "none" });
    return nll.reshape([b, t]).sum(1).neg();
}
