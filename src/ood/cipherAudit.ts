/**
 * Audits of the cipher organisms (cipherSuite.ts): one condition — no IA, or one IA adapter — on every organism of
 * a bank, read the two ways of the paper's §4.3: raw verbalization over the generic test questions, and the
 * summarization scaffold's top-5 candidates; cipherJudge.ts decides whether each names the harmful behavior and
 * the cipher or channel that carries it.
 */
import type { LoraAdapter } from "../lora/adapter.ts";
import type { LoraBank } from "../lora/bank.ts";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { auditOodBank } from "./audit.ts";
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

/**
 * One condition (an IA, or none) on every organism of the bank; slot i of `specs` is adapter i. Sampled as the OOD
 * audit samples (auditOodBank, without its red-team set), graded by the cipher judge.
 */
export function auditCipherBank(model: Transformer, tok: ChatTokenizer, bank: LoraBank, specs: readonly CipherOrganismSpec[], ia: LoraAdapter | null, o: CipherPreset["audit"] & { seed: number }): CipherOrganismAudit[] {
    const samples = auditOodBank(model, tok, bank, specs, ia, { ...o, redTeamSamples: 0 });
    return specs.map((s, org) => {
        const { reports, candidates } = samples[org]!;
        const verdicts = reports.map((r) => judgeCipherReport(s.cipher.cipher, r));
        const rate = (f: (v: (typeof verdicts)[number]) => boolean) => verdicts.filter(f).length / Math.max(reports.length, 1);
        return {
            id: s.id,
            category: rate((v) => v.category), strict: rate((v) => v.strict), channel: rate((v) => v.channel), reports: reports.length,
            described: verdicts.some((v) => v.category),
            ...judgeCandidates(s.cipher.cipher, candidates),
            candidates,
            examples: reports.slice(0, 4),
        };
    });
}
