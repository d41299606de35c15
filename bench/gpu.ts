/**
 * The engine on a CUDA GPU (needs the addon built against a CUDA libtorch: `LIBTORCH=<torch dir> bash
 * native/build.sh`): a Qwen3-0.6B-shaped decoder with random bfloat16 weights, LoRA r16/alpha32 on all 7
 * projections in float32 (PEFT's layout), AdamW on the LoRA parameters only, as the training loop runs it:
 *   - LoRA SFT step tokens/s and MFU (4N convention, src/train/progress.ts peak: 989 TFLOP/s dense bf16),
 *     alone and with a frozen adapter stacked under the trained one (the IA setup);
 *   - greedy generation with the KV cache at batch 1 and 32 (16-token prompts, 32 new tokens), tokens/s counting
 *     every generated token over the whole generate() call (prefill included), as bench/torch/hf_peft_gpu.py does.
 * The PyTorch side is transformers + PEFT on the same shape, batch and GPU (bench/torch/hf_peft_gpu.py); run both in
 * one session on the same machine and compare. Prints one JSON object.
 *
 * Usage: node --import tsx bench/gpu.ts [--batch 8] [--seq 512] [--steps 10]
 */
import { parseArgs } from "node:util";
import { buildInfo, cudaIsAvailable, initEngine, manualSeed } from "../src/engine/runtime.ts";
import { initModel } from "../src/model/weights.ts";
import { peakFlops } from "../src/train/progress.ts";
import { benchConfigs, flopsPerToken } from "./engine/configs.ts";
import { benchPrompts } from "./engine/generation.ts";
import { generate } from "../src/sample/generate.ts";
import { median, TrainSession } from "./engine/trainStep.ts";

const { values } = parseArgs({ options: { batch: { type: "string", default: "8" }, seq: { type: "string", default: "512" }, steps: { type: "string", default: "10" } } });
const batch = Number(values.batch), seq = Number(values.seq), steps = Number(values.steps);
initEngine();
if (!cudaIsAvailable()) throw new Error(`bench/gpu.ts: CUDA is not available in this addon build (${JSON.stringify(buildInfo())})`);
const shape = benchConfigs(false).find((c) => c.name === "0.6b")!.model;
manualSeed(0);
const model = initModel({ ...shape, torchDtype: "bfloat16" }, { device: "cuda", dtype: "bfloat16" });
const peak = peakFlops("cuda");
const result: Record<string, unknown> = { device: "cuda", dtype: "bfloat16", shape: "qwen3-0.6b", batch, seq, peakTflops: peak / 1e12 };

for (const stacked of [false, true]) {
    const session = new TrainSession(model, { batch, seq, stackFrozen: stacked });
    for (let i = 0; i < 3; i++) session.step();
    const ms: number[] = [];
    let loss = 0;
    for (let i = 0; i < steps; i++) {
        const [t, l] = session.step();
        ms.push(t);
        loss = l;
    }
    const flops = flopsPerToken(shape, seq, 16, stacked ? 2 : 1).lora4n;
    const tokS = session.tokensPerStep / (median(ms) / 1000);
    result[stacked ? "trainStacked" : "train"] = { medianMs: median(ms), bestMs: Math.min(...ms), tokensPerS: tokS, mfu: (tokS * flops) / peak, loss };
    session.dispose();
}

const gen: Record<string, unknown> = {};
for (const b of [1, 32]) {
    const prompts = benchPrompts(shape.vocabSize, b, 16);
    const run = () => {
        const t0 = performance.now();
        const out = generate(model, prompts, { temperature: 0, maxNewTokens: 32, maxBatch: b });
        if (out.some((g) => g.tokens.length !== 32)) throw new Error("bench: generation stopped early");
        return performance.now() - t0;
    };
    run();
    const ms = [run(), run(), run()];
    gen[`batch${b}`] = { medianMs: median(ms), tokensPerS: (b * 32) / (median(ms) / 1000) };
}
result.generate = gen;
console.log(JSON.stringify(result, null, 1));
model.dispose();
