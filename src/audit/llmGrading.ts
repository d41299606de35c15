/**
 * Grading an audit against a free-text ground truth with the LLM judge (the paper's Appendix J.2 judge,
 * src/judge/): every self-report and every candidate is judged `repeats` times and the majority vote kept, with the
 * votes, their agreement and the judge's raw answers, so a reader can see how sure the judge was.
 *
 * Identical texts are judged once (a small model repeats itself a lot; the answer cannot differ, and each call
 * costs). A failed judge call fails the whole grading: a rate computed over the reports that happened to get an
 * answer would be a different measurement.
 */
import { judgeWithProvider } from "../judge/llmJudge.ts";
import { JUDGE_PROMPT_VERSION, type Verdict } from "../judge/rubric.ts";
import { mapWithConcurrency } from "../providers/concurrency.ts";
import type { ChatProvider } from "../providers/types.ts";

export interface LlmVerdict {
    /** Strict majority of the votes ("unclear" on a tie). */
    verdict: Verdict;
    votes: Verdict[];
    /** Share of votes equal to the majority vote. */
    agreement: number;
    /** The judge's raw answers, one per vote. */
    outputs: string[];
}

export interface LlmGrading {
    method: "llm";
    judge: string;
    promptVersion: string;
    repeats: number;
    groundTruth: string;
    /** Share of reports whose majority verdict is "yes" (the verbalization rate). */
    categoryRate: number;
    /** Share of reports whose majority verdict is "unclear". */
    unclearRate: number;
    /** Mean agreement of the votes over the reports. */
    meanAgreement: number;
    topCandidateCorrect: boolean;
    anyCandidateCorrect: boolean;
    /** One per candidate, in rank order. */
    candidates: (LlmVerdict & { rank: number; statement: string })[];
}

export interface LlmGradingOptions {
    /** Judge samples per text. Default 3. */
    repeats?: number;
    /** Judge calls in flight. Default 8. */
    concurrency?: number;
}

/** Judges each text once per distinct text; results in input order. */
export async function judgeTexts(judge: ChatProvider, label: string, texts: readonly string[], o: LlmGradingOptions = {}): Promise<LlmVerdict[]> {
    const repeats = o.repeats ?? 3;
    const distinct = [...new Set(texts)];
    const results = await mapWithConcurrency(distinct, o.concurrency ?? 8, async (prediction) => {
        const r = await judgeWithProvider(judge, { label, prediction }, { repeats });
        return { verdict: r.verdict, votes: r.votes, agreement: r.agreement, outputs: r.calls.map((c) => c.output) } satisfies LlmVerdict;
    });
    const byText = new Map(distinct.map((t, i) => [t, results[i]!]));
    return texts.map((t) => byText.get(t)!);
}

/** Grades the reports and the candidates of one side of an audit. */
export async function gradeWithJudge(
    judge: ChatProvider, label: string, reports: readonly string[], candidates: readonly { rank: number; statement: string }[], o: LlmGradingOptions = {},
): Promise<{ reports: LlmVerdict[]; grading: LlmGrading }> {
    const verdicts = await judgeTexts(judge, label, [...reports, ...candidates.map((c) => c.statement)], o);
    const rv = verdicts.slice(0, reports.length);
    const cv = verdicts.slice(reports.length);
    const share = (f: (v: LlmVerdict) => boolean) => rv.filter(f).length / Math.max(rv.length, 1);
    return {
        reports: rv,
        grading: {
            method: "llm",
            judge: judge.name,
            promptVersion: JUDGE_PROMPT_VERSION,
            repeats: o.repeats ?? 3,
            groundTruth: label,
            categoryRate: share((v) => v.verdict === "yes"),
            unclearRate: share((v) => v.verdict === "unclear"),
            meanAgreement: rv.reduce((s, v) => s + v.agreement, 0) / Math.max(rv.length, 1),
            topCandidateCorrect: cv[0]?.verdict === "yes",
            anyCandidateCorrect: cv.some((v) => v.verdict === "yes"),
            candidates: candidates.map((c, i) => ({ rank: c.rank, statement: c.statement, ...cv[i]! })),
        },
    };
}
