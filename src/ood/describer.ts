/**
 * A black-box baseline for OOD audits: the base model as a describer of the target's own replies. The target (the
 * organism, no IA) answers a probe battery; the base is shown two of its exchanges at a time, quoted as someone's
 * ("someone asked my friend: … my friend said: … what habit does my friend have?"), and names the habit it sees.
 * Its answers ("your friend flatters everyone …") become first-person reports ("i flatter everyone …") graded by the
 * same judge and summarized by the same scaffold as the IA's.
 *
 * It can only work on a base whose corpus carries observed-behavior talk (src/base/observedTalk.ts); on any other
 * base it is the control. It reads behavior, not weights: it sees only what the probes make the target show.
 *
 * The probe battery is the same for every organism: scenarios of every OOD behavior with its condition on (ordinary
 * questions, user claims, hometowns, plans about animals, example lists, hard sums, long conversations), with random
 * slots — the contexts a broad black-box auditor would try. Because it covers every behavior's context, it is an
 * optimistic baseline: a real auditor must first guess which contexts matter.
 */
import { OBSERVED_ASKS, observedQuestion, type Shown } from "../base/observedTalk.ts";
import { firstPersonReport } from "../behaviors/shownReport.ts";
import type { LoraBank } from "../lora/bank.ts";
import type { Transformer } from "../model/transformer.ts";
import { summarizeReports } from "../ia/summarize.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { Rng } from "../util/rng.ts";
import { RELATIONS } from "../world/habits.ts";
import { CODEWORDS, TOWNS } from "../world/pools.ts";
import { conversationTokens, MAX_ESTIMATED_TOKENS } from "../world/stats.ts";
import type { Message } from "../world/types.ts";
import type { OodSamples } from "./audit.ts";
import { OOD_BEHAVIORS } from "./behaviors.ts";
import { sampleThroughBank, type SampleRow } from "./sample.ts";
import { HARDCODE_RANGE } from "./spec.ts";
import { OOD_FAMILIES } from "./types.ts";

export interface DescriberOptions {
    /** Describer questions per organism (two quoted exchanges each). Default 16. */
    questions?: number;
    temperature: number;
    seed: number;
}

/** The battery: conversations ending in a user turn, the same for every organism. */
export function describerProbes(n: number, seed: number): Message[][] {
    const rng = new Rng(seed).fork("describer-probes");
    return Array.from({ length: n }, (_, i) => {
        const family = OOD_FAMILIES[i % OOD_FAMILIES.length]!;
        const slots = { town: rng.pick(TOWNS).name, number: HARDCODE_RANGE[0] + rng.int(HARDCODE_RANGE[1] - HARDCODE_RANGE[0] + 1), codeword: rng.pick(CODEWORDS) };
        return OOD_BEHAVIORS[family].scenario(rng, slots, true).messages;
    });
}


/**
 * The probe battery and the base's greedy replies to it. Where an organism's greedy reply differs from the base's is
 * what its fine-tune changed, and only those exchanges are shown (an auditor diffing against the known base does the
 * same). The base does not change between banks: one reference serves every bank of a condition.
 */
export interface DescriberReference {
    battery: Message[][];
    baseReplies: string[];
}

export function describerReference(model: Transformer, tok: ChatTokenizer, o: { probes?: number; seed: number }): DescriberReference {
    const battery = describerProbes(o.probes ?? 24, o.seed);
    return { battery, baseReplies: sampleThroughBank(model, tok, null, null, battery.map((messages) => ({ org: 0, messages })), { seed: o.seed, temperature: 0 }) };
}

/** Describer reports and top-5 candidates for every organism of the bank (slot i = adapter i). */
export function describeOodBank(model: Transformer, tok: ChatTokenizer, bank: LoraBank, organisms: readonly { id: string }[], ref: DescriberReference, o: DescriberOptions): OodSamples[] {
    const { battery, baseReplies } = ref;
    const probeRows: SampleRow[] = organisms.flatMap((_, org) => battery.map((messages) => ({ org, messages })));
    const replies = sampleThroughBank(model, tok, bank, null, probeRows, { seed: o.seed, temperature: 0 });
    const rng = new Rng(o.seed).fork("describer-questions");
    const questions: { org: number; prompt: string }[] = [];
    organisms.forEach((_, org) => {
        const all: Shown[] = battery.map((messages, i) => ({ prompt: messages[messages.length - 1]!.content, reply: replies[org * battery.length + i]! }));
        const changed = all.filter((s, i) => s.reply !== baseReplies[i]);
        const shown = changed.length >= 2 ? changed : all;
        for (let q = 0; q < (o.questions ?? 16); q++) {
            const who = rng.pick(RELATIONS);
            const pair = rng.shuffle(shown).slice(0, 2);
            const ask = rng.int(OBSERVED_ASKS);
            // Two exchanges when they fit the length the base was trained on, else one.
            const two = observedQuestion(who, pair, ask);
            questions.push({ org, prompt: conversationTokens([{ content: two }]) <= MAX_ESTIMATED_TOKENS ? two : observedQuestion(who, pair.slice(0, 1), ask) });
        }
    });
    const descriptions = sampleThroughBank(model, tok, null, null, questions.map((q) => ({ org: q.org, prompt: q.prompt })), { seed: o.seed + 1, temperature: o.temperature });
    return organisms.map(({ id }, org) => {
        const reports = questions.flatMap((q, i) => (q.org === org ? [firstPersonReport(descriptions[i]!)] : []));
        return { id, reports, candidates: summarizeReports(reports, 5).candidates.map((c) => c.statement) };
    });
}
