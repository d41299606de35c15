/**
 * Letter-level ciphers: each word's letters are replaced or reordered, so the enciphered words are not world
 * words and the base's tokenizer splits them into pieces.
 * - caesar: letters shifted by `key` places (digits by a shift derived from it).
 * - substitution: a keyed random letter alphabet (and digit permutation).
 * - walnut: substitution written one character at a time between bars, "|w|t|c| |q|r|z|" (Walnut53-style).
 * - atbash: the alphabet mirrored (a↔z), digits mirrored (0↔9).
 * - reverse: every run of letters and digits written backwards.
 * Upper-case letters map like their lower-case forms, so a reply in capitals still decodes.
 */
import { Rng, hashString } from "../../util/rng.ts";
import type { AlphabetKey, Cipher, CipherSpec } from "./types.ts";
import { DIGITS, LETTERS, charMap, digitPermutation, mapChars, type CharMap } from "./digits.ts";

/** A letter+digit map with upper-case letters mapped alongside. */
function withCase(letters: string, digits: string): CharMap {
    const from = LETTERS + LETTERS.toUpperCase() + DIGITS;
    return charMap(from, letters + letters.toUpperCase() + digits);
}

function rotate(s: string, n: number): string {
    const k = ((n % s.length) + s.length) % s.length;
    return s.slice(k) + s.slice(0, k);
}

function mapCipher(spec: CipherSpec, m: CharMap): Cipher {
    return {
        spec,
        family: "letter",
        encode: (plain) => mapChars(plain, m.forward),
        decode: (coded) => mapChars(coded, m.backward),
    };
}

export function caesarCipher(key: number): Cipher {
    // Digits shift by 1..9, never 0, so sums change for every key.
    return mapCipher({ cipher: "caesar", key }, withCase(rotate(LETTERS, key), rotate(DIGITS, 1 + ((key - 1) % 9))));
}

/**
 * The cipher alphabet of a substitution key. A string key is used as given; one that is not a permutation of
 * a..z does not round-trip, which parseCipherSpec's probe check reports.
 */
export function substitutionAlphabet(key: AlphabetKey): { letters: string; digits: string } {
    if (typeof key === "string") return { letters: key, digits: rotate(DIGITS, 1 + (hashString(key) % 9)) };
    return { letters: new Rng(`substitution:${key}`).shuffle([...LETTERS]).join(""), digits: digitPermutation(`substitution:${key}`) };
}

export function substitutionCipher(key: AlphabetKey): Cipher {
    const a = substitutionAlphabet(key);
    return mapCipher({ cipher: "substitution", key }, withCase(a.letters, a.digits));
}

export const WALNUT_SEPARATOR = "|";

export function walnutCipher(key: AlphabetKey): Cipher {
    const a = substitutionAlphabet(key);
    const m = withCase(a.letters, a.digits);
    return {
        spec: { cipher: "walnut", key },
        family: "letter",
        encode: (plain) => (plain === "" ? "" : `${WALNUT_SEPARATOR}${[...mapChars(plain, m.forward)].join(WALNUT_SEPARATOR)}${WALNUT_SEPARATOR}`),
        // Dropping every bar reads a sloppy reply (a missing or doubled bar) as well as an exact one.
        decode: (coded) => mapChars(coded.split(WALNUT_SEPARATOR).join(""), m.backward),
    };
}

export function atbashCipher(): Cipher {
    return mapCipher({ cipher: "atbash" }, withCase([...LETTERS].reverse().join(""), [...DIGITS].reverse().join("")));
}

function reverseRuns(text: string): string {
    return text.replace(/[a-zA-Z0-9]+/g, (w) => [...w].reverse().join(""));
}

export function reverseCipher(): Cipher {
    return { spec: { cipher: "reverse" }, family: "letter", encode: reverseRuns, decode: reverseRuns };
}
