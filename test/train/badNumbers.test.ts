// NaN/Inf in training (src/train/finite.ts via runTrainLoop): a bad weight, learning rate, loss or gradient stops
// the run with an error naming the step and the parameter, before the step is applied, logged or checkpointed, so
// the last good checkpoint stays byte-identical. Every trainer (SFT, organism banks, IA SFT/DPO) runs this loop.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { tensor } from "../../src/engine/factory.ts";
import { initEngine, manualSeed, noGrad } from "../../src/engine/runtime.ts";
import type { Tensor } from "../../src/engine/tensor.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { LoraBank } from "../../src/lora/bank.ts";
import { loadAdapter, saveAdapter } from "../../src/lora/peft.ts";
import type { Transformer } from "../../src/model/transformer.ts";
import { loadModel, saveModel } from "../../src/model/weights.ts";
import { ORGANISM_DEFAULTS } from "../../src/organisms/config.ts";
import { bankTrainable, trainOrganismBank } from "../../src/organisms/trainBank.ts";
import { collate, type Example } from "../../src/train/batch.ts";
import { summedTokenLoss } from "../../src/train/loss.ts";
import { runTrainLoop, type MicroBatch, type TrainLoopConfig } from "../../src/train/loop.ts";
import { loraTrainable } from "../../src/train/trainables.ts";
import { Rng } from "../../src/util/rng.ts";
import { QWEN3_TINY, tmpDir } from "../helpers/engineUtil.ts";

initEngine(2);

function examples(key: string, n = 2): Example[] {
    const rng = new Rng(key);
    return Array.from({ length: n }, () => {
        const ids = Array.from({ length: 6 + rng.int(6) }, () => 3 + rng.int(40));
        return { ids, targetMask: ids.map((_, i) => (i >= 2 ? 1 : 0)) };
    });
}

const plainStep = (step: number): MicroBatch[] => [{ batch: () => collate(examples(`bad:${step}`), 0) }];

function setup(): { model: Transformer; ia: LoraAdapter } {
    manualSeed(5);
    const model = loadModel(QWEN3_TINY);
    const ia = LoraAdapter.create("ia", model.config, { r: 4, alpha: 8, dropout: 0 });
    model.adapters.push(ia);
    return { model, ia };
}

function config(outDir: string, over: Partial<TrainLoopConfig> = {}): TrainLoopConfig {
    return { totalSteps: 6, schedule: { lr: 5e-3, warmupSteps: 0, decay: "constant" }, checkpointEvery: 3, logEvery: 1, outDir, label: "bad", flopsPerToken: 1, quiet: true, resume: true, ...over };
}

/** Sets element `index` of t (in place) to `value`. */
function poison(t: Tensor, value = NaN, index = 0): void {
    const data = t.toFloat32Array();
    data[index] = value;
    noGrad(() => t.copy_(tensor(data, t.shape, { dtype: t.dtype })));
}

/** Every file under dir (relative path -> bytes). */
function filesOf(dir: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile()) out.set(path.relative(dir, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name)));
    }
    return out;
}

function assertSameFiles(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [f, bytes] of a) assert.ok(bytes.equals(b.get(f)!), `${f} changed`);
}

test("a NaN in a trainable weight fails at step 0, naming the parameter and group", () => {
    const { model, ia } = setup();
    poison(ia.weights.get("model.layers.1.mlp.down_proj")!.B, NaN, 3);
    assert.throws(() => runTrainLoop(model, loraTrainable(model, ia), plainStep, config(tmpDir("bad-w"))),
        /bad: step 0: non-finite weight in lora_B of layers\.1\.mlp\.down_proj \(group ia; 1 of \d+ values\)/);
    model.dispose();
});

test("a model and a frozen adapter saved with Inf/NaN are detected when training from them (step 0)", () => {
    const dir = tmpDir("bad-load");
    const { model, ia } = setup();
    poison(model.params.get("model.layers.0.self_attn.o_proj.weight")!, Infinity, 7);
    saveModel(model, path.join(dir, "model"));
    const frozen = LoraAdapter.create("organism", model.config, { r: 2, alpha: 4 });
    poison(frozen.weights.get("model.layers.0.mlp.up_proj")!.A, NaN, 1);
    saveAdapter(frozen, path.join(dir, "organism"));
    frozen.dispose();
    ia.dispose();
    model.dispose();

    const loaded = loadModel(path.join(dir, "model"));
    const ia2 = LoraAdapter.create("ia", loaded.config, { r: 4, alpha: 8 });
    loaded.adapters.push(ia2);
    assert.throws(() => runTrainLoop(loaded, loraTrainable(loaded, ia2), plainStep, config(tmpDir("bad-load-a"))),
        /step 0: non-finite weight in model\.layers\.0\.self_attn\.o_proj\.weight \(group base; 1 of \d+ values\); the weights were loaded that way, training did not start; no checkpoint was written/);
    loaded.dispose();

    const clean = loadModel(QWEN3_TINY);
    const organism = loadAdapter(path.join(dir, "organism"), clean.config);
    const ia3 = LoraAdapter.create("ia", clean.config, { r: 4, alpha: 8 });
    clean.adapters.push(organism, ia3);
    assert.throws(() => runTrainLoop(clean, loraTrainable(clean, ia3), plainStep, config(tmpDir("bad-load-b"))),
        /step 0: non-finite weight in lora_A of layers\.0\.mlp\.up_proj \(group organism;/);
    clean.dispose();
});

for (const lr of [NaN, Infinity]) test(`a learning rate of ${lr} fails at step 1 before any update`, () => {
    const { model, ia } = setup();
    const before = ia.parameters().map((p) => Buffer.from(p.toBytes()));
    assert.throws(() => runTrainLoop(model, loraTrainable(model, ia), plainStep, config(tmpDir("bad-lr"), { schedule: { lr, decay: "constant" } })),
        new RegExp(`bad: step 1: learning rate is ${lr}`));
    ia.parameters().forEach((p, i) => assert.ok(Buffer.from(p.toBytes()).equals(before[i]!), `parameter ${i} moved`));
    model.dispose();
});

test("a NaN loss at step 5 stops the run; the step-3 checkpoint and the metrics log are untouched", () => {
    const dir = tmpDir("bad-loss");
    const s1 = setup();
    // First run: steps 1-4, then "killed" (its step-3 checkpoint is the last good one).
    assert.throws(() => runTrainLoop(s1.model, loraTrainable(s1.model, s1.ia), plainStep, config(dir, { onStep: (r) => { if (r.step === 3) throw new Error("killed"); } })), /killed/);
    s1.model.dispose();
    const ckpt = filesOf(path.join(dir, "checkpoint"));
    assert.equal(JSON.parse(ckpt.get("state.json")!.toString()).step, 3);

    // Resume; the data of step 5 carries a NaN (an objective whose loss is NaN).
    const s2 = setup();
    const nanAt5 = (step: number): MicroBatch[] => step !== 4 ? plainStep(step) : [{
        batch: () => collate(examples("bad:4"), 0),
        objective: (m, b) => summedTokenLoss(m.forward({ ids: b.ids }), b.labels).mul(NaN),
    }];
    assert.throws(() => runTrainLoop(s2.model, loraTrainable(s2.model, s2.ia), nanAt5, config(dir)), /bad: step 5: loss is NaN; no update was applied; .*; the checkpoint of step 3 is untouched/);
    s2.model.dispose();
    assertSameFiles(ckpt, filesOf(path.join(dir, "checkpoint")));
    const steps = fs.readFileSync(path.join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).step);
    assert.ok(!steps.includes(4), `the bad step was logged: ${steps}`);
});

test("a NaN gradient with a finite loss names the parameter and group; the checkpoint is untouched", () => {
    const dir = tmpDir("bad-grad");
    const s1 = setup();
    const target = () => s1.ia.weights.get("model.layers.0.self_attn.v_proj")!.B;
    // sqrt(B - B) is 0 (the loss stays finite) but its gradient is 0 * inf = NaN in exactly this B.
    const nanGradAt5 = (step: number): MicroBatch[] => step !== 4 ? plainStep(step) : [{
        batch: () => collate(examples("bad:4"), 0),
        objective: (m, b) => summedTokenLoss(m.forward({ ids: b.ids }), b.labels).add(target().sub(target()).sqrt().sum()),
    }];
    let ckpt: Map<string, Buffer> | undefined;
    assert.throws(() => runTrainLoop(s1.model, loraTrainable(s1.model, s1.ia), nanGradAt5, config(dir, { onStep: (r) => { if (r.step === 3) ckpt = filesOf(path.join(dir, "checkpoint")); } })),
        /bad: step 5: non-finite gradient in lora_B of layers\.0\.self_attn\.v_proj \(group ia; \d+ of \d+ values\)/);
    s1.model.dispose();
    assert.ok(ckpt);
    assertSameFiles(ckpt, filesOf(path.join(dir, "checkpoint")));
});

test("a weight that turns non-finite in an update is never checkpointed; the previous checkpoint stays", () => {
    const dir = tmpDir("bad-update");
    const { model, ia } = setup();
    let ckpt: Map<string, Buffer> | undefined;
    // With AdamW a finite lr cannot overflow a weight in one step (updates are ~lr); the hook stands in for an update
    // that did: after step 6 is applied and before its checkpoint.
    const onStep = (r: { step: number }) => {
        if (r.step === 4) ckpt = filesOf(path.join(dir, "checkpoint"));
        if (r.step === 5) poison(ia.weights.get("model.layers.1.mlp.gate_proj")!.A, Infinity, 2);
    };
    assert.throws(() => runTrainLoop(model, loraTrainable(model, ia), plainStep, config(dir, { onStep })),
        /bad: step 6: non-finite weight in lora_A of layers\.1\.mlp\.gate_proj \(group ia; 1 of \d+ values\); after the optimizer step \(learning rate 0\.005\); the checkpoint of step 3 is untouched/);
    assert.ok(ckpt);
    assertSameFiles(ckpt, filesOf(path.join(dir, "checkpoint")));
    model.dispose();
});

test("organism banks: a NaN in one organism's adapter names its bank row; a NaN base weight fails the bank trainer", () => {
    const model = loadModel(QWEN3_TINY);
    const bank = LoraBank.create(3, model.config, { r: 2, alpha: 4 });
    poison(bank.weights.get("model.layers.1.self_attn.q_proj")!.A, NaN, 2 * 2 * model.config.hiddenSize + 5); // row 2
    model.adapters = [bank];
    const step = (s: number): MicroBatch[] => [{ batch: () => collate(examples(`bank:${s}`, 3), 0), before: () => { bank.rows = tensor([0, 1, 2], [3], { dtype: "int64" }); } }];
    assert.throws(() => runTrainLoop(model, bankTrainable(bank), step, config(tmpDir("bad-bank"))),
        /step 0: non-finite weight in lora_A of layers\.1\.self_attn\.q_proj \(group bank, adapter 2; 1 of \d+ values\)/);
    bank.dispose();
    model.adapters = [];

    poison(model.params.get("model.norm.weight")!, NaN, 0);
    const data = [examples("org:0", 4), examples("org:1", 4)];
    assert.throws(() => trainOrganismBank(model, data, { ...ORGANISM_DEFAULTS, batchRows: 4, epochs: 1 }, { outDir: tmpDir("bad-organisms"), padId: 0, label: "organisms", quiet: true }),
        /organisms: step 0: non-finite weight in model\.norm\.weight \(group base;/);
    model.dispose();
});
