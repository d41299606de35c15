/**
 * Per-token log-probabilities of sequences under a model (with whatever adapters are active):
 * logprobs[t] = log p(ids[t] | ids[:t]), logprobs[0] = null. Computed in float32 from one forward pass.
 * Serves scoring, DPO, and cross-checking the engine against other implementations.
 */
import { tensor } from "../engine/factory.ts";
import { noGrad } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Transformer } from "../model/transformer.ts";

export function tokenLogprobs(model: Transformer, ids: number[]): (number | null)[] {
    if (ids.length === 0) return [];
    for (const id of ids) {
        if (!Number.isInteger(id) || id < 0 || id >= model.config.vocabSize) throw new Error(`token id ${id} is outside the vocabulary [0, ${model.config.vocabSize})`);
    }
    const values = noGrad(() =>
        tidy(() => {
            const input = tensor(ids, [1, ids.length], { dtype: "int64", device: model.device });
            if (ids.length === 1) return [] as number[];
            const logits = model.forward({ ids: input }).to("float32").squeeze(0); // [T, V]
            const logp = logits.narrow(0, 0, ids.length - 1).logSoftmax(-1);
            const next = input.squeeze(0).narrow(0, 1, ids.length - 1).unsqueeze(1);
            return logp.gather(1, next).squeeze(1).toNumbers();
        }),
    );
    return [null, ...values];
}
