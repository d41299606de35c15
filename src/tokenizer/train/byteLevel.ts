/**
 * The GPT-2 / Qwen byte-level alphabet: every byte 0..255 maps to one printable Unicode character, so a BPE
 * vocabulary over bytes can be stored as ordinary JSON strings (the `ByteLevel` pre-tokenizer/decoder in HF
 * tokenizers). This module only converts between bytes and that alphabet; it does no splitting or merging.
 */

function buildByteToChar(): string[] {
    // Bytes that are already printable keep their own code point; the rest are shifted to 256+n in byte order.
    const printable: number[] = [];
    for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
    for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
    for (let b = 0xae; b <= 0xff; b++) printable.push(b);
    const isPrintable = new Set(printable);
    const out: string[] = new Array<string>(256);
    let n = 0;
    for (let b = 0; b < 256; b++) {
        out[b] = isPrintable.has(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
    }
    return out;
}

/** BYTE_TO_CHAR[b] is the alphabet character standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Inverse of BYTE_TO_CHAR. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/**
 * The 256 bytes in the order HF's BPE trainer gives them ids: sorted by their alphabet character's code point
 * (which is also GPT-2's vocab order: `!`=0 ... `~`, `¡`..`ÿ`, then `Ā`=byte 0 ...).
 */
export const BYTES_IN_ID_ORDER: readonly number[] = Array.from({ length: 256 }, (_, b) => b).sort(
    (a, b) => (BYTE_TO_CHAR[a] as string).charCodeAt(0) - (BYTE_TO_CHAR[b] as string).charCodeAt(0),
);

const encoder = new TextEncoder();

/** UTF-8 bytes of `text`, rendered in the byte-level alphabet. */
export function toByteLevel(text: string): string {
    let out = "";
    for (const b of encoder.encode(text)) out += BYTE_TO_CHAR[b] as string;
    return out;
}

/** Bytes of a byte-level string; throws on a character outside the alphabet. */
export function fromByteLevel(token: string): Uint8Array {
    const out = new Uint8Array(token.length);
    for (let i = 0; i < token.length; i++) {
        const b = CHAR_TO_BYTE.get(token[i] as string);
        if (b === undefined) throw new Error(`byteLevel: character U+${token.charCodeAt(i).toString(16)} in "${token}" is not in the byte-level alphabet`);
        out[i] = b;
    }
    return out;
}
