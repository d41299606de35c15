/**
 * bf16 / f16 conversion against hand-computed bit patterns (round-to-nearest-even, overflow, subnormals,
 * NaN), plus exhaustive 16-bit -> f32 -> 16-bit round trips.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bf16BytesToF32, f16BytesToF32, f32ToBf16Bytes, f32ToF16Bytes } from "../../src/io/safetensors.ts";
import { Rng } from "../../src/util/rng.ts";

/** Encodes one value and returns the 16-bit pattern read back little-endian. */
function bits16(enc: (v: Float32Array) => Uint8Array, value: number): number {
    const bytes = enc(new Float32Array([value]));
    assert.equal(bytes.byteLength, 2);
    return bytes[0]! | (bytes[1]! << 8);
}

function le16(values: number[]): Uint8Array {
    const out = new Uint8Array(values.length * 2);
    values.forEach((v, i) => {
        out[2 * i] = v & 0xff;
        out[2 * i + 1] = v >>> 8;
    });
    return out;
}

const hex = (n: number) => `0x${n.toString(16).padStart(4, "0")}`;

test("f32 -> bf16 hand-computed values", () => {
    const cases: [number, number][] = [
        [1.0, 0x3f80],
        [-2.0, 0xc000],
        [0.0, 0x0000],
        [-0.0, 0x8000],
        [3.140625, 0x4049], // exactly representable
        [Math.PI, 0x4049], // 0x40490fdb: low half 0x0fdb < 0x8000 -> truncates
        [Infinity, 0x7f80],
        [-Infinity, 0xff80],
        [1 + 2 ** -8, 0x3f80], // exact tie between 0x3f80 and 0x3f81 -> even (0x3f80)
        [1 + 3 * 2 ** -8, 0x3f82], // exact tie between 0x3f81 and 0x3f82 -> even (0x3f82)
        [1 + 2 ** -8 + 2 ** -20, 0x3f81], // just above the tie -> up
        [3.4028234663852886e38, 0x7f80], // f32 max rounds up to inf, as torch does
        [2 ** -133, 0x0001], // smallest bf16 subnormal
    ];
    for (const [v, want] of cases) assert.equal(hex(bits16(f32ToBf16Bytes, v)), hex(want), `value ${v}`);
    assert.equal(hex(bits16(f32ToBf16Bytes, NaN)), hex(0x7fc0));
    // Little-endian byte order on disk.
    assert.deepEqual([...f32ToBf16Bytes(new Float32Array([1.0]))], [0x80, 0x3f]);
});

test("bf16 -> f32 hand-computed values", () => {
    const out = bf16BytesToF32(le16([0x3f80, 0xc000, 0x4049, 0xff80, 0x0001, 0x8000, 0x7fc0]));
    assert.equal(out[0], 1);
    assert.equal(out[1], -2);
    assert.equal(out[2], 3.140625);
    assert.equal(out[3], -Infinity);
    assert.equal(out[4], 2 ** -133);
    assert.ok(Object.is(out[5], -0));
    assert.ok(Number.isNaN(out[6]));
});

test("f32 -> f16 hand-computed values", () => {
    const cases: [number, number][] = [
        [1.0, 0x3c00],
        [-2.0, 0xc000],
        [-0.0, 0x8000],
        [0.1, 0x2e66],
        [1 / 3, 0x3555],
        [65504, 0x7bff], // f16 max
        [65519, 0x7bff], // below the tie -> stays finite
        [65520, 0x7c00], // tie between 65504 and 65536 -> even -> overflow to inf
        [1e6, 0x7c00],
        [-1e6, 0xfc00],
        [1 + 2 ** -11, 0x3c00], // tie -> even
        [1 + 3 * 2 ** -11, 0x3c02], // tie -> even (up)
        [2 ** -14, 0x0400], // smallest normal
        [2 ** -24, 0x0001], // smallest subnormal
        [2 ** -25, 0x0000], // tie between 0 and 2^-24 -> even (0)
        [3 * 2 ** -26, 0x0001], // above the tie -> up
        [3 * 2 ** -25, 0x0002], // 1.5 ulp tie -> even (2)
        [5 * 2 ** -25, 0x0002], // 2.5 ulp tie -> even (2)
        [1023.5 * 2 ** -24, 0x0400], // subnormal tie rounding up into the smallest normal
        [2 ** -30, 0x0000],
        [Infinity, 0x7c00],
    ];
    for (const [v, want] of cases) assert.equal(hex(bits16(f32ToF16Bytes, v)), hex(want), `value ${v}`);
    const nan = bits16(f32ToF16Bytes, NaN);
    assert.equal(nan & 0x7c00, 0x7c00);
    assert.notEqual(nan & 0x03ff, 0);
});

test("f16 -> f32 hand-computed values", () => {
    const out = f16BytesToF32(le16([0x3c00, 0x0001, 0x03ff, 0x7bff, 0xfc00, 0x7e00, 0x8000, 0x3555, 0x0200]));
    assert.equal(out[0], 1);
    assert.equal(out[1], 2 ** -24);
    assert.equal(out[2], 1023 * 2 ** -24);
    assert.equal(out[3], 65504);
    assert.equal(out[4], -Infinity);
    assert.ok(Number.isNaN(out[5]));
    assert.ok(Object.is(out[6], -0));
    assert.equal(out[7], 0.333251953125);
    assert.equal(out[8], 2 ** -15);
});

for (const [label, toF32, fromF32] of [
    ["bf16", bf16BytesToF32, f32ToBf16Bytes],
    ["f16", f16BytesToF32, f32ToF16Bytes],
] as const) {
    test(`${label}: every non-NaN 16-bit pattern survives 16 -> f32 -> 16`, () => {
        const all = new Uint8Array(65536 * 2);
        for (let i = 0; i < 65536; i++) {
            all[2 * i] = i & 0xff;
            all[2 * i + 1] = i >>> 8;
        }
        const f32 = toF32(all);
        const back = fromF32(f32);
        let nanCount = 0;
        for (let i = 0; i < 65536; i++) {
            const got = back[2 * i]! | (back[2 * i + 1]! << 8);
            if (Number.isNaN(f32[i])) {
                nanCount++;
                const exp = label === "bf16" ? 0x7f80 : 0x7c00;
                assert.ok((got & exp) === exp && (got & ~exp & 0x7fff) !== 0, `NaN ${hex(i)} -> ${hex(got)} is not NaN`);
                continue;
            }
            if (got !== i) assert.fail(`${label} ${hex(i)} round-tripped to ${hex(got)}`);
        }
        assert.equal(nanCount, label === "bf16" ? 2 * 127 : 2 * 1023);
    });
}

test("16-bit decoders reject odd byte lengths and accept unaligned views", () => {
    assert.throws(() => bf16BytesToF32(new Uint8Array(3)), /bf16BytesToF32: byte length 3/);
    assert.throws(() => f16BytesToF32(new Uint8Array(5)), /f16BytesToF32: byte length 5/);
    const buf = new Uint8Array([0xff, 0x80, 0x3f]);
    assert.equal(bf16BytesToF32(buf.subarray(1))[0], 1);
});

test("encoders read Float32Array views with a byteOffset", () => {
    const backing = new Float32Array([7, 1, -2]);
    const view = backing.subarray(1);
    assert.deepEqual([...f32ToBf16Bytes(view)], [0x80, 0x3f, 0x00, 0xc0]);
    assert.deepEqual([...f32ToF16Bytes(view)], [0x00, 0x3c, 0x00, 0xc0]);
});

/**
 * Independent reference: nearest representable value by search over the sorted table of all non-negative
 * finite 16-bit values, ties to the even bit pattern; the inf pattern counts as the next power of two so
 * overflow rounds the IEEE way.
 */
function referenceRound(v: number, table: Float64Array, infBits: number, infAsValue: number): number {
    const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
    const a = Math.abs(v);
    if (a >= infAsValue) return sign | infBits;
    let lo = 0;
    let hi = infBits; // table[infBits] === infAsValue
    while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (table[mid]! <= a) lo = mid;
        else hi = mid;
    }
    const dLo = a - table[lo]!;
    const dHi = table[hi]! - a;
    const pick = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
    return sign | pick;
}

for (const [label, toF32, fromF32, infBits, infAsValue] of [
    ["bf16", bf16BytesToF32, f32ToBf16Bytes, 0x7f80, 2 ** 128],
    ["f16", f16BytesToF32, f32ToF16Bytes, 0x7c00, 2 ** 16],
] as const) {
    test(`${label}: random f32 values round like an independent nearest-even search`, () => {
        const finite = new Uint8Array(infBits * 2);
        for (let i = 0; i < infBits; i++) {
            finite[2 * i] = i & 0xff;
            finite[2 * i + 1] = i >>> 8;
        }
        const table = new Float64Array(infBits + 1);
        table.set(toF32(finite));
        table[infBits] = infAsValue;
        const rng = new Rng(`floatConvert-${label}`);
        const n = 20000;
        const bits = new Uint32Array(n);
        const tieBit = label === "bf16" ? 0x8000 : 0x1000;
        for (let i = 0; i < n; i++) {
            if (i % 2 === 0) {
                bits[i] = rng.int(2 ** 32);
                continue;
            }
            // Exponents near the 16-bit range, and mantissas that are exact, exact ties, or ties at a random
            // bit position (which is where subnormal results round).
            const exp = label === "f16" ? 96 + rng.int(48) : rng.int(256);
            let mant = rng.int(0x800000);
            const mode = rng.int(4);
            if (mode === 0) mant = (mant & ~(2 * tieBit - 1)) | tieBit;
            else if (mode === 1) mant &= ~(2 * tieBit - 1);
            else if (mode === 2) {
                const k = 1 + rng.int(23);
                mant = ((mant >>> k) << k) | (1 << (k - 1));
            }
            bits[i] = ((rng.int(2) << 31) | (exp << 23) | mant) >>> 0;
        }
        const values = new Float32Array(bits.buffer);
        const out = fromF32(values);
        for (let i = 0; i < n; i++) {
            const v = values[i]!;
            if (Number.isNaN(v)) continue;
            const got = out[2 * i]! | (out[2 * i + 1]! << 8);
            const want = referenceRound(v, table, infBits, infAsValue);
            if (got !== want) assert.fail(`${label}(${v}) = ${hex(got)}, reference ${hex(want)}`);
        }
    });
}
