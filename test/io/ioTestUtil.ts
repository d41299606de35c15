/**
 * Shared helpers for the safetensors tests: a per-file temp directory under os.tmpdir() and a builder for
 * hand-made (possibly malformed) safetensors files. Test support only.
 */
import fs from "node:fs";
import { tempDir } from "../helpers/tempDir.ts";

/** A fresh temp directory, removed when the test file finishes (../helpers/tempDir.ts). */
export function tmpDir(prefix: string): string {
    return tempDir(`ia-io-${prefix}`);
}

/**
 * Writes `8-byte length + header + data` verbatim. `header` objects are JSON-stringified; `headerLength`
 * overrides the length field to fake corrupt files.
 */
export function writeRawSafetensors(file: string, header: string | object, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): string {
    const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(headerLength ?? BigInt(json.byteLength));
    fs.writeFileSync(file, Buffer.concat([len, json, data]));
    return file;
}

/** Little-endian bytes of float32 values. */
export function f32Bytes(values: number[]): Uint8Array {
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return out;
}

/** Little-endian bytes of int64 values. */
export function i64Bytes(values: bigint[]): Uint8Array {
    const out = new Uint8Array(values.length * 8);
    const view = new DataView(out.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
    return out;
}
