/**
 * Times greedy generation with the KV cache through the project's own generate() (src/sample/generate.ts):
 * random prompts of equal length (no padding), no stop tokens, so every row makes all its tokens.
 * One call = one repetition, so the benchmark can interleave repetitions with the PyTorch baseline's.
 * Counts decode tokens only: batch × (newTokens − 1), the tokens made by the decode steps, over the time from the
 * start of the first decode forward to the end of generate(); the first token comes from the prefill, timed
 * separately. That is the same split as bench/torch/lora_step.py's.
 */
import type { ForwardInput, Transformer } from "../../src/model/transformer.ts";
import { generate } from "../../src/sample/generate.ts";
import { Rng } from "../../src/util/rng.ts";

export interface GenRep {
    prefillMs: number;
    decodeMs: number;
}

/** Random prompts [batch][promptLen], seeded by batch size (the same prompts every repetition). */
export function benchPrompts(vocab: number, batch: number, promptLen: number, seed = 0): number[][] {
    const rng = new Rng(`gen-${seed}-${batch}`);
    return Array.from({ length: batch }, () => Array.from({ length: promptLen }, () => rng.int(vocab)));
}

export function timeGenerationRep(model: Transformer, prompts: number[][], newTokens: number): GenRep {
    // Instance-level wrapper: notes when each forward starts, so prefill and decode can be told apart.
    const starts: number[] = [];
    const original = model.forward;
    model.forward = (input: ForwardInput) => {
        starts.push(performance.now());
        return original.call(model, input);
    };
    try {
        const t0 = performance.now();
        const out = generate(model, prompts, { temperature: 0, maxNewTokens: newTokens, maxBatch: prompts.length });
        const t2 = performance.now();
        if (out.some((g) => g.tokens.length !== newTokens)) throw new Error("bench: generation stopped early");
        const t1 = starts[1];
        if (t1 === undefined || starts.length !== newTokens) throw new Error(`bench: expected ${newTokens} forwards, saw ${starts.length}`);
        return { prefillMs: t1 - t0, decodeMs: t2 - t1 };
    } finally {
        delete (model as { forward?: unknown }).forward; // back to the prototype's method
    }
}
