// Log-probs of tiny random Qwen3 and Llama checkpoints (and stacked PEFT adapters) against golden values from
// an independent float64 PyTorch re-implementation of HF transformers (tools/reference/model, see
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
    const model = loadModel(path.join(dir, golden.models[c.model]));
    for (const a of c.adapters) {
        const adapter = loadAdapter(path.join(dir, golden.adapters[a.name]), model.config);
        adapter.scale = a.scale;
        model.adapters.push(adapter);
    }
    return model;
}

for (const [name, c] of Object.entries(golden.cases as Record<string, Case>)) {
    test(`log-probs match the reference: ${name}`, () => {
        const model = setup(c);
        (golden.sequences as number[][]).forEach((seq, i) => {
            const want = c.results[i]!;
            const got = tokenLogprobs(model, seq);
            assert.ok(maxAbsDiff(got, want.logprobs) < 1e-4, `${name} seq ${i}: logprobs differ by ${maxAbsDiff(got, want.logprobs)}`);
            const logits = noGrad(() => tidy(() => model.forward({ ids: tensor(seq, [1, seq.length], { dtype: "int64" }), lastOnly: true }).flatten().toNumbers()));
            assert.ok(maxAbsDiff(logits, want.final_logits) < 1e-4, `${name} seq ${i}: final logits differ by ${maxAbsDiff(logits, want.final_logits)}`);
        });
        model.dispose();
    });
}
