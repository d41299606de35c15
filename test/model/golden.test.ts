// Log-probs of tiny random Qwen3 and Llama checkpoints (and stacked PEFT adapters) against two references: an
// independent float64 PyTorch re-implementation of HF transformers (golden.json, tools/reference/model/make_golden.py)
// and Hugging Face transformers + PEFT themselves (hf_golden.json, tools/reference/model/hf_golden.py; see
// test/fixtures/golden/README.md). Tolerance 1e-4 in fp32.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadModel } from "../../src/model/weights.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { tokenLogprobs } from "../../src/sample/logprobs.ts";
import { initEngine, noGrad } from "../../src/engine/runtime.ts";
import { tensor } from "../../src/engine/factory.ts";
import { tidy } from "../../src/engine/scope.ts";

const dir = path.resolve(import.meta.dirname, "../fixtures/golden");
const golden = JSON.parse(fs.readFileSync(path.join(dir, "golden.json"), "utf8"));
const hfGolden = JSON.parse(fs.readFileSync(path.join(dir, "hf_golden.json"), "utf8"));
const REFERENCES = [
    { label: "the reference", values: golden },
    { label: `transformers ${hfGolden.transformers_version} + peft ${hfGolden.peft_version}`, values: hfGolden },
];
// IA_TEST_DEVICE=cuda runs the same checks on a GPU build of the addon (float32; CI has no GPU and uses the CPU).
const DEVICE = process.env.IA_TEST_DEVICE ?? "cpu";
initEngine(2);

interface Case { model: "qwen3" | "llama"; adapters: { name: string; scale: number }[]; results: { logprobs: (number | null)[]; final_logits: number[] }[] }

function maxAbsDiff(a: readonly (number | null)[], b: readonly (number | null)[]): number {
    assert.equal(a.length, b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) {
        if (a[i] === null || b[i] === null) { assert.equal(a[i], b[i]); continue; }
        m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
    }
    return m;
}

function setup(c: Case) {
    const model = loadModel(path.join(dir, golden.models[c.model]), { device: DEVICE, dtype: "float32" });
    for (const a of c.adapters) {
        const adapter = loadAdapter(path.join(dir, golden.adapters[a.name]), model.config, { device: DEVICE });
        adapter.scale = a.scale;
        model.adapters.push(adapter);
    }
    return model;
}

// Model and adapter folders (and case definitions) come from golden.json; the values from each reference.
const caseFor = (key: string): Case => (golden.cases as Record<string, Case>)[key]!;

for (const { label, values: ref } of REFERENCES) {
    for (const [name, c] of Object.entries(ref.cases as Record<string, Case>)) {
        test(`log-probs match ${label}: ${name}`, () => {
            const model = setup(c);
            (ref.sequences as number[][]).forEach((seq, i) => {
                const want = c.results[i]!;
                const got = tokenLogprobs(model, seq);
                assert.ok(maxAbsDiff(got, want.logprobs) < 1e-4, `${name} seq ${i}: logprobs differ by ${maxAbsDiff(got, want.logprobs)}`);
                const logits = noGrad(() => tidy(() => model.forward({ ids: tensor(seq, [1, seq.length], { dtype: "int64", device: DEVICE }), lastOnly: true }).flatten().toNumbers()));
                assert.ok(maxAbsDiff(logits, want.final_logits) < 1e-4, `${name} seq ${i}: final logits differ by ${maxAbsDiff(logits, want.final_logits)}`);
            });
            model.dispose();
        });
    }


    for (const side of ["left", "right"] as const) {
        test(`padded batch (${side} padding) matches ${label}`, () => {
            const pb = ref.padded_batch[side];
            const ids: number[][] = pb.input_ids, mask: number[][] = pb.attention_mask;
            const b = ids.length, t = ids[0]!.length;
            for (const [key, rows] of Object.entries(pb.rows as Record<string, { position: number; final_logits: number[] }[]>)) {
                const model = setup(caseFor(key));
                const positions = mask.flatMap((m) => { let c = -1; return m.map((v) => Math.max(0, (c += v))); });
                const logits = noGrad(() => tidy(() => model.forward({
                    ids: tensor(ids.flat(), [b, t], { dtype: "int64", device: DEVICE }),
                    attentionMask: tensor(mask.flat(), [b, t], { dtype: "int64", device: DEVICE }),
                    positions: tensor(positions, [b, t], { dtype: "int64", device: DEVICE }),
                }).toNumbers()));
                const v = model.config.vocabSize;
                rows.forEach((row, r) => {
                    const got = logits.slice((r * t + row.position) * v, (r * t + row.position + 1) * v);
                    assert.ok(maxAbsDiff(got, row.final_logits) < 1e-4, `${key} ${side} row ${r}: ${maxAbsDiff(got, row.final_logits)}`);
                });
                model.dispose();
            }
        });
    }

    test(`KV-cache greedy generation equals the greedy continuation of ${label}`, async () => {
        const { generate } = await import("../../src/sample/generate.ts");
        const g = ref.greedy;
        for (const key of ["qwen3_base", "qwen3_a"]) {
            const model = setup(caseFor(key));
            const [out] = generate(model, [g.prompt], { temperature: 0, maxNewTokens: g.max_new_tokens });
            assert.deepEqual(out!.tokens, g[key].tokens, key);
            model.dispose();
        }
    });
}
