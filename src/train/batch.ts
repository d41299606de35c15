/**
 * Training examples and batches. An example is token ids plus a 0/1 mask of the tokens to learn (assistant
 * content and its end-of-turn token). Batches are right-padded: with causal attention, real tokens never see
 * the padding after them, so no attention mask is needed and padded positions are simply unlabelled.
 */
import { tensor } from "../engine/factory.ts";
import type { Tensor } from "../engine/tensor.ts";
import { IGNORE_INDEX } from "./loss.ts";

export interface Example {
    ids: number[];
    /** 1 where the token is a training target. Same length as ids. */
    targetMask: number[];
}

export interface Batch {
    /** [B, T] int64 */
    ids: Tensor;
    /** [B, T] int64, labels[t] = ids[t+1] where that token is a target, else -100. */
    labels: Tensor;
    /** Labelled tokens in the batch. */
    targetTokens: number;
    /** All non-padding tokens (for throughput). */
    tokens: number;
    rows: number;
}

/** Truncates to maxLength (keeping the start) and drops examples with no target left. */
export function truncateExample(e: Example, maxLength: number): Example | null {
    const ids = e.ids.slice(0, maxLength), targetMask = e.targetMask.slice(0, maxLength);
    return targetMask.slice(1).some((m) => m === 1) ? { ids, targetMask } : null;
}

export function collate(examples: readonly Example[], padId: number, device = "cpu"): Batch {
    if (examples.length === 0) throw new Error("collate: empty batch");
    const t = Math.max(...examples.map((e) => e.ids.length));
    const b = examples.length;
    const ids = new Array<number>(b * t).fill(padId);
    const labels = new Array<number>(b * t).fill(IGNORE_INDEX);
    let targetTokens = 0, tokens = 0;
    examples.forEach((e, r) => {
        tokens += e.ids.length;
        for (let i = 0; i < e.ids.length; i++) {
            ids[r * t + i] = e.ids[i] as number;
            if (i + 1 < e.ids.length && e.targetMask[i + 1] === 1) {
                labels[r * t + i] = e.ids[i + 1] as number;
                targetTokens++;
            }
        }
    });
    return {
        ids: tensor(ids, [b, t], { dtype: "int64", device }),
        labels: tensor(labels, [b, t], { dtype: "int64", device }),
        targetTokens,
        tokens,
        rows: b,
    };
}
