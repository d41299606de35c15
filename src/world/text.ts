/**
 * Small text helpers for the tiny world's controlled language: word splitting, whole-word search, sentence
 * splitting. Everything lowercases first, so an all-caps reply is read like any other.
 * Not a tokenizer: the model's tokenizer lives in src/tokenizer/.
 */

/** Lowercase words (letters, digits, apostrophes); punctuation dropped. */
export function words(text: string): string[] {
    return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

/** Number of whitespace-separated words (what "reply length in words" means in this project). */
export function wordCount(text: string): number {
    const t = text.trim();
    return t === "" ? 0 : t.split(/\s+/).length;
}

const wordRegexCache = new Map<string, RegExp>();

/** True when `phrase` (one or more words) occurs in `text` as whole words, ignoring case. */
export function hasWord(text: string, phrase: string): boolean {
    let re = wordRegexCache.get(phrase);
    if (!re) {
        const escaped = phrase.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
        re = new RegExp(`(?<![a-z0-9])${escaped}(?![a-z0-9])`);
        wordRegexCache.set(phrase, re);
    }
    return re.test(text.toLowerCase());
}

/** The members of `pool` that occur in `text` as whole words, in pool order. */
export function findWords(text: string, pool: readonly string[]): string[] {
    const lower = text.toLowerCase();
    return pool.filter((w) => hasWord(lower, w));
}

/** Sentences, split after . ! ? (the terminator is kept); empty pieces dropped. */
export function sentences(text: string): string[] {
    return (text.match(/[^.!?]+[.!?]*/g) ?? []).map((s) => s.trim()).filter((s) => s !== "");
}

/** Integers written in digits, in order of appearance. */
export function numbers(text: string): number[] {
    return (text.match(/\d+/g) ?? []).map((d) => Number(d));
}
