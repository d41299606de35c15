// Checkpoint / resume of runTrainLoop: a LoRA run interrupted after its step-3 checkpoint and resumed in a fresh
// model + adapter ends with the same adapter weights, losses and optimizer state as the run that went straight
// through 6 steps. Batches and dropout masks are functions of the step index only (makeStep seeds the RNG, or the
// loop does with TrainLoopConfig.seed); without either, adapter dropout makes a resumed run diverge.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { initEngine, manualSeed } from "../../src/engine/runtime.ts";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import type { Transformer } from "../../src/model/transformer.ts";
import { loadModel } from "../../src/model/weights.ts";
import { collate, type Example } from "../../src/train/batch.ts";
import { runTrainLoop, type MicroBatch, type TrainLoopConfig } from "../../src/train/loop.ts";
import { loraTrainable } from "../../src/train/trainables.ts";
import { Rng } from "../../src/util/rng.ts";
import { ADAPTER_A, maxAbsDiff, QWEN3_TINY, tmpDir } from "../helpers/engineUtil.ts";

initEngine(2);

const TOTAL = 6;

function examplesFor(step: number, micro: number): Example[] {
    const rng = new Rng(`resume:${step}:${micro}`);
    return Array.from({ length: 2 }, () => {
        const n = 5 + rng.int(8);
        const ids = Array.from({ length: n }, () => 3 + rng.int(120));
        return { ids, targetMask: ids.map((_, i) => (i >= 2 ? 1 : 0)) };
    });
}

/** Two micro-batches per step; each reseeds libtorch's RNG before its forward so dropout depends on (step, micro). */
function makeStepSeeding(step: number): MicroBatch[] {
    return [0, 1].map((micro) => ({
        batch: () => collate(examplesFor(step, micro), 0),
        before: () => manualSeed(10_000 + step * 16 + micro),
    }));
}

/** The same batches, leaving the RNG to the loop (TrainLoopConfig.seed). */
function makeStepPlain(step: number): MicroBatch[] {
    return [0, 1].map((micro) => ({ batch: () => collate(examplesFor(step, micro), 0) }));
}

/** What a fresh process builds: base + frozen organism adapter + a new IA adapter (seeded init, dropout on). */
function setup(): { model: Transformer; adapter: LoraAdapter; frozen: LoraAdapter } {
    manualSeed(99);
    const model = loadModel(QWEN3_TINY);
    const frozen = loadAdapter(ADAPTER_A, model.config);
    const adapter = LoraAdapter.create("ia", model.config, { r: 4, alpha: 8, dropout: 0.1 });
    model.adapters.push(frozen, adapter);
    return { model, adapter, frozen };
}

function config(outDir: string, over: Partial<TrainLoopConfig> = {}): TrainLoopConfig {
    return {
        totalSteps: TOTAL,
        schedule: { lr: 5e-3, warmupSteps: 2, decay: "cosine" },
        adamw: { weightDecay: 0.01 },
        checkpointEvery: 3,
        outDir,
        label: "resume",
        flopsPerToken: 1,
        quiet: true,
        ...over,
    };
}

const weightsOf = (a: LoraAdapter): number[][] => a.parameters().map((p) => Array.from(p.toFloat32Array()));
const dispose = (s: ReturnType<typeof setup>): void => { s.adapter.dispose(); s.frozen.dispose(); s.model.dispose(); };

const MODES: [string, (step: number) => MicroBatch[], Partial<TrainLoopConfig>][] = [
    ["makeStep reseeds", makeStepSeeding, {}],
    ["loop reseeds (cfg.seed)", makeStepPlain, { seed: 7 }],
];

for (const [mode, makeStep, extra] of MODES) test(`interrupt after the step-3 checkpoint, resume to 6 (${mode}): same adapter, losses and optimizer state as straight through`, () => {
    // Straight through.
    const straightDir = tmpDir("resume-straight");
    const s1 = setup();
    const lossA: number[] = [];
    runTrainLoop(s1.model, loraTrainable(s1.model, s1.adapter), makeStep, config(straightDir, { ...extra, onStep: (r) => { lossA[r.step] = r.loss; } }));
    const want = weightsOf(s1.adapter);
    dispose(s1);

    // Interrupted: the 4th step runs, then the process "dies" before step 4's results are saved anywhere.
    const dir = tmpDir("resume-split");
    const s2 = setup();
    const lossB: number[] = [];
    assert.throws(() => runTrainLoop(s2.model, loraTrainable(s2.model, s2.adapter), makeStep, config(dir, { ...extra,
        onStep: (r) => {
            lossB[r.step] = r.loss;
            if (r.step === 3) throw new Error("interrupted");
        },
    })), /interrupted/);
    dispose(s2);
    const state = JSON.parse(fs.readFileSync(path.join(dir, "checkpoint", "state.json"), "utf8"));
    assert.equal(state.step, 3);
    assert.equal(state.optimizerSteps, 3);
    assert.ok(!fs.existsSync(path.join(dir, "checkpoint.tmp")), "a partial checkpoint was left behind");

    // Without resume, an existing checkpoint is refused.
    const s3 = setup();
    assert.throws(() => runTrainLoop(s3.model, loraTrainable(s3.model, s3.adapter), makeStep, config(dir, extra)), /a checkpoint exists; pass --resume/);

    // Resume in a fresh model/adapter (their own random init is overwritten by the checkpoint).
    const result = runTrainLoop(s3.model, loraTrainable(s3.model, s3.adapter), makeStep, config(dir, { ...extra,
        resume: true,
        onStep: (r) => { lossB[r.step] = r.loss; },
    }));
    assert.equal(result.startStep, 3);
    const got = weightsOf(s3.adapter);
    got.forEach((g, i) => {
        const d = maxAbsDiff(g, want[i]!);
        assert.ok(d <= 1e-6, `parameter ${i}: resumed differs from straight-through by ${d}`);
    });
    for (let s = 0; s < TOTAL; s++) assert.ok(Math.abs(lossA[s]! - lossB[s]!) <= 1e-6, `loss at step ${s}: ${lossA[s]} vs ${lossB[s]}`);
    // The adapter actually trained: every B (zero at init) moved away from 0.
    s3.adapter.parameters().forEach((p, i) => {
        if (i % 2 === 1) assert.ok(Math.max(...got[i]!.map(Math.abs)) > 1e-4, `B ${i} did not train`);
    });

    // Final checkpoints agree too: weights and AdamW moments.
    for (const f of ["optimizer.safetensors", "weights/adapter_model.safetensors"]) {
        const a = readSafetensors(path.join(straightDir, "checkpoint", f)).tensors;
        const b = readSafetensors(path.join(dir, "checkpoint", f)).tensors;
        assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
        for (const [k, raw] of a) {
            const x = new Float32Array(raw.data.buffer.slice(0));
            const y = new Float32Array(b.get(k)!.data.buffer.slice(0));
            assert.ok(maxAbsDiff(x, y) <= 1e-6, `${f} ${k} differs`);
        }
    }
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "checkpoint", "state.json"), "utf8")).optimizerSteps, TOTAL);
    dispose(s3);
});

test("resuming a finished run does no further steps and keeps the weights", () => {
    const dir = tmpDir("resume-done");
    const s1 = setup();
    runTrainLoop(s1.model, loraTrainable(s1.model, s1.adapter), makeStepSeeding, config(dir));
    const want = weightsOf(s1.adapter);
    dispose(s1);
    const s2 = setup();
    let steps = 0;
    const r = runTrainLoop(s2.model, loraTrainable(s2.model, s2.adapter), makeStepSeeding, config(dir, { resume: true, onStep: () => { steps++; } }));
    assert.equal(r.startStep, TOTAL);
    assert.equal(steps, 0);
    assert.deepEqual(weightsOf(s2.adapter), want);
    dispose(s2);
});
