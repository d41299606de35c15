/**
 * The SFT run configuration: every field with its default, in one place. The resolved config is saved as
 * `<out>/config.json` next to the artifacts.
 */
import type { LoraConfig } from "../lora/adapter.ts";

export interface SftConfig {
    /** Hugging Face model folder (config.json, *.safetensors, tokenizer.json, tokenizer_config.json). Required. */
    model: string;
    /** Chat JSONL with {"messages": [...]} per line. Required. */
    data: string;
    /** Output folder: adapter/ (or model/), checkpoint/, metrics.jsonl, config.json. Required. */
    out: string;
    /** "lora" trains a new adapter; "full" trains every weight (small models only). Default "lora". */
    mode: "lora" | "full";
    /** LoRA shape when mode is "lora". Default r 16, alpha 32, dropout 0.05, all 7 projections. */
    lora: LoraConfig;
    /** Frozen adapters active underneath during training, as "dir" or "dir:scale". Default none. */
    frozenAdapters: string[];
    /** Passes over the data. Default 1. */
    epochs: number;
    /** Overrides epochs when > 0. Default 0. */
    maxSteps: number;
    /** Sequences per micro-batch. Default 8. */
    batchSize: number;
    /** Micro-batches per optimizer step. Default 1. */
    gradAccum: number;
    /** Truncate sequences to this many tokens. Default 1024. */
    maxLength: number;
    /** Peak learning rate. Default 1e-4 (LoRA; the paper's IA value). */
    lr: number;
    /** Warmup steps. Default 0.03 of total when < 1 (fraction) else a count. Default 0.03. */
    warmup: number;
    /** Decay after warmup. Default "cosine". */
    decay: "cosine" | "linear" | "constant";
    /** Final lr fraction. Default 0.1. */
    minLrRatio: number;
    /** AdamW decoupled weight decay. Default 0. */
    weightDecay: number;
    /** Global gradient-norm clip; 0 disables. Default 1.0. */
    gradClip: number;
    /** Seed for init, data order and dropout. Default 1547 (the paper's). */
    seed: number;
    /** "auto" | "cpu" | "cuda". Default "auto". */
    device: string;
    /** Log every n steps. Default 10. */
    logEvery: number;
    /** Checkpoint every n steps. Default 100. */
    checkpointEvery: number;
    /** Continue from <out>/checkpoint. Default false. */
    resume: boolean;
}

export const SFT_DEFAULTS: Omit<SftConfig, "model" | "data" | "out"> = {
    mode: "lora",
    lora: { r: 16, alpha: 32, dropout: 0.05, useRslora: false, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] },
    frozenAdapters: [],
    epochs: 1,
    maxSteps: 0,
    batchSize: 8,
    gradAccum: 1,
    maxLength: 1024,
    lr: 1e-4,
    warmup: 0.03,
    decay: "cosine",
    minLrRatio: 0.1,
    weightDecay: 0,
    gradClip: 1.0,
    seed: 1547,
    device: "auto",
    logEvery: 10,
    checkpointEvery: 100,
    resume: false,
};
