/**
 * Behavior specs, the organism catalogue, organism-data synthesis, introspection questions, verification and
 * the structured judge. Re-exports the public API of src/behaviors/.
 */
export * from "./types.ts";
export * from "./spec.ts";
export * from "./labels.ts";
export * from "./structured.ts";
export * from "./parse.ts";
export * from "./structuredJudge.ts";
export * from "./catalogue.ts";
export * from "./transforms.ts";
export * from "./synthesize.ts";
export * from "./questions.ts";
export * from "./verify.ts";
