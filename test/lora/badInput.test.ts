// Bad adapters and checkpoints fail with an Error naming the file and the problem, and leave no tensors alive:
// adapters for another base (shapes, layer count), missing lora_B, unsupported PEFT options, truncated files,
// unknown model_type, checkpoint tensors whose shape contradicts config.json, missing tensors.
// Every case works on a temp copy of the golden fixtures.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { initEngine, liveTensors, manualSeed } from "../../src/engine/runtime.ts";
import { readSafetensors, writeSafetensors, type RawTensor } from "../../src/io/safetensors.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { loadAdapter, saveAdapter } from "../../src/lora/peft.ts";
import { parseModelConfig, readModelConfig } from "../../src/model/config.ts";
import { loadModel } from "../../src/model/weights.ts";
import { ADAPTER_A, copyFixture, LLAMA_TINY, QWEN3_TINY, tmpDir } from "../helpers/engineUtil.ts";

initEngine(2);

const qwen = readModelConfig(path.join(QWEN3_TINY, "config.json"));
const qwenJson = JSON.parse(fs.readFileSync(path.join(QWEN3_TINY, "config.json"), "utf8")) as Record<string, unknown>;

/** Asserts fn throws an Error whose message contains `file` and matches `problem`, without leaking tensors. */
function failsClearly(fn: () => unknown, file: string, problem: RegExp): void {
    const before = liveTensors();
    let err: unknown;
    try {
        fn();
    } catch (e) {
        err = e;
    }
    assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
    assert.ok(err.message.includes(file), `message does not name ${file}: ${err.message}`);
    assert.match(err.message, problem);
    assert.equal(liveTensors(), before, `tensors leaked by the failed load: ${err.message}`);
}

function rewriteTensors(file: string, edit: (m: Map<string, RawTensor>) => void): void {
    const { tensors, metadata } = readSafetensors(file);
    edit(tensors);
    writeSafetensors(file, tensors, metadata);
}

function editJson(file: string, edit: (j: Record<string, unknown>) => void): void {
    const j = JSON.parse(fs.readFileSync(file, "utf8"));
    edit(j);
    fs.writeFileSync(file, JSON.stringify(j, null, 2));
}

/** Saves a fresh adapter with nonzero weights for a model config patched from qwen3-tiny's. */
function adapterForOtherBase(over: Record<string, unknown>, name: string): string {
    manualSeed(1);
    const other = parseModelConfig({ ...qwenJson, ...over });
    const ad = LoraAdapter.create(name, other, { r: 4, alpha: 8 });
    const dir = path.join(tmpDir(name), name);
    saveAdapter(ad, dir);
    ad.dispose();
    return dir;
}

test("an adapter made for a base with another hidden size: shape error naming the file", () => {
    const dir = adapterForOtherBase({ hidden_size: 48 }, "hidden48");
    const file = path.join(dir, "adapter_model.safetensors");
    failsClearly(() => loadAdapter(dir, qwen), file, /model\.layers\.0\.\S+ has lora_A \[4,\d+\] \/ lora_B \[48,4\], but r=4 on this model needs \[4,\d+\] \/ \[32,4\] \(adapter made for another base\?\)/);
});

test("the qwen3 fixture adapter on the llama fixture model: shape error naming the file", () => {
    const llama = readModelConfig(path.join(LLAMA_TINY, "config.json"));
    failsClearly(() => loadAdapter(ADAPTER_A, llama), path.join(ADAPTER_A, "adapter_model.safetensors"), /another base/);
});

test("an adapter with a layer index beyond the model: names the key and both layer counts", () => {
    const dir = adapterForOtherBase({ num_hidden_layers: 3 }, "layers3");
    failsClearly(() => loadAdapter(dir, qwen), path.join(dir, "adapter_model.safetensors"),
        /base_model\.model\.model\.layers\.2\.\S+ targets layer 2 but the model has 2 layers/);
});

test("an adapter with a lora_B missing", () => {
    const dir = copyFixture(ADAPTER_A, "noB");
    const file = path.join(dir, "adapter_model.safetensors");
    rewriteTensors(file, (m) => m.delete("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight"));
    failsClearly(() => loadAdapter(dir, qwen), file, /model\.layers\.1\.mlp\.up_proj has lora_B missing/);
});

test("an adapter whose rank disagrees with adapter_config.json r", () => {
    const dir = copyFixture(ADAPTER_A, "rank");
    editJson(path.join(dir, "adapter_config.json"), (j) => { j.r = 8; });
    failsClearly(() => loadAdapter(dir, qwen), path.join(dir, "adapter_model.safetensors"), /has lora_A \[4,\d+\] \/ lora_B \[\d+,4\], but r=8 on this model needs \[8,\d+\] \/ \[\d+,8\]/);
});

test("unsupported adapter_config.json settings: peft_type, DoRA, fan_in_fan_out, unknown target, bad r", () => {
    const cases: [(j: Record<string, unknown>) => void, RegExp][] = [
        [(j) => { j.peft_type = "IA3"; }, /peft_type "IA3" is not supported \(only LORA\)/],
        [(j) => { j.use_dora = true; }, /DoRA adapters are not supported/],
        [(j) => { j.fan_in_fan_out = true; }, /fan_in_fan_out/],
        [(j) => { j.target_modules = ["q_proj", "lm_head"]; }, /target module "lm_head" is not supported/],
        [(j) => { j.r = 0; }, /"r" must be a positive integer, got 0/],
        [(j) => { j.rank_pattern = { q_proj: 8 }; }, /"rank_pattern" \(per-module ranks\) is not supported/],
    ];
    for (const [edit, problem] of cases) {
        const dir = copyFixture(ADAPTER_A, "cfg");
        const file = path.join(dir, "adapter_config.json");
        editJson(file, edit);
        failsClearly(() => loadAdapter(dir, qwen), file, problem);
    }
});

test("adapter weights outside target_modules, or keys that are not LoRA A/B weights", () => {
    let dir = copyFixture(ADAPTER_A, "targets");
    editJson(path.join(dir, "adapter_config.json"), (j) => { j.target_modules = ["q_proj", "v_proj"]; });
    failsClearly(() => loadAdapter(dir, qwen), path.join(dir, "adapter_model.safetensors"), /is not in target_modules of adapter_config\.json/);
    dir = copyFixture(ADAPTER_A, "extra");
    const file = path.join(dir, "adapter_model.safetensors");
    rewriteTensors(file, (m) => m.set("base_model.model.lm_head.weight", { dtype: "F32", shape: [1], data: new Uint8Array(4) }));
    failsClearly(() => loadAdapter(dir, qwen), file, /unexpected tensor base_model\.model\.lm_head\.weight/);
});

/** An adapter copy whose layer-1 v_proj lora_B is stored as I32 (late in the file: earlier pairs load first). */
function intAdapter(): { dir: string; file: string } {
    const dir = copyFixture(ADAPTER_A, "int");
    const file = path.join(dir, "adapter_model.safetensors");
    const key = "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight";
    rewriteTensors(file, (m) => {
        const t = m.get(key)!;
        m.set(key, { dtype: "I32", shape: t.shape, data: t.data });
    });
    return { dir, file };
}
const INT_PROBLEM = /model\.layers\.1\.self_attn\.v_proj\.lora_B: dtype I32 is not a floating-point weight type/;

test("an integer tensor where a LoRA weight belongs", () => {
    const { dir, file } = intAdapter();
    assert.throws(() => loadAdapter(dir, qwen), (e: Error) => e.message.includes(file) && INT_PROBLEM.test(e.message));
});

test("an integer lora_B leaves no tensors behind", {
}, () => {
    const { dir, file } = intAdapter();
    failsClearly(() => loadAdapter(dir, qwen), file, INT_PROBLEM);
});

test("a missing or unreadable adapter folder names the file", () => {
    const dir = copyFixture(ADAPTER_A, "missing");
    fs.rmSync(path.join(dir, "adapter_model.safetensors"));
    failsClearly(() => loadAdapter(dir, qwen), path.join(dir, "adapter_model.safetensors"), /missing/);
    fs.writeFileSync(path.join(dir, "adapter_config.json"), "{ not json");
    failsClearly(() => loadAdapter(dir, qwen), path.join(dir, "adapter_config.json"), /cannot read adapter config/);
});

test("a truncated adapter_model.safetensors", () => {
    const dir = copyFixture(ADAPTER_A, "trunc");
    const file = path.join(dir, "adapter_model.safetensors");
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size / 2));
    failsClearly(() => loadAdapter(dir, qwen), file, /truncated/);
    // Cut inside the header too.
    fs.truncateSync(file, 40);
    failsClearly(() => loadAdapter(dir, qwen), file, /(truncated|past the end)/);
    fs.writeFileSync(file, "");
    failsClearly(() => loadAdapter(dir, qwen), file, /not a safetensors file/);
});

test("config.json with an unknown model_type", () => {
    const dir = copyFixture(QWEN3_TINY, "mtype");
    const file = path.join(dir, "config.json");
    editJson(file, (j) => { j.model_type = "mistral"; });
    failsClearly(() => loadModel(dir), file, /unsupported model_type "mistral" \(supported: "qwen3", "llama"\)/);
    editJson(file, (j) => { j.model_type = "qwen3"; j.num_key_value_heads = 3; });
    failsClearly(() => loadModel(dir), file, /num_attention_heads \(4\) is not a multiple of num_key_value_heads \(3\)/);
});

test("a checkpoint tensor whose shape does not match config.json", () => {
    const dir = copyFixture(QWEN3_TINY, "shape");
    const file = path.join(dir, "model.safetensors");
    rewriteTensors(file, (m) => {
        const t = m.get("model.layers.1.mlp.up_proj.weight")!;
        m.set("model.layers.1.mlp.up_proj.weight", { ...t, shape: [t.shape[1]!, t.shape[0]!] });
    });
    failsClearly(() => loadModel(dir), file, /tensor model\.layers\.1\.mlp\.up_proj\.weight has shape \[32,64\] but config\.json implies \[64,32\]/);
    // The other way round: config.json edited, weights unchanged.
    const dir2 = copyFixture(QWEN3_TINY, "shape2");
    editJson(path.join(dir2, "config.json"), (j) => { j.intermediate_size = 80; });
    failsClearly(() => loadModel(dir2), path.join(dir2, "model.safetensors"), /has shape \[64,32\] but config\.json implies \[80,32\]/);
});

test("a checkpoint missing a tensor", () => {
    const dir = copyFixture(QWEN3_TINY, "missing-tensor");
    rewriteTensors(path.join(dir, "model.safetensors"), (m) => m.delete("model.norm.weight"));
    failsClearly(() => loadModel(dir), dir, /checkpoint does not match config\.json: 1 missing tensor\(s\), e\.g\. model\.norm\.weight/);
    // Untied config on tied weights: lm_head.weight is required and absent.
    const dir2 = copyFixture(QWEN3_TINY, "untied");
    editJson(path.join(dir2, "config.json"), (j) => { j.tie_word_embeddings = false; });
    failsClearly(() => loadModel(dir2), dir2, /missing tensor\(s\), e\.g\. lm_head\.weight/);
});

test("a checkpoint folder without weights, or with a corrupt model.safetensors", () => {
    const dir = copyFixture(QWEN3_TINY, "noweights");
    const file = path.join(dir, "model.safetensors");
    fs.truncateSync(file, Math.floor(fs.statSync(file).size * 0.9));
    failsClearly(() => loadModel(dir), file, /truncated/);
    fs.rmSync(file);
    failsClearly(() => loadModel(dir), dir, /no model\.safetensors or model\.safetensors\.index\.json/);
});
