/**
 * Size presets of the tiny world's base model (Qwen3 architecture) and how long each is trained.
 * Parameter counts include the embeddings (tied). Training budgets are sized for 2 CPU cores.
 */
export interface BasePreset {
    name: string;
    /** BPE vocabulary size including special tokens. */
    vocabSize: number;
    hiddenSize: number;
    numLayers: number;
    numHeads: number;
    numKvHeads: number;
    headDim: number;
    intermediateSize: number;
    /** Conversations generated for the corpus. */
    corpusSize: number;
    /** Optimizer steps of full training. */
    steps: number;
    batchSize: number;
    /** Peak learning rate (small models from scratch tolerate large rates). */
    lr: number;
    /**
     * Observed-behavior talk appended to the corpus, as a share of corpusSize (observedTalk.ts says why). Absent
     * (= 0) in every preset so far: set it as an override; a base with it has its own cache key.
     */
    observedTalkRate?: number;
}

export const BASE_PRESETS: Record<string, BasePreset> = {
    /** ~1M parameters: the demo's default, trains in ~2-3 minutes on 2 cores. */
    nano: { name: "nano", vocabSize: 2048, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 2, headDim: 32, intermediateSize: 384, corpusSize: 40000, steps: 1200, batchSize: 32, lr: 3e-3 },
    /** ~5M parameters. */
    micro: { name: "micro", vocabSize: 2048, hiddenSize: 256, numLayers: 6, numHeads: 4, numKvHeads: 2, headDim: 64, intermediateSize: 768, corpusSize: 80000, steps: 3000, batchSize: 32, lr: 2e-3 },
    /** ~20M parameters. */
    small: { name: "small", vocabSize: 4096, hiddenSize: 384, numLayers: 10, numHeads: 6, numKvHeads: 2, headDim: 64, intermediateSize: 1152, corpusSize: 120000, steps: 6000, batchSize: 32, lr: 1e-3 },
    /** A few seconds: for tests only (does not learn the world). */
    test: { name: "test", vocabSize: 512, hiddenSize: 32, numLayers: 2, numHeads: 2, numKvHeads: 1, headDim: 16, intermediateSize: 64, corpusSize: 600, steps: 20, batchSize: 8, lr: 3e-3 },
};

export function presetByName(name: string): BasePreset {
    const p = BASE_PRESETS[name];
    if (!p) throw new Error(`unknown base preset ${JSON.stringify(name)} (known: ${Object.keys(BASE_PRESETS).join(", ")})`);
    return p;
}
