/**
 * The engine benchmark's model shapes and workloads (tiny, small, Qwen3-0.6B), and the FLOPs-per-token
 * arithmetic behind MFU. Shapes only: weights are random (initModel after manualSeed). Each config maps to the
 * JSON config that bench/torch/lora_step.py takes, so both sides run the same shape and batch.
 */
import { parameterCount, type ModelConfig } from "../../src/model/config.ts";

export interface BenchConfig {
    /** Name used on the command line and in the results. */
    name: string;
    model: ModelConfig;
    /** Training batch rows. */
    batch: number;
    /** Training sequence length. */
    seq: number;
    /** Generation batch sizes to time (decode with the KV cache). */
    genBatches: number[];
    /** Timed training steps (best-of / median over these), after `warmup` untimed ones. */
    steps: number;
    warmup: number;
    /** Timed generation repetitions, after one untimed one. */
    genReps: number;
}

function qwen3(vocab: number, hidden: number, layers: number, heads: number, kvHeads: number, headDim: number, ffn: number): ModelConfig {
    return {
        modelType: "qwen3", vocabSize: vocab, hiddenSize: hidden, intermediateSize: ffn, numLayers: layers,
        numHeads: heads, numKvHeads: kvHeads, headDim, rmsNormEps: 1e-6, ropeTheta: 1_000_000, ropeScaling: null,
        maxPositionEmbeddings: 40960, tieWordEmbeddings: true, attentionBias: false, qkNorm: true,
        torchDtype: "float32", bosTokenId: null, eosTokenId: [],
    };
}

/** All configs; `quick` shortens the timing loops (for smoke runs, not for reported figures). */
export function benchConfigs(quick: boolean): BenchConfig[] {
    const steps = quick ? 3 : 10, warmup = quick ? 1 : 2, genReps = quick ? 1 : 3;
    return [
        { name: "tiny", model: qwen3(4096, 128, 4, 4, 2, 32, 384), batch: 8, seq: 128, genBatches: [1, 32], steps, warmup, genReps },
        { name: "small", model: qwen3(8192, 384, 8, 6, 2, 64, 1024), batch: 8, seq: 128, genBatches: [1, 32], steps, warmup, genReps },
        // ~4 GB of fp32 weights: one row of 256 tokens for training, batch 1 for generation.
        { name: "0.6b", model: qwen3(151936, 1024, 28, 16, 8, 128, 3072), batch: 1, seq: 256, genBatches: [1], steps: quick ? 2 : 4, warmup: 1, genReps: quick ? 1 : 2 },
    ];
}

/** The JSON `--config` bench/torch/lora_step.py expects for this shape. */
export function torchConfigJson(c: BenchConfig): string {
    const m = c.model;
    return JSON.stringify({
        vocab: m.vocabSize, hidden: m.hiddenSize, layers: m.numLayers, heads: m.numHeads, kv_heads: m.numKvHeads,
        head_dim: m.headDim, ffn: m.intermediateSize, batch: c.batch, seq: c.seq,
    });
}

/** Parameters of the adapter on all 7 projections: r * (in + out) per projection per layer. */
export function loraParameterCount(m: ModelConfig, r: number): number {
    const q = m.numHeads * m.headDim, kv = m.numKvHeads * m.headDim, h = m.hiddenSize, f = m.intermediateSize;
    const perLayer = (h + q) + 2 * (h + kv) + (q + h) + 2 * (h + f) + (f + h);
    return m.numLayers * r * perLayer;
}

export interface FlopsPerToken {
    /** Matmul parameters: everything but the embedding lookup, plus the lm_head matmul (tied or not). */
    n: number;
    /** Trainable LoRA parameters. */
    nLora: number;
    /** 4N convention (frozen base: forward 2N + input gradients 2N; LoRA params 6 each) + attention. */
    lora4n: number;
    /** 6N convention (as if every weight got a gradient) + attention. */
    full6n: number;
}

/**
 * FLOPs per trained token. Attention scores and the weighted sum are 12·L·H·D·T per token for forward and
 * backward (nanoGPT's estimate_mfu term, full T×T as eager attention computes it).
 */
export function flopsPerToken(m: ModelConfig, seq: number, r: number, adapters = 1): FlopsPerToken {
    const embedding = m.vocabSize * m.hiddenSize;
    const n = parameterCount(m) - (m.tieWordEmbeddings ? 0 : embedding);
    const nLoraOne = loraParameterCount(m, r);
    const attention = 12 * m.numLayers * m.numHeads * m.headDim * seq;
    // Frozen extra adapters cost forward + input gradient like the base: 4 per parameter.
    const frozenLora = (adapters - 1) * nLoraOne;
    return {
        n,
        nLora: nLoraOne,
        lora4n: 4 * (n + frozenLora) + 6 * nLoraOne + attention,
        full6n: 6 * (n + frozenLora + nLoraOne) + attention,
    };
}

/** The fp32 peak used for MFU; shared with the training logs (src/train/progress.ts). */
export { cpuPeakFlops } from "../../src/train/progress.ts";
