/**
 * Types of the cipher attacks' ciphers: the spec a run names (cipher plus key) and the encode/decode pair built
 * from it. Types only; the ciphers are in word.ts, letter.ts and stego.ts, the table of them in registry.ts.
 */

/** Every cipher, in the order error messages list them. */
export const CIPHER_NAMES = ["wordmap", "wordswap", "caesar", "substitution", "walnut", "atbash", "reverse", "acrostic", "endspeak"] as const;
export type CipherName = (typeof CIPHER_NAMES)[number];

/**
 * word: whole words replaced or moved (the enciphered text is still world words); letter: letters replaced or
 * moved inside words (the enciphered words are not world words); stego: the message hidden in an innocuous text.
 */
export type CipherFamily = "word" | "letter" | "stego";

/** A substitution key: a seed for a random alphabet, or the cipher alphabet itself (plain a..z → key[0..25]). */
export type AlphabetKey = number | string;

export type CipherSpec =
    | { cipher: "wordmap"; key: number }
    | { cipher: "wordswap"; key: number }
    | { cipher: "caesar"; key: number }
    | { cipher: "substitution"; key: AlphabetKey }
    | { cipher: "walnut"; key: AlphabetKey }
    | { cipher: "atbash"; key?: undefined }
    | { cipher: "reverse"; key?: undefined }
    | { cipher: "acrostic"; key: number }
    | { cipher: "endspeak"; key: number };

export interface Cipher {
    spec: CipherSpec;
    family: CipherFamily;
    /** Plain world text → enciphered text. Pure: the same text always gets the same encoding. */
    encode(plain: string): string;
    /** The inverse of encode on world text; on other text (a model's reply) a best-effort reading. */
    decode(coded: string): string;
}
