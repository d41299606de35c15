/**
 * Times greedy generation with the KV cache through the project's own generate() (src/sample/generate.ts):
 * random prompts of equal length (no padding), no stop tokens, so every row makes all its tokens.
 * Counts decode tokens only: batch × (newTokens − 1), the tokens made by the decode steps, over the time from the
 * start of the first decode forward to the end of generate(); the first token comes from the prefill, which is
 * timed separately. That is the same split as bench/torch/lora_step.py's time_generate.
 */
import type { ForwardInput } from "../../src/model/transformer.ts";
import type { Transformer } from "../../src/model/transformer.ts";
import { generate } from "../../src/sample/generate.ts";
import { Rng } from "../../src/util/rng.ts";
import { median } from "./trainStep.ts";

export interface GenTimingOptions {
    batch: number;
    /** Prompt tokens per row. */
    promptLen: number;
    /** Tokens generated per row (the first from the prefill). */
    newTokens: number;
    /** Timed repetitions after one untimed one. */
    reps: number;
    /** Seed for the prompts. Default 0. */
    seed?: number;
}

export interface GenTiming {
    batch: number;
    promptLen: number;
    newTokens: number;
    reps: number;
    decodeTokensPerSecBest: number;
    decodeTokensPerSecMedian: number;
    prefillMsMedian: number;
}

export function timeGeneration(model: Transformer, o: GenTimingOptions): GenTiming {
    const rng = new Rng(`gen-${o.seed ?? 0}-${o.batch}`);
    const prompts = Array.from({ length: o.batch }, () => Array.from({ length: o.promptLen }, () => rng.int(model.config.vocabSize)));
    // Instance-level wrapper: notes when each forward starts, so prefill and decode can be told apart.
    const starts: number[] = [];
    const original = model.forward;
    model.forward = (input: ForwardInput) => {
        starts.push(performance.now());
        return original.call(model, input);
    };
    const decode: number[] = [], prefill: number[] = [];
    try {
        for (let rep = 0; rep < o.reps + 1; rep++) {
            starts.length = 0;
            const t0 = performance.now();
            const out = generate(model, prompts, { temperature: 0, maxNewTokens: o.newTokens, maxBatch: o.batch });
            const t2 = performance.now();
            if (out.some((g) => g.tokens.length !== o.newTokens)) throw new Error("bench: generation stopped early");
            const t1 = starts[1];
            if (t1 === undefined || starts.length !== o.newTokens) throw new Error(`bench: expected ${o.newTokens} forwards, saw ${starts.length}`);
            if (rep === 0) continue;
            prefill.push(t1 - t0);
            decode.push(t2 - t1);
        }
    } finally {
        delete (model as { forward?: unknown }).forward; // back to the prototype's method
    }
    const n = o.batch * (o.newTokens - 1);
    return {
        batch: o.batch,
        promptLen: o.promptLen,
        newTokens: o.newTokens,
        reps: o.reps,
        decodeTokensPerSecBest: (n * 1000) / Math.min(...decode),
        decodeTokensPerSecMedian: (n * 1000) / median(decode),
        prefillMsMedian: median(prefill),
    };
}
