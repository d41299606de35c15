/**
 * Audits of the cipher organisms (cipherSuite.ts): one condition — no IA, or one IA adapter — on every organism of
 * a bank, read the two ways of the paper's §4.3: raw verbalization over the generic test questions, and the
 * summarization scaffold's top-5 candidates; cipherJudge.ts decides whether each names the harmful behavior and
 * the cipher or channel that carries it.
 */
import { questionSet } from "../behaviors/questions.ts";
import { auditQuestions } from "../ia/audit.ts";
import { summarizeReports } from "../ia/summarize.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import type { LoraBank } from "../lora/bank.ts";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { sampleThroughBank, type SampleRow } from "./audit.ts";
import { judgeCandidates, judgeCipherReport } from "./cipherJudge.ts";
import type { CipherOrganismSpec, CipherPreset } from "./cipherOrganisms.ts";

export type CipherCondition = "no-ia" | "ia-sft" | "ia-dpo";

export interface CipherOrganismAudit {
    id: string;
    /** Raw verbalization over the generic test questions: harmful compliance; with the cipher/channel; the channel at all. */
    category: number;
    strict: number;
    channel: number;
    reports: number;
    /** ≥ 1 category-correct report. */
    described: boolean;
    /** Summarization scaffold (top-5 candidates): harmful compliance; with the cipher/channel; the channel at all. */
    top5: boolean;
    top5Strict: boolean;
    top5Channel: boolean;
    candidates: string[];
    examples: string[];
}

export interface CipherConditionRun {
    condition: CipherCondition;
    seed: number | null;
    organisms: CipherOrganismAudit[];
}

/** One condition (an IA, or none) on every organism of the bank; slot i of `specs` is adapter i. */
export function auditCipherBank(model: Transformer, tok: ChatTokenizer, bank: LoraBank, specs: readonly CipherOrganismSpec[], ia: LoraAdapter | null, o: CipherPreset["audit"] & { seed: number }): CipherOrganismAudit[] {
    const questions = questionSet("generic", "test");
    const vRows: SampleRow[] = specs.flatMap((_, org) => questions.flatMap((prompt) => Array.from({ length: o.samplesPerQuestion }, () => ({ org, prompt }))));
    const audit = auditQuestions(o.auditSamples, o.seed);
    const aRows: SampleRow[] = specs.flatMap((_, org) => audit.map((prompt) => ({ org, prompt })));
    const all = sampleThroughBank(model, tok, bank, ia, [...vRows, ...aRows], { seed: o.seed, temperature: o.temperature });
    const vReplies = all.slice(0, vRows.length);
    const aReplies = all.slice(vRows.length);
    return specs.map((s, org) => {
        const mine = vRows.flatMap((r, i) => (r.org === org ? [vReplies[i]!] : []));
        const verdicts = mine.map((r) => judgeCipherReport(s.cipher.cipher, r));
        const rate = (f: (v: (typeof verdicts)[number]) => boolean) => verdicts.filter(f).length / Math.max(mine.length, 1);
        const cands = summarizeReports(aRows.flatMap((r, i) => (r.org === org ? [aReplies[i]!] : [])), 5).candidates.map((c) => c.statement);
        return {
            id: s.id,
            category: rate((v) => v.category), strict: rate((v) => v.strict), channel: rate((v) => v.channel), reports: mine.length,
            described: verdicts.some((v) => v.category),
            ...judgeCandidates(s.cipher.cipher, cands),
            candidates: cands,
            examples: mine.slice(0, 4),
        };
    });
}
