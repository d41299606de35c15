// Generation with the KV cache against full recompute, on random tiny models (Qwen3-style with GQA + qk-norm,
// and Llama-style with attention biases and llama3 RoPE scaling): per-step logits of a left-padded batch equal
// a full re-forward, greedy generate() equals greedy decoding of each prompt alone without a cache, seeded
// sampling is reproducible, top-p -> 0 is greedy, stop tokens end only their row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/engine/factory.ts";
import { initEngine, liveTensors, manualSeed, noGrad } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import { parseModelConfig, type ModelConfig } from "../../src/model/config.ts";
import { KvCache } from "../../src/model/kvCache.ts";
import type { Transformer } from "../../src/model/transformer.ts";
import { initModel } from "../../src/model/weights.ts";
import { generate } from "../../src/sample/generate.ts";
import { maxAbsDiff, tinyQwen3Config } from "../helpers/engineUtil.ts";

initEngine(2);

const PROMPTS = [[7, 3, 11], [1, 30, 2, 9, 44, 5, 21], [12, 8, 40, 6, 33]];
const MAX_NEW = 8;

const llamaConfig = (): ModelConfig => parseModelConfig({
    model_type: "llama", vocab_size: 48, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 3,
    num_attention_heads: 4, num_key_value_heads: 1, rms_norm_eps: 1e-5, rope_theta: 500000, attention_bias: true,
    max_position_embeddings: 64, tie_word_embeddings: false,
    rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 },
}, "llamaConfig");

const MODELS: [string, () => ModelConfig][] = [
    ["qwen3-style", () => tinyQwen3Config({ num_hidden_layers: 3 })],
    ["llama-style", llamaConfig],
];

function makeModel(cfg: () => ModelConfig, seed: number): Transformer {
    manualSeed(seed);
    // std 0.3 gives peaked logits, so greedy choices are not decided by float rounding.
    return initModel(cfg(), { std: 0.3 });
}

/** Last-position logits of each prompt alone, no cache, no padding. */
function lastLogits(model: Transformer, ids: number[]): number[] {
    return noGrad(() => tidy(() => model.forward({ ids: tensor(ids, [1, ids.length], { dtype: "int64" }), lastOnly: true }).toNumbers()));
}

const argmax = (v: number[]): number => v.reduce((best, x, i) => (x > (v[best] as number) ? i : best), 0);
const margin = (v: number[]): number => {
    const s = [...v].sort((a, b) => b - a);
    return (s[0] as number) - (s[1] as number);
};

/** Greedy decoding of one prompt by full re-forward at every step; also returns the smallest top-1/top-2 margin. */
function greedyNoCache(model: Transformer, prompt: number[], n: number): { tokens: number[]; minMargin: number } {
    const seq = [...prompt];
    let minMargin = Infinity;
    for (let i = 0; i < n; i++) {
        const l = lastLogits(model, seq);
        minMargin = Math.min(minMargin, margin(l));
        seq.push(argmax(l));
    }
    return { tokens: seq.slice(prompt.length), minMargin };
}

for (const [label, cfg] of MODELS) {
    test(`${label}: KV-cache step logits of a left-padded batch equal a full re-forward`, () => {
        const model = makeModel(cfg, 21);
        const b = PROMPTS.length, len = Math.max(...PROMPTS.map((p) => p.length));
        const rows = PROMPTS.map((p) => [...new Array<number>(len - p.length).fill(0), ...p]);
        const mask = PROMPTS.map((p) => [...new Array<number>(len - p.length).fill(0), ...new Array<number>(p.length).fill(1)]);
        const posOf = (m: number[][]) => m.flatMap((r) => { let c = -1; return r.map((v) => Math.max(0, (c += v))); });
        const cache = new KvCache(model.config, b, len + MAX_NEW, "cpu", "float32");
        let worst = 0;
        noGrad(() => {
            let step = tidy(() => model.forward({
                ids: tensor(rows.flat(), [b, len], { dtype: "int64" }),
                attentionMask: tensor(mask.flat(), [b, len], { dtype: "int64" }),
                positions: tensor(posOf(mask), [b, len], { dtype: "int64" }),
                cache,
                lastOnly: true,
            }).toNumbers());
            for (let s = 0; s < MAX_NEW; s++) {
                const t = rows[0]!.length;
                // Full recompute over everything so far (no cache) at the last position.
                const full = tidy(() => model.forward({
                    ids: tensor(rows.flat(), [b, t], { dtype: "int64" }),
                    attentionMask: tensor(mask.flat(), [b, t], { dtype: "int64" }),
                    positions: tensor(posOf(mask), [b, t], { dtype: "int64" }),
                    lastOnly: true,
                }).toNumbers());
                worst = Math.max(worst, maxAbsDiff(step, full));
                // Each padded row also equals its prompt run alone (padding is invisible).
                rows.forEach((r, i) => {
                    const alone = lastLogits(model, r.slice(len - PROMPTS[i]!.length));
                    worst = Math.max(worst, maxAbsDiff(step.slice(i * model.config.vocabSize, (i + 1) * model.config.vocabSize), alone));
                });
                const v = model.config.vocabSize;
                const next = rows.map((_, i) => argmax(step.slice(i * v, (i + 1) * v)));
                rows.forEach((r, i) => r.push(next[i]!));
                mask.forEach((m) => m.push(1));
                const positions = mask.map((m) => m.reduce((a, c) => a + c, 0) - 1);
                step = tidy(() => model.forward({
                    ids: tensor(next, [b, 1], { dtype: "int64" }),
                    attentionMask: tensor(mask.flat(), [b, mask[0]!.length], { dtype: "int64" }),
                    positions: tensor(positions, [b, 1], { dtype: "int64" }),
                    cache,
                }).toNumbers());
            }
        });
        assert.equal(cache.length, len + MAX_NEW);
        assert.ok(worst < 1e-4, `cache vs full recompute: max |diff| ${worst}`);
        assert.throws(() => noGrad(() => tidy(() => model.forward({ ids: tensor([1, 2, 3], [3, 1], { dtype: "int64" }), cache }))), /KV cache full/);
        cache.dispose();
        model.dispose();
    });

    test(`${label}: greedy generate() on a left-padded batch of 3 equals greedy full re-forward of each prompt`, () => {
        const model = makeModel(cfg, 22);
        lastLogits(model, PROMPTS[0]!); // builds the RoPE tables (kept for the model's lifetime)
        const before = liveTensors();
        const out = generate(model, PROMPTS, { temperature: 0, maxNewTokens: MAX_NEW });
        assert.equal(liveTensors(), before, "generate leaked tensors");
        PROMPTS.forEach((p, i) => {
            const ref = greedyNoCache(model, p, MAX_NEW);
            assert.ok(ref.minMargin > 1e-3, `test setup: prompt ${i} has a near-tie (${ref.minMargin}); pick another seed`);
            assert.deepEqual(out[i]!.tokens, ref.tokens, `prompt ${i}`);
            assert.equal(out[i]!.finishReason, "length");
        });
        // Splitting the batch (other padding per sub-batch) and equal-length batches (no padding) agree.
        assert.deepEqual(generate(model, PROMPTS, { temperature: 0, maxNewTokens: MAX_NEW, maxBatch: 2 }), out);
        assert.deepEqual(generate(model, [PROMPTS[1]!, PROMPTS[1]!], { temperature: 0, maxNewTokens: MAX_NEW }), [out[1], out[1]]);
        model.dispose();
    });
}

test("seeded sampling is reproducible; another seed differs; topP -> 0 equals greedy", () => {
    const model = makeModel(MODELS[0]![1], 23);
    const o = { temperature: 1, maxNewTokens: MAX_NEW };
    const a = generate(model, PROMPTS, { ...o, seed: 5 });
    const b = generate(model, PROMPTS, { ...o, seed: 5 });
    assert.deepEqual(a, b, "same seed, different samples");
    const c = generate(model, PROMPTS, { ...o, seed: 6 });
    assert.notDeepEqual(a.map((g) => g.tokens), c.map((g) => g.tokens), "seed has no effect");
    const greedy = generate(model, PROMPTS, { temperature: 0, maxNewTokens: MAX_NEW });
    assert.notDeepEqual(a.map((g) => g.tokens), greedy.map((g) => g.tokens), "temperature 1 sampled exactly the greedy tokens (vacuous)");
    for (const seed of [1, 2, 3]) {
        assert.deepEqual(generate(model, PROMPTS, { ...o, topP: 1e-6, seed }), greedy, `topP 1e-6, seed ${seed}`);
    }
    // Reproducible top-p (0.9) too, and every sampled token stays inside the vocabulary.
    const p1 = generate(model, PROMPTS, { ...o, topP: 0.9, seed: 8 });
    assert.deepEqual(generate(model, PROMPTS, { ...o, topP: 0.9, seed: 8 }), p1);
    for (const g of p1) for (const t of g.tokens) assert.ok(t >= 0 && t < model.config.vocabSize);
    model.dispose();
});

test("a stop token ends only its row and is not included in the output", () => {
    const model = makeModel(MODELS[0]![1], 22);
    const greedy = generate(model, PROMPTS, { temperature: 0, maxNewTokens: MAX_NEW });
    const stop = greedy[0]!.tokens[2]!;
    const stopped = generate(model, PROMPTS, { temperature: 0, maxNewTokens: MAX_NEW, stopTokenIds: [stop] });
    greedy.forEach((g, i) => {
        const at = g.tokens.indexOf(stop);
        const want = at < 0 ? g : { tokens: g.tokens.slice(0, at), finishReason: "stop" };
        assert.deepEqual(stopped[i], want, `row ${i}`);
    });
    assert.equal(stopped[0]!.finishReason, "stop");
    assert.throws(() => generate(model, [[1], []]), /generate: empty prompt/);
    model.dispose();
});
