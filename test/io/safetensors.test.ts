/**
 * safetensors read/write: round trips over dtypes (incl. 0-d and empty tensors), header alignment, metadata,
 * name-restricted reads that touch only the requested bytes, and byte-exact output.
 *
 * Byte-exact checks: Python's `safetensors` package is not installed here (no PyPI), so the expected bytes
 * are built by hand from the format spec and the reference implementation's rules (safetensors/src/tensor.rs:
 * compact serde_json header, `__metadata__` first, tensors sorted by dtype in descending enum order then by
 * name, header padded with spaces to a multiple of 8, offsets relative to the data section). The first three
 * examples reproduce the expected byte vectors of that library's own unit tests (test_serialization,
 * test_serialization_forced_alignement, test_empty).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { mock, test } from "node:test";
import {
    dtypeItemSize,
    f32ToBf16Bytes,
    f32ToF16Bytes,
    readSafetensors,
    readSafetensorsHeader,
    writeSafetensors,
    type RawTensor,
    type SafeDType,
} from "../../src/io/safetensors.ts";
import { f32Bytes, i64Bytes, tmpDir } from "./ioTestUtil.ts";

const dir = tmpDir("safetensors");
let counter = 0;
const fresh = (stem: string) => path.join(dir, `${stem}-${counter++}.safetensors`);

/** `8-byte LE length + header text (+ the given number of pad spaces) + data`, assembled by hand. */
function expectedFile(headerText: string, padSpaces: number, data: number[]): Buffer {
    const header = Buffer.from(headerText + " ".repeat(padSpaces), "utf8");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.byteLength));
    return Buffer.concat([len, header, Buffer.from(data)]);
}

const F32_0_TO_5 = [0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xa0, 0x40];

test("byte-exact: one F32 tensor whose header needs no padding", () => {
    const file = fresh("exact1");
    writeSafetensors(file, { "attn.0": { dtype: "F32", shape: [1, 2, 3], data: f32Bytes([0, 1, 2, 3, 4, 5]) } });
    const want = expectedFile(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, 0, F32_0_TO_5);
    assert.equal(want.readBigUInt64LE(0), 64n);
    assert.deepEqual(fs.readFileSync(file), want);
});

test("byte-exact: header padded with spaces to 8-byte alignment", () => {
    const file = fresh("exact2");
    writeSafetensors(file, { attn0: { dtype: "F32", shape: [1, 1, 2, 3], data: f32Bytes([0, 1, 2, 3, 4, 5]) } });
    const want = expectedFile(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}`, 7, F32_0_TO_5);
    assert.equal(want.readBigUInt64LE(0), 72n);
    assert.deepEqual(fs.readFileSync(file), want);
});

test("byte-exact: no tensors, with and without metadata", () => {
    const a = fresh("exact3");
    writeSafetensors(a, new Map());
    assert.deepEqual([...fs.readFileSync(a)], [8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]);
    const b = fresh("exact4");
    writeSafetensors(b, {}, { framework: "pt" });
    assert.deepEqual(fs.readFileSync(b), expectedFile(`{"__metadata__":{"framework":"pt"}}`, 5, []));
});

test("byte-exact: mixed dtypes are ordered by dtype (descending) then name, metadata first", () => {
    const file = fresh("exact5");
    const tensors = new Map<string, RawTensor>([
        ["dd", { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) }],
        ["b", { dtype: "F32", shape: [2], data: f32Bytes([1, -2]) }],
        ["a", { dtype: "BF16", shape: [2], data: new Uint8Array([0x80, 0x3f, 0x00, 0x3f]) }],
        ["c", { dtype: "I64", shape: [], data: i64Bytes([7n]) }],
    ]);
    writeSafetensors(file, tensors, { format: "pt" });
    const header =
        `{"__metadata__":{"format":"pt"},` +
        `"c":{"dtype":"I64","shape":[],"data_offsets":[0,8]},` +
        `"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},` +
        `"a":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]},` +
        `"dd":{"dtype":"U8","shape":[3],"data_offsets":[20,23]}}`;
    const data = [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0x80, 0x3f, 0x00, 0x3f, 1, 2, 3];
    assert.deepEqual(fs.readFileSync(file), expectedFile(header, 7, data));
});

test("names sort by UTF-8 bytes like the Rust library, not by UTF-16 units", () => {
    const file = fresh("order");
    const names = ["\u{1F600}", "\uFFFD", "a", "B", "_", "10", "9"];
    const one = (): RawTensor => ({ dtype: "U8", shape: [1], data: new Uint8Array([0]) });
    writeSafetensors(file, Object.fromEntries(names.map((n) => [n, one()])));
    const { entries } = readSafetensorsHeader(file);
    const byOffset = [...entries].sort((x, y) => x[1].begin - y[1].begin).map(([n]) => n);
    assert.deepEqual(byOffset, ["10", "9", "B", "_", "a", "\uFFFD", "\u{1F600}"]);
});

/** One tensor of each supported dtype plus 0-d and empty cases. */
function sampleTensors(): Map<string, RawTensor> {
    const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed) & 0xff);
    return new Map<string, RawTensor>([
        ["model.f32", { dtype: "F32", shape: [2, 3], data: f32Bytes([1.5, -2.25, 3, 0, -0, 1e-30]) }],
        ["model.bf16", { dtype: "BF16", shape: [4], data: f32ToBf16Bytes(new Float32Array([1, -2, 0.5, 3.140625])) }],
        ["model.f16", { dtype: "F16", shape: [2, 2], data: f32ToF16Bytes(new Float32Array([1, -2, 0.1, 65504])) }],
        ["model.i64", { dtype: "I64", shape: [3], data: i64Bytes([-1n, 2n ** 62n, 123456789012345n]) }],
        ["scalar.f32", { dtype: "F32", shape: [], data: f32Bytes([42.5]) }],
        ["scalar.i64", { dtype: "I64", shape: [], data: i64Bytes([-7n]) }],
        ["empty.f32", { dtype: "F32", shape: [0, 4], data: new Uint8Array(0) }],
        ["empty.bf16", { dtype: "BF16", shape: [0], data: new Uint8Array(0) }],
        ["other.f64", { dtype: "F64", shape: [2], data: bytes(16, 1) }],
        ["other.i32", { dtype: "I32", shape: [1, 3], data: bytes(12, 2) }],
        ["other.i16", { dtype: "I16", shape: [3], data: bytes(6, 3) }],
        ["other.i8", { dtype: "I8", shape: [5], data: bytes(5, 4) }],
        ["other.u8", { dtype: "U8", shape: [1, 1, 7], data: bytes(7, 5) }],
        ["other.bool", { dtype: "BOOL", shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ]);
}

function assertSameTensors(got: Map<string, RawTensor>, want: Map<string, RawTensor>): void {
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [name, w] of want) {
        const g = got.get(name)!;
        assert.equal(g.dtype, w.dtype, name);
        assert.deepEqual(g.shape, w.shape, name);
        assert.deepEqual(Buffer.from(g.data), Buffer.from(w.data), name);
    }
}

test("round trip of every dtype incl. 0-d scalars and empty tensors", () => {
    const file = fresh("roundtrip");
    const tensors = sampleTensors();
    writeSafetensors(file, tensors);
    const { tensors: back, metadata } = readSafetensors(file);
    assertSameTensors(back, tensors);
    assert.deepEqual(metadata, {});
    // Readers hand back tensors that own their buffer, so typed views over `.buffer` see the right values.
    const f32 = back.get("model.f32")!;
    assert.equal(f32.data.byteOffset, 0);
    assert.deepEqual([...new Float32Array(f32.data.buffer)], [1.5, -2.25, 3, 0, -0, Math.fround(1e-30)]);
    assert.deepEqual([...new BigInt64Array(back.get("model.i64")!.data.buffer)], [-1n, 2n ** 62n, 123456789012345n]);
    assert.equal(new Float32Array(back.get("scalar.f32")!.data.buffer)[0], 42.5);
    assert.equal(back.get("empty.f32")!.data.byteLength, 0);
    // A Record is accepted too and produces the identical file.
    const file2 = fresh("roundtrip-record");
    writeSafetensors(file2, Object.fromEntries(tensors));
    assert.deepEqual(fs.readFileSync(file2), fs.readFileSync(file));
    // No temp files are left behind.
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes(".tmp-")), []);
});

test("header: absolute offsets, 8-byte aligned header, every tensor aligned to its item size", () => {
    const dtypes: SafeDType[] = ["U8", "BF16", "F64", "I8", "F32", "I64", "F16", "I32", "BOOL", "I16"];
    for (let nameLen = 1; nameLen <= 12; nameLen++) {
        const file = fresh("align");
        const tensors = new Map<string, RawTensor>();
        dtypes.forEach((dtype, i) => {
            const shape = [1 + ((i + nameLen) % 3)];
            tensors.set(`${"x".repeat(nameLen)}${i}`, { dtype, shape, data: new Uint8Array(shape[0]! * dtypeItemSize(dtype)).fill(i + 1) });
        });
        writeSafetensors(file, tensors, { k: "v".repeat(nameLen) });
        const raw = fs.readFileSync(file);
        const n = Number(raw.readBigUInt64LE(0));
        assert.equal(n % 8, 0, `header length ${n}`);
        const text = raw.subarray(8, 8 + n).toString("utf8");
        assert.match(text, /^\{.*\} *$/s);
        assert.ok(n - Buffer.byteLength(text.trimEnd()) < 8, "padding must be minimal");
        const { entries, dataStart, metadata } = readSafetensorsHeader(file);
        assert.equal(dataStart, 8 + n);
        assert.deepEqual(metadata, { k: "v".repeat(nameLen) });
        assert.equal(Math.min(...[...entries.values()].map((e) => e.begin)), dataStart);
        assert.equal(Math.max(...[...entries.values()].map((e) => e.end)), raw.byteLength);
        for (const [name, e] of entries) {
            const t = tensors.get(name)!;
            assert.equal(e.dtype, t.dtype);
            assert.deepEqual(e.shape, t.shape);
            assert.equal(e.begin % dtypeItemSize(e.dtype), 0, `${name} (${e.dtype}) begins at ${e.begin}`);
            assert.deepEqual(raw.subarray(e.begin, e.end), Buffer.from(t.data), name);
        }
    }
});

test("metadata round trip, including unicode, escapes and integer-like keys", () => {
    const file = fresh("meta");
    const metadata = { format: "pt", "10": "ten", "2": "two", note: 'quote " backslash \\ newline \n tab \t ctrl \u0001 ünï 😀', empty: "" };
    writeSafetensors(file, { w: { dtype: "F32", shape: [1], data: f32Bytes([1]) } }, metadata);
    assert.deepEqual(readSafetensors(file).metadata, metadata);
    assert.deepEqual(readSafetensorsHeader(file).metadata, metadata);
    // Keys are written in sorted (byte) order for determinism.
    const text = fs.readFileSync(file).subarray(8).toString("utf8");
    assert.ok(text.startsWith(`{"__metadata__":{"10":"ten","2":"two","empty":"","format":"pt","note":`), text);
});

test("readSafetensors with names reads only those tensors' bytes, in the requested order", () => {
    const file = fresh("names");
    const big = new Uint8Array(4 << 20).fill(9);
    writeSafetensors(file, {
        big: { dtype: "U8", shape: [big.byteLength], data: big },
        small: { dtype: "F32", shape: [2], data: f32Bytes([5, 6]) },
        tiny: { dtype: "I64", shape: [], data: i64Bytes([3n]) },
    });
    const spy = mock.method(fs, "readSync");
    let bytesRead = 0;
    try {
        const { tensors } = readSafetensors(file, { names: ["tiny", "small"] });
        for (const call of spy.mock.calls) bytesRead += call.result as number;
        assert.deepEqual([...tensors.keys()], ["tiny", "small"]);
        assert.deepEqual([...new Float32Array(tensors.get("small")!.data.buffer)], [5, 6]);
    } finally {
        spy.mock.restore();
    }
    assert.ok(spy.mock.callCount() > 0, "reads must go through fs.readSync");
    assert.ok(bytesRead < 4096, `read ${bytesRead} bytes for 16 bytes of tensors`);
    assert.throws(() => readSafetensors(file, { names: ["small", "nope"] }), (err: Error) => err.message.includes(file) && /no tensor named "nope"/.test(err.message));
});

test("writeSafetensors rejects bad tensors without leaving a file", () => {
    const file = fresh("badwrite");
    const cases: [Record<string, RawTensor>, RegExp][] = [
        [{ w: { dtype: "F32", shape: [2], data: new Uint8Array(4) } }, /tensor "w": data has 4 bytes but F32 shape \[2\] needs 8/],
        [{ w: { dtype: "Q4" as SafeDType, shape: [2], data: new Uint8Array(2) } }, /tensor "w": unknown dtype "Q4"/],
        [{ w: { dtype: "U8", shape: [-1], data: new Uint8Array(0) } }, /tensor "w": shape \[-1\] has an invalid dimension -1/],
        [{ w: { dtype: "U8", shape: [1.5], data: new Uint8Array(0) } }, /invalid dimension 1.5/],
        [{ __metadata__: { dtype: "U8", shape: [0], data: new Uint8Array(0) } }, /cannot be named "__metadata__"/],
        [{ ["bad\uD800"]: { dtype: "U8", shape: [0], data: new Uint8Array(0) } }, /lone UTF-16 surrogate/],
    ];
    for (const [tensors, re] of cases) {
        assert.throws(() => writeSafetensors(file, tensors), (err: Error) => err.message.startsWith(file) && re.test(err.message), String(re));
    }
    assert.throws(() => writeSafetensors(file, {}, { k: 1 as unknown as string }), /metadata value for "k" must be a string/);
    assert.equal(fs.existsSync(file), false);
});
