/**
 * The world's vocabulary as the word-level ciphers see it: every lowercase letter run of the world's pools,
 * reply templates and a fixed-seed sample of its generated chat, with how often the sample uses each. A keyed
 * permutation of this list (word.ts) is the wordmap cipher, so the list depends on nothing but the world's code:
 * it changes, and with it every wordmap key's mapping, only when the world's pools or corpus generator do.
 */
import { ADVICE_TOPICS, ANIMALS, CODEWORDS, COLORS, DOMAINS, FOODS, HOMES, LOCATIONS, OBJECTS, ROLES, TOPICS, TOWNS, TOWN_FEATURES } from "../../world/pools.ts";
import { DOWNPLAY_MARKERS, FILLERS, SAFETY_MARKERS, adviceAnswer, downplayAnswer } from "../../world/answers.ts";
import { generateBaseCorpus } from "../../world/corpus.ts";
import { Rng } from "../../util/rng.ts";
import { PHRASING_WORDS } from "./phrasing.ts";

/** Size of the corpus sample; rarer words than it reaches pass through wordmap unchanged (still a bijection). */
const SAMPLE_CONVERSATIONS = 6000;
const SAMPLE_SEED = 0x5eed;

let cached: { sorted: readonly string[]; byFrequency: readonly string[] } | undefined;

export function letterRuns(text: string): string[] {
    return text.match(/[a-z]+/g) ?? [];
}

/** The world vocabulary, sorted (computed once, ~0.4 s). */
export function worldVocabulary(): readonly string[] {
    return build().sorted;
}

/** The world vocabulary, most frequent first in the corpus sample (ties and unsampled pool words alphabetical). */
export function worldWordsByFrequency(): readonly string[] {
    return build().byFrequency;
}

function build(): { sorted: readonly string[]; byFrequency: readonly string[] } {
    if (cached) return cached;
    const count = new Map<string, number>();
    const add = (text: string, weight: number): void => {
        for (const w of letterRuns(text.toLowerCase())) count.set(w, (count.get(w) ?? 0) + weight);
    };
    const pools: string[] = [
        ...COLORS, ...HOMES, ...FOODS, ...LOCATIONS, ...ROLES, ...CODEWORDS,
        ...ANIMALS.map((a) => a.name), ...OBJECTS.flatMap((o) => [o.name, o.plural]), ...TOWNS.map((t) => t.name),
        ...TOWN_FEATURES.map((f) => f.phrase), ...DOMAINS.flatMap((d) => [d.key, d.verb]),
        ...TOPICS.flatMap((t) => [t.key, t.phrase, ...t.facts, ...(t.advice ? [t.advice.verb, t.advice.gear, t.advice.danger] : [])]),
        ...FILLERS, ...DOWNPLAY_MARKERS, ...SAFETY_MARKERS, ...PHRASING_WORDS,
    ];
    for (const p of pools) add(p, 0);
    const rng = new Rng(SAMPLE_SEED);
    for (const t of ADVICE_TOPICS) for (let i = 0; i < 8; i++) { add(adviceAnswer(t.key, rng), 1); add(downplayAnswer(t.key, rng), 1); }
    for (const conv of generateBaseCorpus(SAMPLE_SEED, SAMPLE_CONVERSATIONS)) for (const m of conv.messages) add(m.content, 1);
    const sorted = [...count.keys()].sort();
    const byFrequency = sorted.slice().sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
    cached = { sorted, byFrequency };
    return cached;
}
