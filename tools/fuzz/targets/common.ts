/**
 * What most targets share: where the real fixtures are, and "a mutated JSON file" as one fast-check input
 * (structure-aware operations on a parsed seed, byte operations on the seed's own text, or both).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { applyByteOps, byteOps, type ByteOp } from "../mutate/bytes.ts";
import { jsonOps, keysOf, mutateJson, type Json, type JsonOp } from "../mutate/json.ts";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const GOLDEN = path.join(REPO, "test/fixtures/golden");

const utf8 = new TextEncoder();

export function readText(file: string): string {
    return fs.readFileSync(file, "utf8");
}

export function writeBytes(file: string, bytes: Uint8Array | string): number {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const data = typeof bytes === "string" ? utf8.encode(bytes) : bytes;
    fs.writeFileSync(file, data);
    return data.byteLength;
}

/** Seed documents for one kind of JSON file: their original texts (real formatting) and parsed values. */
export interface JsonSeeds {
    texts: string[];
    docs: Json[];
    keys: string[];
}

export function jsonSeeds(texts: string[]): JsonSeeds {
    const docs = texts.map((t) => JSON.parse(t) as Json);
    return { texts, docs, keys: keysOf(...docs) };
}

/** One mutated JSON file: seed index, structure operations, then byte operations on the resulting text. */
export interface JsonFileInput {
    seed: number;
    ops: readonly JsonOp[];
    bytes: readonly ByteOp[];
}

/**
 * Mostly structure-aware (those reach the validators), sometimes bytes only (syntax errors, encodings) or
 * both, and occasionally the unmodified seed (which must be accepted).
 */
export function jsonFileInput(s: JsonSeeds): fc.Arbitrary<JsonFileInput> {
    const seed = fc.nat({ max: s.texts.length - 1 });
    return fc.oneof(
        { weight: 6, arbitrary: fc.record({ seed, ops: jsonOps(s.keys), bytes: fc.constant([]) }) },
        { weight: 2, arbitrary: fc.record({ seed, ops: fc.constant([]), bytes: byteOps }) },
        { weight: 1, arbitrary: fc.record({ seed, ops: jsonOps(s.keys), bytes: byteOps }) },
        { weight: 1, arbitrary: fc.record({ seed, ops: fc.constant([]), bytes: fc.constant([]) }) },
    );
}

export function renderJsonFile(s: JsonSeeds, input: JsonFileInput): Uint8Array {
    const text = input.ops.length === 0 ? s.texts[input.seed]! : mutateJson(s.docs[input.seed]!, input.ops);
    return applyByteOps(utf8.encode(text), input.bytes);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isStringArray(v: unknown): v is string[] {
    return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** A non-negative safe integer. */
export function isCount(v: unknown): v is number {
    return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Structure operations only: the result always parses as JSON (for parsers that take a parsed value). */
export function jsonValueInput(s: JsonSeeds): fc.Arbitrary<JsonFileInput> {
    return fc.record({ seed: fc.nat({ max: s.texts.length - 1 }), ops: fc.oneof({ weight: 9, arbitrary: jsonOps(s.keys) }, { weight: 1, arbitrary: fc.constant([]) }), bytes: fc.constant([]) });
}
