// Sum-merge of two LoRA adapters (AuditBench's "merged by summing"): on a tiny random Qwen3 the summed adapter's
// forward equals both adapters stacked, its delta weights equal the sum of the deltas (ranks 1 and 4, different
// scalings and target sets), adapters for another base are refused naming both folders, and the folder version
// round-trips through loadAdapter with its sources recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { randn, zeros } from "../../src/engine/factory.ts";
import { initEngine, liveTensors, manualSeed, noGrad } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import type { Tensor } from "../../src/engine/tensor.ts";
import { LoraAdapter, type LoraConfig } from "../../src/lora/adapter.ts";
import { loadAdapter, readAdapterConfig, saveAdapter } from "../../src/lora/peft.ts";
import { sumAdapterDirs, sumAdapters } from "../../src/lora/sum.ts";
import { initModel } from "../../src/model/weights.ts";
import { logitsOf, maxAbsDiff, tinyQwen3Config, tmpDir } from "../helpers/engineUtil.ts";

initEngine(2);

const CONFIG = tinyQwen3Config();
const SEQS = [[5, 17, 3, 40, 42, 8, 21, 7], [1, 2, 3, 4, 5, 6, 7, 8]];

/** A fresh adapter with random nonzero B (PEFT's init has B = 0, which would make every comparison trivial). */
function randomAdapter(name: string, cfg: Partial<LoraConfig>, seed: number, model = CONFIG): LoraAdapter {
    manualSeed(seed);
    const ad = LoraAdapter.create(name, model, cfg);
    noGrad(() => {
        for (const { B } of ad.weights.values()) tidy(() => B.copy_(randn(B.shape).mul(0.2)));
    });
    return ad;
}

/** rank 1, three targets, plain scaling 3 / 1. */
const rank1 = () => randomAdapter("a", { r: 1, alpha: 3, targetModules: ["q_proj", "v_proj", "down_proj"] }, 1);
/** rank 4, all targets, rsLoRA scaling 8 / 2, with dropout (training-only, so it must not matter). */
const rank4 = () => randomAdapter("b", { r: 4, alpha: 8, useRslora: true, dropout: 0.1 }, 2);

/** scaling * scale * B @ A of one module as numbers, or zeros when the adapter does not target it. */
function deltaOf(ad: LoraAdapter, mod: string, shape: [number, number]): Float32Array {
    return tidy(() => {
        const p = ad.weights.get(mod);
        const d: Tensor = p ? p.B.matmul(p.A).mul(ad.scaling * ad.scale) : zeros(shape);
        return d.toFloat32Array();
    });
}

test("summed adapter: forward equals the two stacked, delta weights equal the sum of deltas (ranks 1 and 4)", () => {
    manualSeed(3);
    const model = initModel(CONFIG, { std: 0.1 });
    const a = rank1(), b = rank4();
    b.scale = 0.7; // a user scale is folded in too
    const base = logitsOf(model, SEQS);
    model.adapters = [a, b];
    const stacked = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(stacked, base) > 1e-2, `adapters barely change the logits (${maxAbsDiff(stacked, base)}): the comparison would be vacuous`);

    const before = liveTensors();
    const sum = sumAdapters(a, b);
    assert.equal(liveTensors() - before, 2 * sum.weights.size, "only the result's A/B tensors stay alive");
    assert.deepEqual(sum.config, { r: 5, alpha: 5, dropout: 0, useRslora: false, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] });
    assert.equal(sum.scaling, 1);
    assert.equal(sum.name, "a+b");
    assert.equal(sum.weights.size, b.weights.size, "the union of the modules");

    model.adapters = [sum];
    const summed = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(summed, stacked) < 1e-5, `summed vs stacked logits: ${maxAbsDiff(summed, stacked)}`);

    for (const [mod, { A, B }] of sum.weights) {
        assert.deepEqual(A.shape[0], 5);
        assert.deepEqual(B.shape[1], 5);
        const shape: [number, number] = [B.size(0), A.size(1)];
        const want = deltaOf(a, mod, shape).map((x, i) => x + deltaOf(b, mod, shape)[i]!);
        const got = deltaOf(sum, mod, shape);
        assert.ok(maxAbsDiff(got, want) < 1e-6, `${mod}: delta differs by ${maxAbsDiff(got, want)}`);
        if (!a.weights.has(mod)) {
            // A module a does not target: a's rank-1 slot is zero on both sides.
            assert.deepEqual([...A.narrow(0, 0, 1).toFloat32Array()].every((x) => x === 0), true);
        }
    }
    // The inputs are untouched and still usable.
    model.adapters = [a, b];
    assert.deepEqual(logitsOf(model, SEQS), stacked);
    for (const x of [a, b, sum]) x.dispose();
    model.dispose();
});

test("adapters for another base are refused, naming both folders, and nothing is written", () => {
    const dir = tmpDir("sum-mismatch");
    const dirA = path.join(dir, "a"), dirOther = path.join(dir, "other"), out = path.join(dir, "out");
    const a = rank1();
    saveAdapter(a, dirA);
    a.dispose();
    // Another hidden size, and disjoint targets: a has q/v/down, this one only up_proj; they still share "hidden".
    const other = randomAdapter("other", { r: 2, alpha: 2, targetModules: ["up_proj"] }, 4, tinyQwen3Config({ hidden_size: 32 }));
    saveAdapter(other, dirOther);
    other.dispose();
    const before = liveTensors();
    assert.throws(() => sumAdapterDirs(dirA, dirOther, out), (e: Error) => {
        assert.ok(e.message.includes(dirA) && e.message.includes(dirOther), `message names both folders: ${e.message}`);
        assert.match(e.message, /different base models \(hidden size 24 .* 32/);
        return true;
    });
    assert.throws(() => sumAdapterDirs(dirOther, dirA, out), /different base models/);
    // With the base given, loadAdapter's own checks name the offending adapter's file.
    assert.throws(() => sumAdapterDirs(dirA, dirOther, out, { model: CONFIG }), (e: Error) => e.message.includes(dirOther) && /another base/.test(e.message));
    assert.equal(liveTensors(), before, "a refused sum leaks tensors");
    assert.ok(!fs.existsSync(out), "a refused sum wrote its output folder");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["a", "other"], "no temp folders left behind");
});

test("folder sum: writes a PEFT adapter that loads back and equals the stacked sources, with both sources recorded", () => {
    const dir = tmpDir("sum-dirs");
    const dirA = path.join(dir, "instill"), dirB = path.join(dir, "adversarial"), out = path.join(dir, "summed");
    const a = rank1(), b = rank4();
    saveAdapter(a, dirA, { baseModel: "tiny-base" });
    saveAdapter(b, dirB);
    a.dispose();
    b.dispose();

    const before = liveTensors();
    const cfg = sumAdapterDirs(dirA, dirB, out);
    assert.equal(liveTensors(), before, "the folder sum leaks tensors");
    assert.deepEqual(cfg, { r: 5, alpha: 5, dropout: 0, useRslora: false, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] });
    // Rerunning replaces the folder (atomically) with the same result.
    const bytes = fs.readFileSync(path.join(out, "adapter_model.safetensors"));
    sumAdapterDirs(dirA, dirB, out, { model: CONFIG });
    assert.ok(bytes.equals(fs.readFileSync(path.join(out, "adapter_model.safetensors"))), "the checked and unchecked paths differ");
    assert.deepEqual(fs.readdirSync(dir).sort(), ["adversarial", "instill", "summed"], "no temp folders left behind");

    const json = JSON.parse(fs.readFileSync(path.join(out, "adapter_config.json"), "utf8"));
    assert.equal(json.r, 5);
    assert.equal(json.lora_alpha, 5);
    assert.equal(json.use_rslora, false);
    assert.equal(json.base_model_name_or_path, "tiny-base");
    assert.deepEqual(json.summed_from, [
        { path: path.resolve(dirA), r: 1, lora_alpha: 3, use_rslora: false, scaling: 3, base_model_name_or_path: "tiny-base" },
        { path: path.resolve(dirB), r: 4, lora_alpha: 8, use_rslora: true, scaling: 4, base_model_name_or_path: null },
    ]);
    assert.equal(readAdapterConfig(out).config.r, 5);

    manualSeed(5);
    const model = initModel(CONFIG, { std: 0.1 });
    const la = loadAdapter(dirA, CONFIG), lb = loadAdapter(dirB, CONFIG), summed = loadAdapter(out, CONFIG);
    model.adapters = [la, lb];
    const stacked = logitsOf(model, SEQS);
    model.adapters = [summed];
    const got = logitsOf(model, SEQS);
    assert.ok(maxAbsDiff(got, stacked) < 1e-5, `loaded summed vs stacked sources: ${maxAbsDiff(got, stacked)}`);
    for (const x of [la, lb, summed]) x.dispose();
    model.dispose();

    // bfloat16 storage on request (the sources' precision for large adapters).
    const half = path.join(dir, "half");
    sumAdapterDirs(dirA, dirB, half, { dtype: "bfloat16" });
    const hb = loadAdapter(half, CONFIG, { dtype: "bfloat16" });
    assert.equal(hb.parameters()[0]!.dtype, "bfloat16");
    hb.dispose();
});
