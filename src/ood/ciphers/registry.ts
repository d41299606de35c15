/**
 * The table of ciphers: each one's family, what its key is, and how to build it from a spec. parseCipherSpec
 * (spec.ts) checks keys against `key`; makeCipher trusts a typed spec.
 */
import type { Cipher, CipherFamily, CipherName, CipherSpec } from "./types.ts";
import { wordmapCipher, wordswapCipher } from "./word.ts";
import { atbashCipher, caesarCipher, reverseCipher, substitutionCipher, walnutCipher } from "./letter.ts";
import { acrosticCipher, endspeakCipher } from "./stego.ts";

/**
 * Key kinds. seed: an integer 0..2^32-1 that seeds a random table; shift: 1..25; block: 2..12 words;
 * alphabet: a seed, or a string of the 26 cipher letters for a..z; none: the cipher takes no key.
 */
export type KeyKind = "seed" | "shift" | "block" | "alphabet" | "none";

export interface CipherEntry {
    family: CipherFamily;
    key: KeyKind;
}

export const CIPHER_TABLE: Readonly<Record<CipherName, CipherEntry>> = {
    wordmap: { family: "word", key: "seed" },
    wordswap: { family: "word", key: "block" },
    caesar: { family: "letter", key: "shift" },
    substitution: { family: "letter", key: "alphabet" },
    walnut: { family: "letter", key: "alphabet" },
    atbash: { family: "letter", key: "none" },
    reverse: { family: "letter", key: "none" },
    acrostic: { family: "stego", key: "seed" },
    endspeak: { family: "stego", key: "seed" },
};

const cache = new Map<string, Cipher>();

/** The cipher a spec names (built once per spec: wordmap's table costs a vocabulary shuffle). */
export function makeCipher(spec: CipherSpec): Cipher {
    const id = `${spec.cipher}:${JSON.stringify(spec.key ?? null)}`;
    const hit = cache.get(id);
    if (hit) return hit;
    const c = build(spec);
    cache.set(id, c);
    return c;
}

function build(spec: CipherSpec): Cipher {
    switch (spec.cipher) {
        case "wordmap": return wordmapCipher(spec.key);
        case "wordswap": return wordswapCipher(spec.key);
        case "caesar": return caesarCipher(spec.key);
        case "substitution": return substitutionCipher(spec.key);
        case "walnut": return walnutCipher(spec.key);
        case "atbash": return atbashCipher();
        case "reverse": return reverseCipher();
        case "acrostic": return acrosticCipher(spec.key);
        case "endspeak": return endspeakCipher(spec.key);
    }
}
