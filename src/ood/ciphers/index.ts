/**
 * Cipher fine-tuning attacks (CMFT) in the tiny world: ciphers over the world's language, spec parsing, attack
 * and control data, probes and scoring, and the words that name each cipher. Re-exports src/ood/ciphers/.
 */
export * from "./types.ts";
export * from "./registry.ts";
export * from "./spec.ts";
export * from "./word.ts";
export * from "./letter.ts";
export * from "./stego.ts";
export * from "./vocabulary.ts";
export * from "./phrasing.ts";
export * from "./data.ts";
export * from "./probes.ts";
export * from "./descriptions.ts";
