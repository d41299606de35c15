// Adapter folders written by PEFT itself (test/fixtures/peft, made by tools/reference/model/peft_layouts.py with
// torch, transformers and peft; versions in peft_layouts.json): a named adapter saved with save_pretrained
// (named/meta_lora/, as the released introspection adapters are) and a transformers Trainer checkpoint
// (run/checkpoint-2/). Each loads through loadAdapter from the folder a user would give, and the model with it attached
// computes PEFT's own logits.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { initEngine } from "../../src/engine/runtime.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { loadModel } from "../../src/model/weights.ts";
import { logitsOf, maxAbsDiff, QWEN3_TINY } from "../helpers/engineUtil.ts";

initEngine(2);
const FIX = path.resolve(import.meta.dirname, "../fixtures/peft");
const info = JSON.parse(fs.readFileSync(path.join(FIX, "peft_layouts.json"), "utf8")) as {
    written_by: { peft: string };
    sequence: number[];
    trainer_checkpoint_files: string[];
    logits: Record<string, number[]>;
};

/** Last-position logits of qwen3-tiny with the adapter in `dir` attached. */
function logitsWith(dir: string): number[] {
    const model = loadModel(QWEN3_TINY);
    try {
        const a = loadAdapter(dir, model.config);
        assert.equal(a.config.r, 4);
        assert.equal(a.scaling, 2);
        model.adapters.push(a);
        const all = logitsOf(model, [info.sequence]);
        const vocab = model.config.vocabSize;
        return all.slice(all.length - vocab);
    } finally {
        model.dispose();
    }
}

test("fixtures are PEFT's own files, in its layouts", () => {
    assert.match(info.written_by.peft, /^\d+\.\d+/);
    const cfg = JSON.parse(fs.readFileSync(path.join(FIX, "named", "meta_lora", "adapter_config.json"), "utf8")) as Record<string, unknown>;
    assert.equal(cfg.peft_type, "LORA");
    assert.equal(cfg.peft_version, info.written_by.peft);
    // The Trainer wrote its own state beside PEFT's files (kept: trainer_state.json).
    for (const f of ["adapter_model.safetensors", "optimizer.pt", "trainer_state.json"]) assert.ok(info.trainer_checkpoint_files.includes(f), f);
});

/** The base's own logits: an adapter must move them for agreement with PEFT to mean anything. */
function baseLogits(): number[] {
    const model = loadModel(QWEN3_TINY);
    try {
        const all = logitsOf(model, [info.sequence]);
        return all.slice(all.length - model.config.vocabSize);
    } finally {
        model.dispose();
    }
}

test("a named adapter loads from its parent or its subfolder and gives PEFT's logits", () => {
    const expected = info.logits["named/meta_lora"]!;
    assert.ok(maxAbsDiff(baseLogits(), expected) > 0.05, "the adapter moves the logits");
    for (const dir of [path.join(FIX, "named"), path.join(FIX, "named", "meta_lora")]) {
        const got = logitsWith(dir);
        assert.equal(got.length, expected.length);
        assert.ok(maxAbsDiff(got, expected) < 1e-4, `${dir}: max |Δ| ${maxAbsDiff(got, expected)}`);
    }
});

test("a Trainer checkpoint-N folder loads and gives PEFT's logits; its run folder names the checkpoint", () => {
    const expected = info.logits["run/checkpoint-2"]!;
    const got = logitsWith(path.join(FIX, "run", "checkpoint-2"));
    assert.ok(maxAbsDiff(got, expected) < 1e-4, `max |Δ| ${maxAbsDiff(got, expected)}`);
    const model = loadModel(QWEN3_TINY);
    try {
        assert.throws(() => loadAdapter(path.join(FIX, "run"), model.config), /checkpoint-2/);
    } finally {
        model.dispose();
    }
});
