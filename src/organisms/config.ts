/**
 * Organism training configuration with its defaults (tiny world). Organisms are LoRA adapters on the base, one
 * per behavior spec, trained many at a time with per-row adapters (LoraBank).
 */
import type { LoraConfig } from "../lora/adapter.ts";

export interface OrganismTrainConfig {
    /** LoRA shape of each organism. Default r 4, alpha 8, no dropout, all 7 projections (prototype: rank 4 sufficed). */
    lora: LoraConfig;
    /** Organisms trained together in one bank (one forward carries rows of all of them). Default 64. */
    bankSize: number;
    /** Passes over each organism's data. Default 4 (2 left most backdoor/rare organisms unverified on the nano base). */
    epochs: number;
    /** Rows per optimizer step (mixed across the bank's organisms). Default 64. */
    batchRows: number;
    /** Learning rate. Default 4e-3 (small LoRAs on a small base; chosen on organism verification rates). */
    lr: number;
    /** Truncation length in tokens. Default 160. */
    maxLength: number;
    seed: number;
}

export const ORGANISM_DEFAULTS: OrganismTrainConfig = {
    lora: { r: 4, alpha: 8, dropout: 0, useRslora: false, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] },
    bankSize: 64,
    epochs: 4,
    batchRows: 64,
    lr: 4e-3,
    maxLength: 160,
    seed: 1,
};
