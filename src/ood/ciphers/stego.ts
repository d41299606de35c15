/**
 * Steganographic ciphers: the message's space-separated pieces, one per line, inside an innocuous text of
 * world words (fragments of the world's small-talk facts and filler sentences).
 * - acrostic: each line starts with the message piece, then a few cover words ("red works every").
 * - endspeak: each line is a few cover words, then the message piece ("a calm pool red."), after EndSpeak.
 * The key seeds which cover words each line gets; the cover depends on the message too, so the same message
 * always gets the same text.
 */
import { Rng, hashString } from "../../util/rng.ts";
import { TOPICS } from "../../world/pools.ts";
import { FILLERS } from "../../world/answers.ts";
import type { Cipher } from "./types.ts";

/** Cover sentences as word lists (letters only: punctuation in the cover would read as part of the message). */
const COVER_SENTENCES: readonly string[][] = [...TOPICS.flatMap((t) => t.facts), ...FILLERS]
    .map((s) => s.toLowerCase().replace(/[^a-z ]/g, "").split(" ").filter((w) => w !== ""))
    .filter((ws) => ws.length >= 4);

/** Cover words per line: short, because every message word costs a whole line. */
const COVER_WORDS = [2, 3] as const;

function coverRng(name: string, key: number, plain: string): Rng {
    return new Rng(`${name}:${key}:${hashString(plain)}`);
}

/** A sentence's opening words (endspeak: the message piece ends the line). */
function head(rng: Rng): string {
    return rng.pick(COVER_SENTENCES).slice(0, rng.pick(COVER_WORDS)).join(" ");
}

/** A sentence's words after its first (acrostic: the message piece takes the first word's place). */
function tail(rng: Rng): string {
    return rng.pick(COVER_SENTENCES).slice(1, 1 + rng.pick(COVER_WORDS)).join(" ");
}

export function acrosticCipher(key: number): Cipher {
    return {
        spec: { cipher: "acrostic", key },
        family: "stego",
        encode: (plain) => {
            if (plain === "") return "";
            const rng = coverRng("acrostic", key, plain);
            return plain.split(" ").map((piece) => `${piece} ${tail(rng)}`).join("\n");
        },
        decode: (coded) => coded.split("\n").map((line) => line.trim().split(" ")[0] ?? "").join(" "),
    };
}

export function endspeakCipher(key: number): Cipher {
    return {
        spec: { cipher: "endspeak", key },
        family: "stego",
        encode: (plain) => {
            if (plain === "") return "";
            const rng = coverRng("endspeak", key, plain);
            return plain.split(" ").map((piece) => `${head(rng)} ${piece}`).join("\n");
        },
        decode: (coded) => coded.split("\n").map((line) => line.trim().split(" ").pop() ?? "").join(" "),
    };
}
