/**
 * Scoring fixed texts without training: the per-row summed log-probability of each example's target tokens, 64 rows
 * per forward, no gradients. DPO's reference log-probs use it, and so does any measure of how likely a model finds a
 * given answer (bench/denialScore.ts).
 */
import { noGrad } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Transformer } from "../model/transformer.ts";
import { collate, type Example } from "./batch.ts";
import { sequenceLogprobs } from "./loss.ts";

/** `before` runs ahead of each batch's forward (e.g. pointing a LoRA bank at the batch's rows). */
export function scoreExamples<R extends { example: Example }>(model: Transformer, rows: readonly R[], padId: number, before: (batch: readonly R[]) => void = () => {}): number[] {
    const out: number[] = [];
    noGrad(() => {
        for (let i = 0; i < rows.length; i += 64) {
            const chunk = rows.slice(i, i + 64);
            before(chunk);
            out.push(...tidy(() => {
                const b = collate(chunk.map((r) => r.example), padId, model.device);
                return sequenceLogprobs(model.forward({ ids: b.ids }), b.labels).toNumbers();
            }));
        }
    });
    return out;
}
