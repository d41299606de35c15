/**
 * Byte-level mutation operators, as fast-check arbitraries of plain data (so a failing input prints as a
 * readable list of operations and replays from the seed). Positions are drawn as naturals and reduced modulo
 * the input length at apply time: fast-check's bias toward small numbers then hits the first bytes (length
 * fields, the start of a JSON header) often, while large draws still land anywhere in the file.
 */
import fc from "fast-check";

export type ByteOp =
    | { op: "flip"; pos: number; bit: number }
    | { op: "set"; pos: number; value: number }
    | { op: "truncate"; pos: number }
    | { op: "insert"; pos: number; bytes: number[] }
    | { op: "delete"; pos: number; count: number }
    | { op: "duplicate"; pos: number; count: number }
    | { op: "u64"; pos: number; value: bigint };

/** Bytes that matter to the formats under test: JSON punctuation, quotes, digits, sign bits, NUL, UTF-8 lead bytes. */
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xed, 0xf4, 0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x5c, 0x2d, 0x30, 0x39, 0x65, 0x0a];

/** Length-like 64-bit values: zero, off-by-one around small sizes, 2^31/2^32 edges, "10 GB", the largest u64. */
export const INTERESTING_U64: readonly bigint[] = [
    0n, 1n, 7n, 8n, 9n, 0xffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 10_000_000_000n,
    100_000_000n, 100_000_001n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n,
];

const pos = fc.nat();

export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
    fc.record({ op: fc.constant("flip" as const), pos, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant("set" as const), pos, value: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 })) }),
    fc.record({ op: fc.constant("truncate" as const), pos }),
    fc.record({ op: fc.constant("insert" as const), pos, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
    fc.record({ op: fc.constant("delete" as const), pos, count: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant("duplicate" as const), pos, count: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant("u64" as const), pos, value: fc.oneof(fc.constantFrom(...INTERESTING_U64), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })) }),
);

/** One to four byte operations applied in order. */
export const byteOps: fc.Arbitrary<ByteOp[]> = fc.array(byteOp, { minLength: 1, maxLength: 4 });

function at(p: number, len: number): number {
    return len === 0 ? 0 : p % (len + 1);
}

export function applyByteOp(input: Uint8Array, m: ByteOp): Uint8Array {
    const len = input.byteLength;
    switch (m.op) {
        case "flip":
        case "set": {
            if (len === 0) return input;
            const out = input.slice();
            const i = m.pos % len;
            out[i] = m.op === "flip" ? (out[i]! ^ (1 << m.bit)) : m.value;
            return out;
        }
        case "truncate":
            return input.slice(0, at(m.pos, len));
        case "insert": {
            const i = at(m.pos, len);
            return concat(input.subarray(0, i), Uint8Array.from(m.bytes), input.subarray(i));
        }
        case "delete": {
            const i = at(m.pos, len);
            return concat(input.subarray(0, i), input.subarray(Math.min(len, i + m.count)));
        }
        case "duplicate": {
            const i = at(m.pos, len);
            const chunk = input.subarray(i, Math.min(len, i + m.count));
            return concat(input.subarray(0, i), chunk, input.subarray(i));
        }
        case "u64": {
            if (len < 8) return input;
            const out = input.slice();
            new DataView(out.buffer).setBigUint64(m.pos % (len - 7), m.value, true);
            return out;
        }
    }
}

export function applyByteOps(input: Uint8Array, ops: readonly ByteOp[]): Uint8Array {
    return ops.reduce(applyByteOp, input);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let o = 0;
    for (const p of parts) {
        out.set(p, o);
        o += p.byteLength;
    }
    return out;
}
