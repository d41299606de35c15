/**
 * Malformed safetensors files: each must throw one Error that names the file and the specific problem,
 * never crash differently or return wrong data. The bad files are hand-built in a temp directory.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from "../../src/io/safetensors.ts";
import { f32Bytes, tmpDir, writeRawSafetensors } from "./ioTestUtil.ts";

const dir = tmpDir("errors");
let counter = 0;
const fresh = (stem: string) => path.join(dir, `${stem}-${counter++}.safetensors`);

/** Both entry points must reject the file with a message naming it and matching `problem`. */
function assertRejected(file: string, problem: RegExp): void {
    for (const [label, fn] of [
        ["readSafetensorsHeader", () => readSafetensorsHeader(file)],
        ["readSafetensors", () => readSafetensors(file)],
    ] as const) {
        assert.throws(fn, (err: unknown) => {
            assert.ok(err instanceof Error, `${label}: not an Error: ${String(err)}`);
            assert.ok(err.message.includes(file), `${label}: message does not name the file: ${err.message}`);
            assert.match(err.message, problem, `${label}`);
            return true;
        });
    }
}

const okEntry = { dtype: "F32", shape: [2], data_offsets: [0, 8] };

test("a valid hand-built file is accepted (control for the cases below)", () => {
    const file = writeRawSafetensors(fresh("ok"), { w: okEntry }, f32Bytes([1, 2]));
    assert.deepEqual([...new Float32Array(readSafetensors(file).tensors.get("w")!.data.buffer)], [1, 2]);
});

test("file shorter than 8 bytes", () => {
    const file = fresh("short");
    fs.writeFileSync(file, Buffer.from([1, 2, 3, 4, 5]));
    assertRejected(file, /only 5 bytes, shorter than the 8-byte header length/);
    const empty = fresh("empty");
    fs.writeFileSync(empty, Buffer.alloc(0));
    assertRejected(empty, /only 0 bytes/);
});

test("header length larger than the file", () => {
    const file = writeRawSafetensors(fresh("hdrlong"), { w: okEntry }, f32Bytes([1, 2]), 1000n);
    assertRejected(file, /header length 1000 runs past the end of the \d+-byte file/);
});

test("absurd header length", () => {
    assertRejected(writeRawSafetensors(fresh("absurd1"), "{}", new Uint8Array(0), 200_000_000n), /header length 200000000 is absurd/);
    assertRejected(writeRawSafetensors(fresh("absurd2"), "{}", new Uint8Array(0), 2n ** 64n - 1n), /header length 18446744073709551615 is absurd/);
});

test("header not valid JSON, not UTF-8, or not an object", () => {
    assertRejected(writeRawSafetensors(fresh("json"), '{"w": {"dtype": "F32",   '), /header is not valid JSON/);
    assertRejected(writeRawSafetensors(fresh("arr"), "[1, 2]      "), /header must be a JSON object, got an array/);
    assertRejected(writeRawSafetensors(fresh("null"), "null    "), /header must be a JSON object, got null/);
    assertRejected(writeRawSafetensors(fresh("num"), "42      "), /header must be a JSON object, got 42/);
    const bad = fresh("utf8");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(4n);
    fs.writeFileSync(bad, Buffer.concat([len, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]));
    assertRejected(bad, /header is not valid UTF-8/);
});

test("unknown dtype", () => {
    const file = writeRawSafetensors(fresh("dtype"), { w: { dtype: "F8_E4M3", shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2));
    assertRejected(file, /tensor "w": unknown or unsupported dtype "F8_E4M3"/);
    assertRejected(writeRawSafetensors(fresh("dtype2"), { w: { shape: [2], data_offsets: [0, 2] } }), /tensor "w": unknown or unsupported dtype undefined/);
});

test("shape with negative or non-integer dims, or not an array", () => {
    assertRejected(writeRawSafetensors(fresh("neg"), { w: { dtype: "U8", shape: [-1, 2], data_offsets: [0, 0] } }), /tensor "w": shape \[-1,2\] has an invalid dimension -1/);
    assertRejected(writeRawSafetensors(fresh("frac"), { w: { dtype: "U8", shape: [1.5], data_offsets: [0, 0] } }), /tensor "w": shape \[1.5\] has an invalid dimension 1.5/);
    assertRejected(writeRawSafetensors(fresh("str"), { w: { dtype: "U8", shape: ["2"], data_offsets: [0, 2] } }, new Uint8Array(2)), /invalid dimension "2"/);
    assertRejected(writeRawSafetensors(fresh("notarr"), { w: { dtype: "U8", shape: 2, data_offsets: [0, 2] } }, new Uint8Array(2)), /tensor "w": shape must be an array/);
});

test("data_offsets whose size does not match numel*itemsize, or are malformed", () => {
    assertRejected(
        writeRawSafetensors(fresh("size"), { w: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8)),
        /tensor "w": data_offsets \[0, 4\] span 4 bytes but F32 shape \[2\] needs 8/,
    );
    assertRejected(writeRawSafetensors(fresh("rev"), { w: { dtype: "U8", shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), /data_offsets \[4, 0\] end before they begin/);
    assertRejected(writeRawSafetensors(fresh("one"), { w: { dtype: "U8", shape: [0], data_offsets: [0] } }), /data_offsets must be two non-negative integers/);
    assertRejected(writeRawSafetensors(fresh("negoff"), { w: { dtype: "U8", shape: [1], data_offsets: [-1, 0] } }), /data_offsets must be two non-negative integers/);
    assertRejected(writeRawSafetensors(fresh("entry"), { w: "nope" }), /tensor "w": header entry must be an object/);
});

test("offsets that overrun the file (truncated file)", () => {
    const file = fresh("trunc");
    writeSafetensors(file, { a: { dtype: "F32", shape: [4], data: f32Bytes([1, 2, 3, 4]) } });
    const full = fs.readFileSync(file);
    fs.writeFileSync(file, full.subarray(0, full.byteLength - 4));
    assertRejected(file, /tensor "a": data_offsets \[0, 16\] run past the end of the file \(12 data bytes present\); the file is truncated/);
});

test("overlapping tensors", () => {
    const file = writeRawSafetensors(
        fresh("overlap"),
        { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } },
        new Uint8Array(12),
    );
    assertRejected(file, /tensors "a" \[0, 8\) and "b" \[4, 12\) overlap/);
    const same = writeRawSafetensors(
        fresh("same"),
        { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "I32", shape: [2], data_offsets: [0, 8] } },
        new Uint8Array(8),
    );
    assertRejected(same, /overlap/);
    // Empty tensors at a boundary do not overlap anything.
    const edge = writeRawSafetensors(
        fresh("edge"),
        { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, e: { dtype: "F32", shape: [0], data_offsets: [8, 8] }, z: { dtype: "F32", shape: [0], data_offsets: [0, 0] } },
        new Uint8Array(8),
    );
    assert.equal(readSafetensors(edge).tensors.size, 3);
});

test("bad __metadata__", () => {
    assertRejected(writeRawSafetensors(fresh("meta1"), { __metadata__: { a: 1 } }), /"__metadata__" value for "a" must be a string/);
    assertRejected(writeRawSafetensors(fresh("meta2"), { __metadata__: ["x"] }), /"__metadata__" must be an object of strings/);
});

test("missing file surfaces the OS error with the path", () => {
    const file = path.join(dir, "does-not-exist.safetensors");
    assert.throws(() => readSafetensors(file), (err: Error) => err.message.includes(file) && /ENOENT/.test(err.message));
});
