/**
 * Cost of the NaN/Inf guard (src/train/finite.ts) in LoRA training on the tiny world's model shapes (random
 * weights: the cost does not depend on the values). The loop reports the seconds its checks took; the per-step
 * gradient check reuses the clipping norm, so the only extra per-step work is for runs without clipping, where the
 * norm is computed for the check alone: timed separately.
 *   node --import tsx bench/nanGuard.ts [--steps 60] [--checkpoint-every 10]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BASE_PRESETS } from "../src/base/presets.ts";
import { initEngine, manualSeed } from "../src/engine/runtime.ts";
import { tidy } from "../src/engine/scope.ts";
import { IA_PRESETS } from "../src/ia/config.ts";
import { LoraAdapter } from "../src/lora/adapter.ts";
import type { ModelConfig } from "../src/model/config.ts";
import { initModel } from "../src/model/weights.ts";
import { collate, type Example } from "../src/train/batch.ts";
import { summedTokenLoss } from "../src/train/loss.ts";
import { runTrainLoop } from "../src/train/loop.ts";
import { AdamW } from "../src/train/optimizer.ts";
import { loraTrainable } from "../src/train/trainables.ts";
import { Rng } from "../src/util/rng.ts";

const arg = (name: string, d: number) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : d; };
const steps = arg("steps", 60), every = arg("checkpoint-every", 10);
initEngine();

function configOf(p: (typeof BASE_PRESETS)[string]): ModelConfig {
    return {
        modelType: "qwen3", vocabSize: p.vocabSize, hiddenSize: p.hiddenSize, intermediateSize: p.intermediateSize, numLayers: p.numLayers,
        numHeads: p.numHeads, numKvHeads: p.numKvHeads, headDim: p.headDim, rmsNormEps: 1e-6, ropeTheta: 10000, ropeScaling: null,
        maxPositionEmbeddings: 512, tieWordEmbeddings: true, attentionBias: false, qkNorm: true, torchDtype: "float32", bosTokenId: null, eosTokenId: [1],
    };
}

const batchFor = (vocab: number, step: number): Example[] => {
    const rng = new Rng(`nan-guard:${step}`);
    return Array.from({ length: 16 }, () => {
        const ids = Array.from({ length: 48 + rng.int(32) }, () => 3 + rng.int(vocab - 3));
        return { ids, targetMask: ids.map((_, i) => (i >= 8 ? 1 : 0)) };
    });
};

// The first pass warms up (libtorch initialises kernels on first use) and is not reported.
for (const [name, warmup] of [["test", true], ["test", false], ["nano", false]] as const) {
    const config = configOf(BASE_PRESETS[name]!);
    manualSeed(1);
    const model = initModel(config);
    const ia = LoraAdapter.create("ia", config, IA_PRESETS.tiny.sft.lora);
    model.adapters.push(ia);
    const trainable = loraTrainable(model, ia);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ia-nan-guard-"));
    const r = runTrainLoop(model, trainable, (s) => [{ batch: () => collate(batchFor(config.vocabSize, s), 0) }], {
        totalSteps: steps, schedule: { lr: 1e-3, decay: "constant" }, checkpointEvery: every, outDir: out, label: name, flopsPerToken: 1, quiet: true, seed: 1,
    });
    // The norm a run without clipping computes only for the check: time it on real gradients.
    const opt = new AdamW(trainable.params);
    model.training = true;
    tidy(() => {
        const b = collate(batchFor(config.vocabSize, 0), 0);
        summedTokenLoss(model.forward({ ids: b.ids }), b.labels).backward();
    });
    model.training = false;
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) opt.clipGradNorm(Infinity);
    const normMs = (performance.now() - t0) / 50;
    opt.dispose();
    const stepMs = (r.seconds * 1000) / steps;
    if (!warmup) process.stdout.write(
        `${name}: ${steps} LoRA steps (r ${IA_PRESETS.tiny.sft.lora.r}, 16 rows x ~64 tokens), ${stepMs.toFixed(1)} ms/step; guard ${(r.checkSeconds * 1000).toFixed(1)} ms in all ` +
        `(${((100 * r.checkSeconds) / r.seconds).toFixed(2)}% of training; weight checks at the start and at ${Math.ceil(steps / every)} checkpoints); ` +
        `grad-norm for runs without clipping ${normMs.toFixed(2)} ms/step (${((100 * normMs) / stepMs).toFixed(2)}%)\n`,
    );
    fs.rmSync(out, { recursive: true, force: true });
    ia.dispose();
    model.dispose();
}
