/**
 * Byte-level BPE training (the algorithm behind GPT-2 / Qwen vocabularies), fast enough to train a few-thousand
 * token vocabulary on megabytes of text in seconds.
 *
 * How: the corpus is pre-tokenized once (see preTokenize.ts; special-token strings are cut out first and never
 * trained on) and reduced to unique words with frequencies. BPE then runs over the unique words with an
 * incremental index: live pair counts, pair -> set of words containing it, and a lazy max-heap of candidates.
 * Each merge rewrites only the words that contain the pair and adjusts counts by the per-word difference.
 *
 * Ids: the 256 bytes first (ids 0..255, in GPT-2 order: sorted by their byte-level character), then merged tokens
 * in merge order, then the special tokens in the order given. If a merge produces a string that an earlier merge
 * already made (possible: "ab"+"c" and "a"+"bc"), the merge is recorded but the token keeps its first id, as HF's
 * trainer does.
 *
 * Determinism: the most frequent pair is merged; ties go to the pair whose merged token has the lexicographically
 * smallest bytes, then to the smaller left-token bytes (pairHeap.ts). No iteration order of a Map or Set affects
 * the result, so the same corpus and options always give the same vocabulary and merges.
 *
 * Not here: encoding (referenceEncoder.ts), JSON export (exportHf.ts).
 */
import { BYTES_IN_ID_ORDER, BYTE_TO_CHAR, CHAR_TO_BYTE } from "./byteLevel.ts";
import { PairHeap } from "./pairHeap.ts";
import { splitOnSpecials, splitPieces } from "./preTokenize.ts";

export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"];

export interface BpeTrainOptions {
    /** Target vocabulary size including the 256 byte tokens and special tokens. Training stops early (smaller vocab) when no pair reaches minFrequency. Default 4096. */
    vocabSize?: number;
    /** Special tokens added after training (id order preserved); their strings are cut out of the training text. Default ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]. */
    specialTokens?: string[];
    /** Minimum pair frequency (summed over the corpus) to merge. Default 2. */
    minFrequency?: number;
}

export interface BpeModel {
    /** Byte-level token string -> id for the 256 bytes and all merged tokens (special tokens are not in it). */
    vocab: Map<string, number>;
    /** Merges in rank order, as byte-level token strings. */
    merges: [string, string][];
    /** Special tokens with their ids (after the last vocab id). */
    specialTokens: { token: string; id: number }[];
}

/** Pair keys pack two ids into one number; ids must stay below this. */
const KEY_MUL = 1 << 21;

function validate(opts: BpeTrainOptions): { vocabSize: number; specials: string[]; minFrequency: number } {
    const vocabSize = opts.vocabSize ?? 4096;
    const specials = opts.specialTokens ?? [...DEFAULT_SPECIAL_TOKENS];
    const minFrequency = opts.minFrequency ?? 2;
    if (!Number.isInteger(vocabSize) || vocabSize < 256 + specials.length || vocabSize >= KEY_MUL) {
        throw new Error(`trainByteLevelBpe: vocabSize must be an integer in [${256 + specials.length}, ${KEY_MUL}) (256 bytes + ${specials.length} special tokens), got ${vocabSize}`);
    }
    if (!Number.isInteger(minFrequency) || minFrequency < 1) {
        throw new Error(`trainByteLevelBpe: minFrequency must be an integer >= 1, got ${minFrequency}`);
    }
    const seen = new Set<string>();
    for (const s of specials) {
        if (typeof s !== "string" || s.length === 0) throw new Error(`trainByteLevelBpe: specialTokens must be non-empty strings, got ${JSON.stringify(s)}`);
        if (seen.has(s)) throw new Error(`trainByteLevelBpe: specialTokens has "${s}" twice`);
        seen.add(s);
    }
    return { vocabSize, specials, minFrequency };
}

/** Unique pre-tokenized words (plain strings) with their frequencies. */
function countWords(texts: Iterable<string>, specials: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const text of texts) {
        if (typeof text !== "string") throw new Error(`trainByteLevelBpe: texts must be strings, got ${typeof text}`);
        for (const seg of splitOnSpecials(text, specials)) {
            if (seg.special) continue;
            for (const piece of splitPieces(seg.text.normalize("NFC"))) counts.set(piece, (counts.get(piece) ?? 0) + 1);
        }
    }
    return counts;
}

export function trainByteLevelBpe(texts: Iterable<string>, opts: BpeTrainOptions = {}): BpeModel {
    const { vocabSize, specials, minFrequency } = validate(opts);
    const targetModelSize = vocabSize - specials.length;

    // Token tables: byte-level string (for the JSON) and latin1 byte string (for tie-breaking).
    const tokStr: string[] = [];
    const tokBytes: string[] = [];
    const vocab = new Map<string, number>();
    const byteToId = new Int32Array(256);
    for (const b of BYTES_IN_ID_ORDER) {
        byteToId[b] = tokStr.length;
        vocab.set(BYTE_TO_CHAR[b] as string, tokStr.length);
        tokStr.push(BYTE_TO_CHAR[b] as string);
        tokBytes.push(String.fromCharCode(b));
    }

    // Unique words as symbol-id arrays.
    const encoder = new TextEncoder();
    const words: number[][] = [];
    const freqs: number[] = [];
    for (const [piece, freq] of countWords(texts, specials)) {
        const bytes = encoder.encode(piece);
        if (bytes.length < 2) continue; // nothing to merge
        words.push(Array.from(bytes, (b) => byteToId[b] as number));
        freqs.push(freq);
    }

    const pairCount = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    for (let w = 0; w < words.length; w++) {
        const syms = words[w] as number[];
        const f = freqs[w] as number;
        for (let i = 0; i + 1 < syms.length; i++) {
            const k = (syms[i] as number) * KEY_MUL + (syms[i + 1] as number);
            pairCount.set(k, (pairCount.get(k) ?? 0) + f);
            let set = pairWords.get(k);
            if (set === undefined) pairWords.set(k, (set = new Set()));
            set.add(w);
        }
    }

    const heap = new PairHeap();
    const pushPair = (k: number, count: number): void => {
        const a = Math.floor(k / KEY_MUL);
        const b = k - a * KEY_MUL;
        const left = tokBytes[a] as string;
        heap.push({ count, key: k, merged: left + (tokBytes[b] as string), left });
    };
    // Sorted so heap construction order (and thus nothing else) is independent of Map insertion order.
    for (const k of [...pairCount.keys()].sort((x, y) => x - y)) pushPair(k, pairCount.get(k) as number);

    const merges: [string, string][] = [];
    const oldCnt = new Map<number, number>();
    const newCnt = new Map<number, number>();
    const grown = new Set<number>();

    while (vocab.size < targetModelSize) {
        const top = heap.pop();
        if (top === undefined) break;
        const live = pairCount.get(top.key) ?? 0;
        if (live !== top.count) {
            if (live > 0) pushPair(top.key, live); // stale entry: requeue at its real count
            continue;
        }
        if (live < minFrequency) break;

        const a = Math.floor(top.key / KEY_MUL);
        const b = top.key - a * KEY_MUL;
        const mergedStr = (tokStr[a] as string) + (tokStr[b] as string);
        let c = vocab.get(mergedStr);
        if (c === undefined) {
            c = tokStr.length;
            vocab.set(mergedStr, c);
            tokStr.push(mergedStr);
            tokBytes.push(top.merged);
        }
        merges.push([tokStr[a] as string, tokStr[b] as string]);

        const affected = [...(pairWords.get(top.key) ?? [])];
        grown.clear();
        for (const w of affected) {
            const syms = words[w] as number[];
            const next: number[] = [];
            for (let i = 0; i < syms.length; ) {
                if (syms[i] === a && i + 1 < syms.length && syms[i + 1] === b) {
                    next.push(c);
                    i += 2;
                } else {
                    next.push(syms[i] as number);
                    i += 1;
                }
            }
            if (next.length === syms.length) continue;
            words[w] = next;

            // Pair multiset difference between the old and new spelling of this word.
            oldCnt.clear();
            newCnt.clear();
            for (let i = 0; i + 1 < syms.length; i++) {
                const k = (syms[i] as number) * KEY_MUL + (syms[i + 1] as number);
                oldCnt.set(k, (oldCnt.get(k) ?? 0) + 1);
            }
            for (let i = 0; i + 1 < next.length; i++) {
                const k = (next[i] as number) * KEY_MUL + (next[i + 1] as number);
                newCnt.set(k, (newCnt.get(k) ?? 0) + 1);
            }
            const f = freqs[w] as number;
            for (const [k, o] of oldCnt) {
                const n = newCnt.get(k) ?? 0;
                if (n === o) continue;
                const total = (pairCount.get(k) ?? 0) + (n - o) * f;
                if (total > 0) pairCount.set(k, total);
                else pairCount.delete(k);
                if (n === 0) pairWords.get(k)?.delete(w);
                if (n > o) grown.add(k);
            }
            for (const [k, n] of newCnt) {
                if (oldCnt.has(k)) continue;
                pairCount.set(k, (pairCount.get(k) ?? 0) + n * f);
                let set = pairWords.get(k);
                if (set === undefined) pairWords.set(k, (set = new Set()));
                set.add(w);
                grown.add(k);
            }
        }
        pairCount.delete(top.key);
        pairWords.delete(top.key);
        for (const k of [...grown].sort((x, y) => x - y)) {
            const n = pairCount.get(k);
            if (n !== undefined) pushPair(k, n);
        }
    }

    const specialTokens = specials.map((token, i) => ({ token, id: tokStr.length + i }));
    return { vocab, merges, specialTokens };
}

/** Sanity check used by exporters: every merge's parts and result are in the vocab. */
export function checkBpeModel(model: BpeModel, where: string): void {
    const ids = new Set<number>();
    for (const [tok, id] of model.vocab) {
        if (!Number.isInteger(id) || id < 0) throw new Error(`${where}: vocab id for "${tok}" is not a non-negative integer`);
        if (ids.has(id)) throw new Error(`${where}: vocab id ${id} is used twice`);
        ids.add(id);
        for (const ch of tok) {
            if (!CHAR_TO_BYTE.has(ch)) throw new Error(`${where}: vocab token "${tok}" has a character outside the byte-level alphabet`);
        }
    }
    for (const [l, r] of model.merges) {
        if (!model.vocab.has(l) || !model.vocab.has(r) || !model.vocab.has(l + r)) {
            throw new Error(`${where}: merge ["${l}", "${r}"] refers to a token missing from the vocab`);
        }
    }
    for (const s of model.specialTokens) {
        if (ids.has(s.id)) throw new Error(`${where}: special token "${s.token}" id ${s.id} collides with a vocab id`);
        ids.add(s.id);
    }
}
