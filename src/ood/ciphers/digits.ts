/**
 * A keyed permutation of the ten digits, shared by the ciphers whose own alphabet has no digits: without it a
 * sum's answer ("6 + 25 = 31.") would pass through every word or letter cipher unchanged.
 */
import { Rng } from "../../util/rng.ts";

export interface CharMap {
    forward: ReadonlyMap<string, string>;
    backward: ReadonlyMap<string, string>;
}

export const DIGITS = "0123456789";
export const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** A map from `from[i]` to `to[i]` and back (to must be a permutation of from for the two to be inverses). */
export function charMap(from: string, to: string): CharMap {
    const forward = new Map<string, string>();
    const backward = new Map<string, string>();
    for (let i = 0; i < from.length; i++) {
        const a = from[i] as string;
        const b = to[i] as string;
        forward.set(a, b);
        backward.set(b, a);
    }
    return { forward, backward };
}

/** A keyed digit permutation with no fixed point, so every digit changes. */
export function digitPermutation(label: string): string {
    const rng = new Rng(`digits:${label}`);
    for (;;) {
        const p = rng.shuffle([...DIGITS]);
        if (p.every((d, i) => d !== DIGITS[i])) return p.join("");
    }
}

/** Each character through `map`, characters it lacks unchanged. */
export function mapChars(text: string, map: ReadonlyMap<string, string>): string {
    let out = "";
    for (const c of text) out += map.get(c) ?? c;
    return out;
}
