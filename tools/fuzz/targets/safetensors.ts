/**
 * safetensors files (src/io/safetensors.ts readSafetensors): the golden checkpoints and adapters plus small
 * files of every dtype, mutated as raw bytes (length field, header text, data) or through their JSON header
 * (dtype, shape, data_offsets, __metadata__) re-encoded with an exact or a lying length field.
 * An accepted file must yield tensors whose bytes match their dtype and shape and fit in the file.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { dtypeItemSize, readSafetensors, writeSafetensors, type RawTensor } from "../../../src/io/safetensors.ts";
import { defineTarget } from "../harness.ts";
import { applyByteOps, byteOps, concat, INTERESTING_U64, type ByteOp } from "../mutate/bytes.ts";
import { jsonOps, keysOf, mutateJson, type Json, type JsonOp } from "../mutate/json.ts";
import { GOLDEN, isRecord, writeBytes } from "./common.ts";

export type SafetensorsInput =
    | { kind: "bytes"; seed: number; ops: readonly ByteOp[] }
    | { kind: "header"; seed: number; ops: readonly JsonOp[]; length: bigint | null; data: readonly ByteOp[] };

export interface SafetensorsSeed {
    bytes: Uint8Array;
    header: Json;
    data: Uint8Array;
}

/** Small hand-made tensors covering every dtype, an empty tensor and metadata. */
export function smallTensors(): Map<string, RawTensor> {
    const t = (dtype: RawTensor["dtype"], shape: number[]): RawTensor => {
        const n = shape.reduce((a, b) => a * b, 1) * dtypeItemSize(dtype);
        return { dtype, shape, data: Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff) };
    };
    return new Map([
        ["weight", t("F32", [2, 3])],
        ["ids", t("I64", [4])],
        ["empty", t("BF16", [0, 5])],
        ["half", t("F16", [1, 1, 2])],
        ["bytes", t("U8", [3])],
        ["mask", t("BOOL", [2])],
        ["scalar", t("F64", [])],
        ["small", t("I8", [2, 2])],
        ["pair", t("I16", [2])],
        ["count", t("I32", [1])],
    ]);
}

/** Splits a valid safetensors file into its header JSON and data section. */
export function splitSafetensors(bytes: Uint8Array): SafetensorsSeed {
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Json;
    return { bytes, header, data: bytes.subarray(8 + n) };
}

export function loadSafetensorsSeeds(dir: string, goldenFiles: string[]): SafetensorsSeed[] {
    const made = path.join(dir, "small.safetensors");
    writeSafetensors(made, smallTensors(), { format: "pt", note: "fuzz seed" });
    const bare = path.join(dir, "bare.safetensors");
    writeSafetensors(bare, new Map([...smallTensors()].slice(0, 2)));
    return [...goldenFiles, made, bare].map((f) => splitSafetensors(new Uint8Array(fs.readFileSync(f))));
}

export function safetensorsInput(seeds: SafetensorsSeed[]): fc.Arbitrary<SafetensorsInput> {
    const seed = fc.nat({ max: seeds.length - 1 });
    const keys = keysOf(...seeds.map((s) => s.header));
    return fc.oneof(
        { weight: 2, arbitrary: fc.record({ kind: fc.constant("bytes" as const), seed, ops: byteOps }) },
        {
            weight: 3,
            arbitrary: fc.record({
                kind: fc.constant("header" as const),
                seed,
                ops: jsonOps(keys),
                // null: the exact length of the mutated header (the common case: it reaches the validation).
                length: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...INTERESTING_U64) }),
                data: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: byteOps }),
            }),
        },
    );
}

export function renderSafetensors(seeds: SafetensorsSeed[], input: SafetensorsInput): Uint8Array {
    const s = seeds[input.seed]!;
    if (input.kind === "bytes") return applyByteOps(s.bytes, input.ops);
    const header = new TextEncoder().encode(mutateJson(s.header, input.ops));
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, input.length ?? BigInt(header.byteLength), true);
    return concat(len, header, applyByteOps(s.data, input.data));
}

/** What an accepted read must satisfy; undefined when it does. */
export function checkTensors(tensors: Map<string, RawTensor>, fileSize: number): string | undefined {
    let total = 0;
    for (const [name, t] of tensors) {
        if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `tensor ${name}: bad shape ${String(t.shape)}`;
        const want = t.shape.reduce((a, b) => a * b, 1) * dtypeItemSize(t.dtype);
        if (!(t.data instanceof Uint8Array) || t.data.byteLength !== want) return `tensor ${name}: ${t.data.byteLength} bytes for ${t.dtype} [${t.shape}]`;
        total += want;
    }
    if (total > fileSize) return `tensors hold ${total} bytes but the file has ${fileSize}`;
    return undefined;
}

export default defineTarget({
    name: "safetensors",
    parser: "src/io/safetensors.ts readSafetensors",
    init: (dir) =>
        loadSafetensorsSeeds(dir, [
            path.join(GOLDEN, "qwen3-tiny/model.safetensors"),
            path.join(GOLDEN, "adapters/qwen3-a/adapter_model.safetensors"),
            path.join(GOLDEN, "adapters/qwen3-b/adapter_model.safetensors"),
        ]),
    arbitrary: safetensorsInput,
    prepare(seeds, input, dir) {
        const file = path.join(dir, "model.safetensors");
        const bytes = writeBytes(file, renderSafetensors(seeds, input));
        return {
            names: [file],
            bytes,
            call: () => readSafetensors(file),
            check: (r) => {
                const { tensors, metadata } = r as ReturnType<typeof readSafetensors>;
                if (!isRecord(metadata) || !Object.values(metadata).every((v) => typeof v === "string")) return "metadata is not an object of strings";
                return checkTensors(tensors, bytes);
            },
        };
    },
});
