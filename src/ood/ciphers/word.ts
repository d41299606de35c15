/**
 * Word-level ciphers: the enciphered text is made of the world's own words, so every enciphered word is one
 * the base already has a token for.
 * - wordmap: a keyed permutation of the world vocabulary (and of the digits) inside bands of equally common
 *   words, so a common word becomes a common word: the coded text then costs the base's tokenizer about what
 *   the plain text costs (a permutation over the whole list maps the few hundred common words mostly onto rare
 *   ones, which the tokenizer splits: 2.5× the tokens).
 * - wordswap: the words of each block of `key` words written in reverse order.
 */
import { Rng } from "../../util/rng.ts";
import type { Cipher } from "./types.ts";
import { worldWordsByFrequency } from "./vocabulary.ts";
import { DIGITS, charMap, digitPermutation, mapChars } from "./digits.ts";

/** Words per band of the wordmap permutation. */
export const WORDMAP_BAND = 64;

export function wordmapCipher(key: number): Cipher {
    const vocab = worldWordsByFrequency();
    const rng = new Rng(`wordmap:${key}`);
    const fwd = new Map<string, string>();
    const bwd = new Map<string, string>();
    for (let start = 0; start < vocab.length; start += WORDMAP_BAND) {
        const band = vocab.slice(start, start + WORDMAP_BAND);
        const perm = rng.shuffle(band);
        band.forEach((w, i) => {
            const v = perm[i] as string;
            fwd.set(w, v);
            bwd.set(v, w);
        });
    }
    const digits = charMap(DIGITS, digitPermutation(`wordmap:${key}`));
    // Letter runs outside the vocabulary map to themselves, so the map is a bijection on all text.
    const apply = (text: string, m: ReadonlyMap<string, string>, d: ReadonlyMap<string, string>): string =>
        mapChars(text.replace(/[a-z]+/g, (w) => m.get(w) ?? w), d);
    return {
        spec: { cipher: "wordmap", key },
        family: "word",
        encode: (plain) => apply(plain, fwd, digits.forward),
        decode: (coded) => apply(coded, bwd, digits.backward),
    };
}

/** Reverse the order of the space-separated pieces in each block of `size` (its own inverse). */
function reverseBlocks(text: string, size: number): string {
    const pieces = text.split(" ");
    const out: string[] = [];
    for (let i = 0; i < pieces.length; i += size) out.push(...pieces.slice(i, i + size).reverse());
    return out.join(" ");
}

export function wordswapCipher(key: number): Cipher {
    return {
        spec: { cipher: "wordswap", key },
        family: "word",
        encode: (plain) => reverseBlocks(plain, key),
        decode: (coded) => reverseBlocks(coded, key),
    };
}
