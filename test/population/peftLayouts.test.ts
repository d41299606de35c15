// PEFT's other folder layouts load through loadAdapter: a named adapter's subfolder, keys that still carry the
// adapter name, a Trainer checkpoint-N folder; a pickle-only folder, a folder with several named adapters and a run
// folder holding only checkpoints are refused, naming what is there.
//
// Folders written by PEFT itself are tested in peftWritten.test.ts. The fixtures here are the golden qwen3-a adapter's
// bytes (written by
// tools/reference/model/make_golden.py with torch + safetensors) arranged in the layouts PEFT's source writes —
// src/peft/peft_model.py save_pretrained: `output_dir = os.path.join(save_directory, adapter_name) if adapter_name
// != "default" else save_directory`, files adapter_config.json + adapter_model.safetensors (adapter_model.bin with
// safe_serialization=False); src/peft/utils/save_and_load.py get_peft_model_state_dict strips the adapter name from
// keys (`lora_A.default.weight` -> `lora_A.weight`); the HF Trainer saves each checkpoint with save_pretrained into
// checkpoint-<global_step>/ next to optimizer.pt, scheduler.pt, rng_state.pth, trainer_state.json, training_args.bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { initEngine } from "../../src/engine/runtime.ts";
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors.ts";
import { inspectAdapter, loadAdapter } from "../../src/lora/peft.ts";
import { readModelConfig } from "../../src/model/config.ts";
import { ADAPTER_A, QWEN3_TINY, snapshot, tmpDir } from "../helpers/engineUtil.ts";

initEngine(2);
const qwen = readModelConfig(path.join(QWEN3_TINY, "config.json"));
const root = tmpDir("peft-layouts");

/** The golden adapter's two files copied into dir (created). */
function placeAdapter(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ["adapter_config.json", "adapter_model.safetensors"]) fs.copyFileSync(path.join(ADAPTER_A, f), path.join(dir, f));
    return dir;
}

function weightsOf(dir: string): Uint8Array[] {
    const a = loadAdapter(dir, qwen);
    try {
        return snapshot([...a.weights.values()].flatMap((p) => [p.A, p.B]));
    } finally {
        a.dispose();
    }
}

const reference = weightsOf(ADAPTER_A);

test("a named adapter (save_pretrained with adapter_name='meta_lora') loads from its parent folder or its subfolder", () => {
    const run = path.join(root, "named");
    placeAdapter(path.join(run, "meta_lora"));
    fs.writeFileSync(path.join(run, "README.md"), "model card written by PEFT next to the adapter folders\n");
    const ins = inspectAdapter(run, qwen);
    assert.equal(ins.folder.layout, "named");
    assert.equal(ins.folder.adapterName, "meta_lora");
    assert.equal(ins.folder.dir, path.join(run, "meta_lora"));
    const a = loadAdapter(run, qwen);
    assert.equal(a.name, "meta_lora");
    a.dispose();
    assert.deepEqual(weightsOf(run), reference);
    assert.deepEqual(weightsOf(path.join(run, "meta_lora")), reference);
});

test("keys that carry the adapter name (a raw state dict: ...lora_A.meta_lora.weight) load the same weights", () => {
    const dir = placeAdapter(path.join(root, "keyed", "meta_lora"));
    const file = path.join(dir, "adapter_model.safetensors");
    const { tensors, metadata } = readSafetensors(file);
    writeSafetensors(file, new Map([...tensors].map(([k, t]) => [k.replace(/\.lora_([AB])\.weight$/, ".lora_$1.meta_lora.weight"), t])), metadata);
    assert.ok([...readSafetensors(file).tensors.keys()].every((k) => k.includes(".meta_lora.weight")));
    assert.equal(inspectAdapter(dir, qwen).keyAdapterName, "meta_lora");
    assert.deepEqual(weightsOf(path.join(root, "keyed")), reference);
    // Two adapters' weights in one file are refused, naming both.
    const mixed = placeAdapter(path.join(root, "mixed"));
    const m = readSafetensors(path.join(mixed, "adapter_model.safetensors"));
    let i = 0;
    writeSafetensors(path.join(mixed, "adapter_model.safetensors"), new Map([...m.tensors].map(([k, t]) => [k.replace(/\.lora_([AB])\.weight$/, `.lora_$1.${i++ % 2 ? "a" : "b"}.weight`), t])), m.metadata);
    assert.throws(() => loadAdapter(mixed, qwen), /mixed\/adapter_model\.safetensors: .*(different adapter names \(a, b\)|has lora_[AB] missing)/);
});

test("a Trainer checkpoint-N folder loads; a run folder holding only checkpoints names them instead of guessing", () => {
    const run = path.join(root, "trainer-run");
    for (const step of [10, 20]) {
        const ck = placeAdapter(path.join(run, `checkpoint-${step}`));
        // What the Trainer writes beside the adapter (contents irrelevant here: never read).
        fs.writeFileSync(path.join(ck, "trainer_state.json"), JSON.stringify({ global_step: step }));
        for (const f of ["optimizer.pt", "scheduler.pt", "rng_state.pth", "training_args.bin"]) fs.writeFileSync(path.join(ck, f), "pickle bytes");
    }
    assert.deepEqual(weightsOf(path.join(run, "checkpoint-20")), reference);
    assert.throws(() => loadAdapter(run, qwen), (e: Error) => e.message.includes(run) && /2 Trainer checkpoint\(s\) \(checkpoint-10, checkpoint-20\)/.test(e.message) && e.message.includes(path.join(run, "checkpoint-20")));
    // A checkpoint of a named adapter: checkpoint-N/NAME/.
    placeAdapter(path.join(run, "checkpoint-30", "meta_lora"));
    assert.deepEqual(weightsOf(path.join(run, "checkpoint-30")), reference);
    // After trainer.save_model(run) the run folder holds the final adapter itself: that one loads.
    placeAdapter(run);
    assert.equal(inspectAdapter(run, qwen).folder.layout, "plain");
});

test("adapter_model.bin only (a pickle) is refused, saying to use safetensors", () => {
    const dir = placeAdapter(path.join(root, "pickle"));
    fs.renameSync(path.join(dir, "adapter_model.safetensors"), path.join(dir, "adapter_model.bin"));
    assert.throws(() => loadAdapter(dir, qwen), (e: Error) =>
        e.message.includes(path.join(dir, "adapter_model.bin")) && /pickle/.test(e.message) && /safe_serialization=True/.test(e.message) && /safetensors/.test(e.message));
    // Its named-adapter form too.
    const named = path.join(root, "pickle-named");
    fs.cpSync(dir, path.join(named, "meta_lora"), { recursive: true });
    assert.throws(() => inspectAdapter(named, qwen), /pickle-named\/meta_lora\/adapter_model\.bin: .*pickle/);
});

test("several named adapters: the parent is refused, listing them; each subfolder loads", () => {
    const run = path.join(root, "two");
    placeAdapter(path.join(run, "organism"));
    placeAdapter(path.join(run, "meta_lora"));
    assert.throws(() => loadAdapter(run, qwen), /two: holds 2 named PEFT adapters \(meta_lora, organism\)/);
    assert.deepEqual(weightsOf(path.join(run, "organism")), reference);
    // With the "default" adapter saved too, it sits in the parent folder itself and is what the parent means.
    placeAdapter(run);
    assert.equal(inspectAdapter(run, qwen).folder.adapterName, "default");
});

test("a named adapter made for another base is refused naming its file and the mismatch", () => {
    const run = path.join(root, "other-base");
    placeAdapter(path.join(run, "meta_lora"));
    const llama = readModelConfig(path.join(QWEN3_TINY, "..", "llama-tiny", "config.json"));
    assert.throws(() => loadAdapter(run, llama), (e: Error) => e.message.includes(path.join(run, "meta_lora", "adapter_model.safetensors")) && /another base/.test(e.message));
    assert.throws(() => loadAdapter(path.join(root, "nowhere"), qwen), /nowhere: adapter folder does not exist/);
});
