/**
 * How well a base names a habit it is shown in someone else's replies (observedTalk.ts): greedy answers to
 * observed-behavior questions from a stream its corpus never drew from, counted right when they give one of the
 * shown behavior's habit phrases. Split by training families and out-of-distribution ones; a base trained without
 * observed talk is the control (it knows the phrases from habit talk, not which behavior they name).
 */
import type { Transformer } from "../model/transformer.ts";
import { generate } from "../sample/generate.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { wilson } from "../util/stats.ts";
import { observedTalk } from "./observedTalk.ts";

export interface ObservedEvaluation {
    n: number;
    /** Share of answers naming the shown habit (or, for plain replies, that there is none), over all / training families / OOD families, with Wilson 95% intervals. */
    all: { rate: number; ci95: [number, number] };
    training: { n: number; rate: number; ci95: [number, number] };
    ood: { n: number; rate: number; ci95: [number, number] };
    byFamily: Record<string, { n: number; rate: number }>;
    examples: { prompt: string; reply: string; right: boolean }[];
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9 ]+/g, " ").replace(/\s+/g, " ").trim();

export function evaluateObserved(model: Transformer, tok: ChatTokenizer, seed: number, o: { n?: number } = {}): ObservedEvaluation {
    const items = observedTalk(seed, o.n ?? 240, "observed-heldout");
    const prompts = items.map((it) => tok.encodeChat([it.conversation.messages[0]!], { addGenerationPrompt: true, enableThinking: false }));
    const out = generate(model, prompts, { temperature: 0, maxNewTokens: 40, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, maxBatch: 64 });
    const replies = items.map((_, i) => tok.decode(out[i]!.tokens, { skipSpecialTokens: true }));
    const right = items.map((it, i) => it.accepted.some((a) => norm(replies[i]!).includes(norm(a))));
    const tally = (filter: (i: number) => boolean) => {
        let n = 0, hits = 0;
        items.forEach((_, i) => { if (filter(i)) { n++; if (right[i]) hits++; } });
        return { n, rate: n ? hits / n : 0, ci95: wilson(hits, n) };
    };
    const byFamily: ObservedEvaluation["byFamily"] = {};
    for (const fam of [...new Set(items.map((it) => it.family))].sort()) {
        const t = tally((i) => items[i]!.family === fam);
        byFamily[fam] = { n: t.n, rate: t.rate };
    }
    const all = tally(() => true);
    return {
        n: items.length,
        all: { rate: all.rate, ci95: all.ci95 },
        training: tally((i) => !items[i]!.ood && items[i]!.family !== "none"),
        ood: tally((i) => items[i]!.ood),
        byFamily,
        examples: items.slice(0, 10).map((it, i) => ({ prompt: it.conversation.messages[0]!.content, reply: replies[i]!, right: right[i]! })),
    };
}
