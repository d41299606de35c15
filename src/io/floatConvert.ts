/**
 * Conversions between float32 values and the little-endian byte encodings of bfloat16 and IEEE float16,
 * as stored in safetensors files.
 *
 * f32 -> 16-bit rounds to nearest, ties to even (what torch's `.to(torch.bfloat16)` / `.half()` do),
 * overflowing to ±inf. NaN becomes a quiet NaN (bf16: 0x7FC0 like c10::BFloat16; f16: payload kept, quiet
 * bit set). 16-bit -> f32 is exact. Does not handle any other dtype or tensor layout.
 */

/** Rejects byte buffers that cannot hold whole 16-bit values. */
function checkEven(bytes: Uint8Array, what: string): void {
    if (bytes.byteLength % 2 !== 0) {
        throw new Error(`${what}: byte length ${bytes.byteLength} is not a multiple of 2`);
    }
}

/** The raw bits of each float32, read through an integer view so NaN payloads are not canonicalised. */
function f32Bits(values: Float32Array): Uint32Array {
    return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** One float32 bit pattern -> bfloat16 bits, round-to-nearest-even. */
export function f32BitsToBf16(bits: number): number {
    bits >>>= 0;
    if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0) return 0x7fc0;
    const roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return ((bits + roundingBias) >>> 16) & 0xffff;
}

/** One float32 bit pattern -> IEEE binary16 bits, round-to-nearest-even, overflow to ±inf. */
export function f32BitsToF16(bits: number): number {
    bits >>>= 0;
    const sign = (bits >>> 16) & 0x8000;
    const exp32 = (bits >>> 23) & 0xff;
    const mant32 = bits & 0x007fffff;
    if (exp32 === 0xff) return sign | 0x7c00 | (mant32 !== 0 ? 0x0200 | (mant32 >>> 13) : 0);
    const exp16 = exp32 - 127 + 15;
    if (exp16 >= 0x1f) return sign | 0x7c00;
    if (exp16 <= 0) {
        // Result is subnormal (or rounds up to the smallest normal). Below 2^-25 everything rounds to zero,
        // which also keeps the shift below under 32.
        if (exp16 < -10) return sign;
        const m = mant32 | 0x00800000;
        const shift = 14 - exp16;
        const half = 1 << (shift - 1);
        const rem = m & ((1 << shift) - 1);
        let r = m >>> shift;
        if (rem > half || (rem === half && (r & 1) === 1)) r += 1;
        return sign | r;
    }
    let r = (exp16 << 10) | (mant32 >>> 13);
    const rem = mant32 & 0x1fff;
    // A carry out of the mantissa correctly bumps the exponent (and reaches 0x7c00 = inf at the top).
    if (rem > 0x1000 || (rem === 0x1000 && (r & 1) === 1)) r += 1;
    return sign | r;
}

/** IEEE binary16 bits -> float32 bits (exact). */
export function f16BitsToF32Bits(h: number): number {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    let mant = h & 0x03ff;
    if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
    if (exp === 0) {
        if (mant === 0) return sign >>> 0;
        // Subnormal: normalise so the leading 1 becomes implicit.
        let e = -1;
        do {
            mant <<= 1;
            e += 1;
        } while ((mant & 0x0400) === 0);
        return (sign | ((127 - 15 - e) << 23) | ((mant & 0x03ff) << 13)) >>> 0;
    }
    return (sign | ((exp + 127 - 15) << 23) | (mant << 13)) >>> 0;
}

/** float32 values -> little-endian bfloat16 bytes (2 per value). */
export function f32ToBf16Bytes(values: Float32Array): Uint8Array {
    const bits = f32Bits(values);
    const out = new Uint8Array(values.length * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < bits.length; i++) view.setUint16(i * 2, f32BitsToBf16(bits[i]!), true);
    return out;
}

/** Little-endian bfloat16 bytes -> float32 values. */
export function bf16BytesToF32(bytes: Uint8Array): Float32Array {
    checkEven(bytes, "bf16BytesToF32");
    const n = bytes.byteLength / 2;
    const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(n);
    const outBits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) outBits[i] = (src.getUint16(i * 2, true) << 16) >>> 0;
    return out;
}

/** float32 values -> little-endian IEEE float16 bytes (2 per value). */
export function f32ToF16Bytes(values: Float32Array): Uint8Array {
    const bits = f32Bits(values);
    const out = new Uint8Array(values.length * 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < bits.length; i++) view.setUint16(i * 2, f32BitsToF16(bits[i]!), true);
    return out;
}

/** Little-endian IEEE float16 bytes -> float32 values. */
export function f16BytesToF32(bytes: Uint8Array): Float32Array {
    checkEven(bytes, "f16BytesToF32");
    const n = bytes.byteLength / 2;
    const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(n);
    const outBits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) outBits[i] = f16BitsToF32Bits(src.getUint16(i * 2, true));
    return out;
}
