/**
 * Pre-tokenization identical to Qwen2/Qwen3's `tokenizer.json`: NFC, then the Qwen split regex (letters runs with
 * one optional leading non-letter, every digit on its own, punctuation runs, whitespace runs), then byte-level
 * mapping. The trainer counts words with it, and the reference encoder uses it, so both agree with what
 * `@huggingface/tokenizers` does at encode time. It does not know about merges or ids.
 *
 * Two spellings of one pattern: QWEN_SPLIT_PATTERN is the Oniguruma source written into tokenizer.json (verbatim
 * from Qwen3); QWEN_SPLIT_REGEX is its JavaScript translation (`(?i:...)` spelled out as character classes, `\s`
 * / `\S` as `\p{White_Space}`, which is what Oniguruma and the HF JS translator mean by them).
 */
import { toByteLevel } from "./byteLevel.ts";

/** The Qwen2/Qwen3 split regex (Oniguruma syntax). `\p{N}` (no `+`) puts each digit in its own piece. */
export const QWEN_SPLIT_PATTERN =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const WS = "\\p{White_Space}";
const NWS = "\\P{White_Space}";

/** JavaScript equivalent of QWEN_SPLIT_PATTERN (global, unicode). */
export const QWEN_SPLIT_REGEX = new RegExp(
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])" +
        "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+" +
        "|\\p{N}" +
        `| ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*` +
        `|${WS}*[\\r\\n]+` +
        `|${WS}+(?!${NWS})` +
        `|${WS}+`,
    "gu",
);

/**
 * Splits `text` like HF's `Split(behavior: Isolated)`: every match is a piece, and so is any (rare) gap between
 * matches. Returns plain (not byte-level) strings.
 */
export function splitPieces(text: string): string[] {
    const out: string[] = [];
    let prev = 0;
    for (const m of text.matchAll(QWEN_SPLIT_REGEX)) {
        const idx = m.index;
        if (prev < idx) out.push(text.slice(prev, idx));
        if (m[0].length > 0) out.push(m[0]);
        prev = idx + m[0].length;
    }
    if (prev < text.length) out.push(text.slice(prev));
    return out;
}

/**
 * Cuts `text` at occurrences of any of `specials` (leftmost, longest first), returning the ordinary segments and
 * the special tokens in order, like the added-token splitter that runs before normalization.
 */
export function splitOnSpecials(text: string, specials: readonly string[]): { text: string; special: boolean }[] {
    if (specials.length === 0) return text.length > 0 ? [{ text, special: false }] : [];
    const sorted = [...specials].sort((a, b) => b.length - a.length);
    const re = new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
    const out: { text: string; special: boolean }[] = [];
    let prev = 0;
    for (const m of text.matchAll(re)) {
        if (prev < m.index) out.push({ text: text.slice(prev, m.index), special: false });
        out.push({ text: m[0], special: true });
        prev = m.index + m[0].length;
    }
    if (prev < text.length) out.push({ text: text.slice(prev), special: false });
    return out;
}

/** Byte-level pieces of ordinary text (no special-token handling): NFC → split → byte-level. */
export function preTokenize(text: string): string[] {
    return splitPieces(text.normalize("NFC")).map(toByteLevel);
}
