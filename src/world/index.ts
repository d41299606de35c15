/**
 * The tiny world: a synthetic chat language with checkable facts, from which the project trains its own small
 * base chat model. Re-exports the public API of src/world/.
 */
export * from "./types.ts";
export * from "./pools.ts";
export * from "./text.ts";
export * from "./answers.ts";
export * from "./introspection.ts";
export * from "./tasks.ts";
export * from "./check.ts";
export * from "./corpus.ts";
export * from "./stats.ts";
export * from "./wider.ts";
