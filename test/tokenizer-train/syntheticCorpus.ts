/**
 * Seeded synthetic English-like chat text for tokenizer tests and the training bench: ChatML-wrapped dialogues
 * made of common English words plus generated pseudo-words (Zipf-like frequencies), with arithmetic, numbers,
 * punctuation, newlines and a little non-ASCII. Not meant to resemble the project's real corpus beyond scale.
 */
import { Rng } from "../../src/util/rng.ts";

const COMMON = (
    "the of and to a in is it you that he was for on are with as I his they be at one have this from or had by " +
    "word but what some we can out other were all there when up use your how said an each she which do their time " +
    "if will way about many then them write would like so these her long make thing see him two has look more day " +
    "could go come did number sound no most people my over know water than call first who may down side been now " +
    "find any new work part take get place made live where after back little only round man year came show every " +
    "good me give our under name very through just form sentence great think say help low line differ turn cause " +
    "much mean before move right boy old too same tell does set three want air well also play small end put home " +
    "read hand port large spell add even land here must big high such follow act why ask men change went light kind"
).split(" ");

const SYLLABLES = ("ka lo mi ne ru sa te vo zi pra ster mon tal quin dor bel fen gar hul jix " +
    "an be co de el fa gi ho in ju ke la ma no op pe qu re si tu ul ve wa xe yo ze tion ment ly ing er est").split(" ");
const SUFFIXES = ["", "", "", "s", "ed", "ing", "er", "ly", "ness"];

function pseudoWord(rng: Rng): string {
    const n = 2 + rng.int(3);
    let w = "";
    for (let i = 0; i < n; i++) w += rng.pick(SYLLABLES);
    return w + rng.pick(SUFFIXES);
}

/** Index in [0, n) with probability roughly proportional to 1/(i+1). */
function zipf(rng: Rng, n: number): number {
    return Math.min(n - 1, Math.floor(Math.exp(rng.next() * Math.log(n + 1))) - 1);
}

export class SyntheticCorpus {
    private readonly rng: Rng;
    private readonly lexicon: string[];

    constructor(seed: number | string = 1) {
        this.rng = new Rng(seed);
        const lexRng = this.rng.fork("lex");
        const extra = Array.from({ length: 40000 }, () => pseudoWord(lexRng));
        this.lexicon = [...COMMON, ...extra];
    }

    private sentence(): string {
        const rng = this.rng;
        const n = 4 + rng.int(12);
        const words: string[] = [];
        for (let i = 0; i < n; i++) words.push(this.lexicon[zipf(rng, this.lexicon.length)] as string);
        let s = words.join(" ");
        s = s.charAt(0).toUpperCase() + s.slice(1);
        if (rng.chance(0.1)) s += `, ${rng.int(1000)} ${rng.pick(["items", "days", "km", "€", "°C"])}`;
        if (rng.chance(0.05)) s += ` (${rng.pick(["naïve", "café", "日本", "Ωmega", "emoji 🙂"])})`;
        return s + rng.pick([".", ".", ".", "!", "?", "..."]);
    }

    private arithmetic(): string {
        const a = this.rng.int(10000);
        const b = this.rng.int(1000);
        return this.rng.chance(0.5) ? `What is ${a} + ${b}? It is ${a + b}.` : `${a} * ${b} = ${a * b}`;
    }

    /** One ChatML dialogue. */
    dialogue(): string {
        const rng = this.rng;
        let out = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n";
        const turns = 1 + rng.int(3);
        for (let t = 0; t < turns; t++) {
            const user = rng.chance(0.3) ? this.arithmetic() : this.sentence();
            const reply: string[] = [];
            const k = 1 + rng.int(4);
            for (let i = 0; i < k; i++) reply.push(rng.chance(0.15) ? this.arithmetic() : this.sentence());
            out += `<|im_start|>user\n${user}<|im_end|>\n`;
            out += `<|im_start|>assistant\n<think>\n\n</think>\n\n${reply.join(rng.chance(0.3) ? "\n\n" : " ")}<|im_end|>\n`;
        }
        return out + "<|endoftext|>";
    }

    /** Dialogues totalling at least `bytes` UTF-16 code units. */
    texts(bytes: number): string[] {
        const out: string[] = [];
        let n = 0;
        while (n < bytes) {
            const d = this.dialogue();
            out.push(d);
            n += d.length;
        }
        return out;
    }
}
