// Stacked LoRA adapters on the tiny Qwen3 fixture: only the trainable adapter learns (frozen adapter and base
// stay bit-identical through training), merging equals stacking and unmerging restores, PEFT save/load round
// trips (keys, tensors, adapter_config.json), the user scale and rsLoRA scaling are applied as documented.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { randn } from "../../src/engine/factory.ts";
import { initEngine, liveTensors, manualSeed, noGrad } from "../../src/engine/runtime.ts";
import { keep, tidy } from "../../src/engine/scope.ts";
import { readSafetensors, readSafetensorsHeader } from "../../src/io/safetensors.ts";
import { LoraAdapter, type LoraConfig, type LoraPair } from "../../src/lora/adapter.ts";
import { LoraBank } from "../../src/lora/bank.ts";
import { mergeAdapter, unmergeAdapter } from "../../src/lora/merge.ts";
import { loadAdapter, saveAdapter } from "../../src/lora/peft.ts";
import { loadModel } from "../../src/model/weights.ts";
import { collate } from "../../src/train/batch.ts";
import { runTrainLoop } from "../../src/train/loop.ts";
import { summedTokenLoss } from "../../src/train/loss.ts";
import { loraTrainable } from "../../src/train/trainables.ts";
import { ADAPTER_A, ADAPTER_B, bytesEqual, logitsOf, maxAbs, maxAbsDiff, QWEN3_TINY, snapshot, tmpDir } from "../helpers/engineUtil.ts";

initEngine(2);

const SEQS = [[5, 17, 3, 99, 42, 8, 61, 7], [1, 2, 3, 4, 5, 6, 7, 8]];
const EXAMPLES = [
    { ids: [5, 17, 3, 99, 42, 8, 61, 7, 12], targetMask: [0, 0, 0, 0, 1, 1, 1, 1, 1] },
    { ids: [9, 8, 7, 6, 5], targetMask: [0, 0, 1, 1, 1] },
];

/** A copy of an adapter's weights (new tensors) with B multiplied by `bMul`, under another config. */
function cloneAdapter(src: LoraAdapter, name: string, cfg: Partial<LoraConfig> = {}, bMul = 1): LoraAdapter {
    const weights = new Map<string, LoraPair>();
    noGrad(() => {
        for (const [mod, { A, B }] of src.weights) weights.set(mod, { A: keep(A.clone()), B: keep(tidy(() => B.mul(bMul))) });
    });
    return new LoraAdapter(name, { ...src.config, ...cfg }, weights);
}

/** Random nonzero B for a freshly created adapter (PEFT init has B = 0, which would make every check trivial). */
function randomizeB(adapter: LoraAdapter, std = 0.1): void {
    noGrad(() => {
        for (const { B } of adapter.weights.values()) tidy(() => B.copy_(randn(B.shape).mul(std)));
    });
}

test("only the trainable adapter gets gradients; frozen adapter and base stay bit-identical through training", () => {
    manualSeed(11);
    const model = loadModel(QWEN3_TINY);
    const frozen = loadAdapter(ADAPTER_A, model.config);
    frozen.setTrainable(true); // loraTrainable must freeze every other adapter
    const ia = LoraAdapter.create("ia", model.config, { r: 4, alpha: 8, dropout: 0.05 });
    model.adapters.push(frozen, ia);
    const trainable = loraTrainable(model, ia);
    assert.equal(frozen.trainable, false);
    assert.deepEqual(trainable.params, ia.parameters());

    model.training = true;
    tidy(() => {
        const b = collate(EXAMPLES, 0);
        summedTokenLoss(model.forward({ ids: b.ids }), b.labels).backward();
    });
    model.training = false;
    for (const [mod, { A, B }] of ia.weights) {
        const gA = A.grad, gB = B.grad;
        assert.ok(gA && gB, `${mod}: trainable adapter has no gradient`);
        // B starts at zero, so dL/dA = scaling * B^T (...) is exactly zero and dL/dB is not.
        assert.equal(maxAbs(gA.toFloat32Array()), 0, `${mod}: grad of A should be 0 while B = 0`);
        assert.ok(maxAbs(gB.toFloat32Array()) > 0, `${mod}: grad of B is zero`);
        gA.dispose();
        gB.dispose();
    }
    for (const p of frozen.parameters()) {
        assert.equal(p.requiresGrad, false);
        assert.equal(p.grad, null, "frozen adapter tensor has a gradient");
    }
    for (const [name, p] of model.params) {
        assert.equal(p.requiresGrad, false, `${name} requires grad`);
        assert.equal(p.grad, null, `${name} has a gradient`);
    }
    noGrad(() => { for (const p of ia.parameters()) tidy(() => p.grad?.zero_()); });

    const baseBefore = snapshot(model.params.values());
    const frozenBefore = snapshot(frozen.parameters());
    const iaBefore = snapshot(ia.parameters());
    runTrainLoop(model, trainable, () => [{ batch: () => collate(EXAMPLES, 0) }], {
        totalSteps: 4,
        schedule: { lr: 1e-2 },
        checkpointEvery: 0,
        outDir: tmpDir("stack-train"),
        label: "stack",
        flopsPerToken: 1,
        quiet: true,
    });
    assert.ok(bytesEqual(snapshot(model.params.values()), baseBefore), "base weights changed during LoRA training");
    assert.ok(bytesEqual(snapshot(frozen.parameters()), frozenBefore), "frozen adapter changed during training");
    assert.ok(!bytesEqual(snapshot(ia.parameters()), iaBefore), "the trainable adapter did not change");
    for (const p of [...frozen.parameters(), ...model.params.values()]) assert.equal(p.grad, null);
    frozen.dispose();
    ia.dispose();
    model.dispose();
});

test("merged adapters equal stacked ones (1e-5), and unmerging restores the base", () => {
    const model = loadModel(QWEN3_TINY);
    const base = logitsOf(model, SEQS);
    const weightsBefore = [...model.params.values()].map((t) => t.toFloat32Array());
    const a = loadAdapter(ADAPTER_A, model.config);
    const b = loadAdapter(ADAPTER_B, model.config);
    b.scale = 0.5;
    model.adapters.push(a, b);
    const stacked = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(stacked, base) > 1e-2, "adapters make no difference: the comparison would be vacuous");

    mergeAdapter(model, a);
    assert.deepEqual(model.adapters, [b], "merge must detach the merged adapter");
    const halfMerged = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(halfMerged, stacked) < 1e-5, `a merged + b stacked vs both stacked: ${maxAbsDiff(halfMerged, stacked)}`);
    mergeAdapter(model, b);
    assert.equal(model.adapters.length, 0);
    const merged = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(merged, stacked) < 1e-5, `merged vs stacked: ${maxAbsDiff(merged, stacked)}`);

    unmergeAdapter(model, b);
    unmergeAdapter(model, a);
    const restored = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(restored, base) < 1e-5, `unmerged vs base: ${maxAbsDiff(restored, base)}`);
    [...model.params.values()].forEach((t, i) => {
        assert.ok(maxAbsDiff(t.toFloat32Array(), weightsBefore[i] as Float32Array) < 1e-6, "unmerge did not restore the weights");
    });
    // Untargeted weights are never touched.
    for (const name of ["model.embed_tokens.weight", "model.norm.weight", "model.layers.0.input_layernorm.weight"]) {
        const i = [...model.params.keys()].indexOf(name);
        assert.deepEqual(model.params.get(name)!.toFloat32Array(), weightsBefore[i]);
    }
    a.dispose();
    b.dispose();
    model.dispose();
});

test("PEFT save -> load round trip: identical tensors, PEFT key names, adapter_config.json fields", () => {
    const model = loadModel(QWEN3_TINY);
    const dir = tmpDir("peft-rt");
    const a = loadAdapter(ADAPTER_A, model.config);
    saveAdapter(a, path.join(dir, "a"));
    // Byte-identical tensors and the same key set as the PEFT-written fixture.
    const fixture = readSafetensors(path.join(ADAPTER_A, "adapter_model.safetensors")).tensors;
    const saved = readSafetensors(path.join(dir, "a", "adapter_model.safetensors"));
    assert.deepEqual([...saved.tensors.keys()].sort(), [...fixture.keys()].sort());
    for (const [k, raw] of fixture) {
        const got = saved.tensors.get(k)!;
        assert.equal(got.dtype, raw.dtype);
        assert.deepEqual(got.shape, raw.shape);
        assert.ok(Buffer.from(got.data).equals(Buffer.from(raw.data)), `${k}: bytes differ from the fixture`);
    }
    assert.equal(saved.metadata.format, "pt");
    const fixtureCfg = JSON.parse(fs.readFileSync(path.join(ADAPTER_A, "adapter_config.json"), "utf8"));
    const savedCfg = JSON.parse(fs.readFileSync(path.join(dir, "a", "adapter_config.json"), "utf8"));
    for (const k of ["peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "use_rslora", "target_modules", "bias", "fan_in_fan_out", "use_dora", "base_model_name_or_path"]) {
        assert.deepEqual(savedCfg[k], fixtureCfg[k], `adapter_config.json field ${k}`);
    }

    // A fresh (trained-looking) adapter with a subset of targets and rsLoRA.
    manualSeed(3);
    const fresh = LoraAdapter.create("fresh", model.config, { r: 3, alpha: 5, dropout: 0.1, useRslora: true, targetModules: ["v_proj", "down_proj", "q_proj"] });
    randomizeB(fresh);
    saveAdapter(fresh, path.join(dir, "fresh"), { baseModel: "qwen3-tiny" });
    const keys = [...readSafetensorsHeader(path.join(dir, "fresh", "adapter_model.safetensors")).entries.keys()].sort();
    const want: string[] = [];
    for (let l = 0; l < 2; l++) {
        for (const m of ["self_attn.q_proj", "self_attn.v_proj", "mlp.down_proj"]) {
            for (const w of ["A", "B"]) want.push(`base_model.model.model.layers.${l}.${m}.lora_${w}.weight`);
        }
    }
    assert.deepEqual(keys, want.sort());
    assert.ok(keys.includes("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, "fresh", "adapter_config.json"), "utf8"));
    assert.equal(cfg.r, 3);
    assert.equal(cfg.lora_alpha, 5);
    assert.equal(cfg.lora_dropout, 0.1);
    assert.equal(cfg.use_rslora, true);
    assert.deepEqual(cfg.target_modules, ["down_proj", "q_proj", "v_proj"]);
    assert.equal(cfg.peft_type, "LORA");
    assert.equal(cfg.base_model_name_or_path, "qwen3-tiny");
    const back = loadAdapter(path.join(dir, "fresh"), model.config);
    assert.deepEqual(back.config, { ...fresh.config, targetModules: ["down_proj", "q_proj", "v_proj"] });
    assert.equal(back.baseModel, "qwen3-tiny");
    assert.deepEqual([...back.weights.keys()].sort(), [...fresh.weights.keys()].sort());
    for (const [mod, { A, B }] of fresh.weights) {
        const got = back.weights.get(mod)!;
        assert.ok(bytesEqual(snapshot([got.A, got.B]), snapshot([A, B])), `${mod}: tensors changed in the round trip`);
    }
    // Saving in bfloat16 stores BF16 and loads back as the bf16-rounded float32 values.
    saveAdapter(fresh, path.join(dir, "bf16"), { dtype: "bfloat16" });
    const bf = readSafetensors(path.join(dir, "bf16", "adapter_model.safetensors")).tensors;
    for (const raw of bf.values()) assert.equal(raw.dtype, "BF16");
    const bfBack = loadAdapter(path.join(dir, "bf16"), model.config);
    for (const [mod, { B }] of fresh.weights) {
        const want16 = tidy(() => B.to("bfloat16").to("float32").toFloat32Array());
        assert.deepEqual(bfBack.weights.get(mod)!.B.toFloat32Array(), want16);
    }
    for (const x of [a, fresh, back, bfBack]) x.dispose();
    model.dispose();
});

test("scale 0 equals the base exactly; scale 2 equals a doubled B; delta matches x A^T B^T * alpha/r * scale", () => {
    const model = loadModel(QWEN3_TINY);
    const base = logitsOf(model, SEQS);
    const a = loadAdapter(ADAPTER_A, model.config);
    model.adapters.push(a);
    const one = logitsOf(model, SEQS);
    a.scale = 0;
    assert.deepEqual(logitsOf(model, SEQS), base, "scale 0 must give the base logits");
    a.scale = 2;
    const two = logitsOf(model, SEQS);
    const doubledB = cloneAdapter(a, "doubled", {}, 2);
    model.adapters = [doubledB];
    const doubled = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(two, doubled) < 1e-5, `scale 2 vs doubled B: ${maxAbsDiff(two, doubled)}`);
    assert.ok(maxAbsDiff(two, one) > 1e-3, "scale 2 should differ from scale 1");

    // The update itself, per module, against the formula.
    assert.equal(a.scaling, 8 / 4);
    const mod = "model.layers.1.mlp.up_proj";
    const { A, B } = a.weights.get(mod)!;
    tidy(() => {
        manualSeed(4);
        const x = randn([2, 3, 32]);
        const got = a.delta(mod, x, false)!.toFloat32Array();
        const want = x.matmul(A.transpose(0, 1)).matmul(B.transpose(0, 1)).mul(2 * 2).toFloat32Array();
        assert.ok(maxAbsDiff(got, want) < 1e-5);
        assert.equal(a.delta("model.layers.1.mlp.nope", x, false), null);
        a.scale = 0;
        assert.equal(a.delta(mod, x, false), null);
    });
    doubledB.dispose();
    a.dispose();
    model.dispose();
});

test("rsLoRA scales by alpha/sqrt(r) (fixture b, and a fresh adapter vs its plain-LoRA equivalent)", () => {
    const model = loadModel(QWEN3_TINY);
    const b = loadAdapter(ADAPTER_B, model.config);
    assert.equal(b.config.useRslora, true);
    assert.ok(Math.abs(b.scaling - 2 / Math.SQRT2) < 1e-15);
    const mod = "model.layers.0.self_attn.v_proj";
    tidy(() => {
        manualSeed(5);
        const x = randn([1, 4, 32]);
        const { A, B } = b.weights.get(mod)!;
        const want = x.matmul(A.transpose(0, 1)).matmul(B.transpose(0, 1)).mul(2 / Math.sqrt(2)).toFloat32Array();
        assert.ok(maxAbsDiff(b.delta(mod, x, false)!.toFloat32Array(), want) < 1e-6);
    });

    manualSeed(6);
    const rs = LoraAdapter.create("rs", model.config, { r: 4, alpha: 8, dropout: 0, useRslora: true });
    randomizeB(rs, 0.2);
    assert.equal(rs.scaling, 4);
    // Plain LoRA with alpha' = alpha * sqrt(r) has the same scaling (16 / 4 = 4); alpha 8 without rs is 2.
    const plainSame = cloneAdapter(rs, "plain16", { useRslora: false, alpha: 16 });
    const plainOther = cloneAdapter(rs, "plain8", { useRslora: false, alpha: 8 });
    model.adapters = [rs];
    const withRs = logitsOf(model, SEQS);
    model.adapters = [plainSame];
    const same = logitsOf(model, SEQS);
    model.adapters = [plainOther];
    const other = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(withRs, same) < 1e-5, `rsLoRA vs alpha*sqrt(r) plain: ${maxAbsDiff(withRs, same)}`);
    assert.ok(maxAbsDiff(withRs, other) > 1e-3, "rsLoRA scaling equals plain alpha/r: use_rslora ignored");
    // Merging an rsLoRA adapter uses the same scaling.
    model.adapters = [];
    mergeAdapter(model, rs);
    assert.ok(maxAbsDiff(logitsOf(model, SEQS), withRs) < 1e-5);
    for (const x of [b, rs, plainSame, plainOther]) x.dispose();
    model.dispose();
});

test("a float32 adapter on a bfloat16 base (PEFT's layout) adds its update in float32 and trains", () => {
    const base16 = loadModel(QWEN3_TINY, { dtype: "bfloat16" });
    const base32 = loadModel(QWEN3_TINY);
    const adapter = loadAdapter(ADAPTER_A, base32.config);
    base16.adapters = [adapter];
    base32.adapters = [adapter];
    const plain16 = loadModel(QWEN3_TINY, { dtype: "bfloat16" }), plain32 = loadModel(QWEN3_TINY);
    const want = logitsOf(base32, SEQS), got = logitsOf(base16, SEQS);
    const roundingNoise = maxAbsDiff(logitsOf(plain16, SEQS), logitsOf(plain32, SEQS));
    const adapterEffect = maxAbsDiff(want, logitsOf(plain32, SEQS));
    // Within a few times the bf16 base's own rounding of the fp32 result, and far below the adapter's effect.
    assert.ok(maxAbsDiff(got, want) < 3 * roundingNoise, `bf16 base + fp32 adapter vs fp32: ${maxAbsDiff(got, want)} (bf16 rounding alone: ${roundingNoise})`);
    assert.ok(adapterEffect > 5 * maxAbsDiff(got, want), `the adapter's update must be present (effect ${adapterEffect})`);
    // Gradients reach the float32 adapter weights through the bfloat16 base.
    adapter.setTrainable(true);
    base16.training = true;
    const batch = collate(EXAMPLES, 0);
    tidy(() => summedTokenLoss(base16.forward({ ids: batch.ids }), batch.labels).backward());
    const { A } = adapter.weights.values().next().value as LoraPair;
    assert.equal(A.dtype, "float32");
    assert.ok(A.grad !== null && tidy(() => A.grad!.abs().sum().item()) > 0, "float32 A gets a gradient");
    for (const m of [base16, base32, plain16, plain32]) m.dispose();
    adapter.dispose();
    batch.ids.dispose();
    batch.labels.dispose();
});

test("a bank built from adapters frees everything it allocated when disposed (no tensor left behind)", () => {
    const model = loadModel(QWEN3_TINY);
    try {
        const adapters = [LoraAdapter.create("a", model.config, { r: 4, alpha: 8 }), LoraAdapter.create("b", model.config, { r: 4, alpha: 8 })];
        const before = liveTensors();
        const bank = LoraBank.fromAdapters(adapters, model.config);
        bank.dispose();
        assert.equal(liveTensors(), before, "LoraBank.fromAdapters + dispose leaked tensors");
        for (const a of adapters) a.dispose();
    } finally {
        model.dispose();
    }
});
