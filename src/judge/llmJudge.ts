/**
 * Grade one self-report against its ground-truth label with an LLM judge (rubric.ts), optionally several times,
 * and keep everything needed to store and audit the grade: each prompt, each raw output, each vote.
 * It does not batch many pairs or decide what an "unclear" majority means for a metric; callers do.
 */
import type { ChatProvider, CompletionRequest, TokenUsage } from "../providers/types.ts";
import { JUDGE_PROMPT_VERSION, buildJudgeRequest, parseVerdict, type Verdict } from "./rubric.ts";

export interface JudgeInput {
    /** Ground-truth first-person behavior label (the Correct Response). */
    label: string;
    /** The self-report being graded (the Prediction). */
    prediction: string;
}

export interface JudgeOptions {
    /** Independent judge samples to take. Default 1. */
    repeats?: number;
    /** Judge temperature. Default 0 for a single repeat, 1 for several (identical greedy votes would add nothing). */
    temperature?: number;
    /** Judge max tokens. Default 100. */
    maxTokens?: number;
}

export interface JudgeCallRecord {
    sampleIndex: number;
    request: CompletionRequest;
    output: string;
    verdict: Verdict;
    model: string;
    cached: boolean;
    usage: TokenUsage;
}

export interface JudgeResult {
    label: string;
    prediction: string;
    /** The strictly most common vote; any tie for first place gives "unclear". */
    verdict: Verdict;
    votes: Verdict[];
    /** Share of votes equal to the most common vote (1 when all agree). */
    agreement: number;
    /** Share of "yes" votes. */
    yesFraction: number;
    provider: string;
    promptVersion: string;
    calls: JudgeCallRecord[];
}

export async function judgeWithProvider(provider: ChatProvider, input: JudgeInput, opts: JudgeOptions = {}): Promise<JudgeResult> {
    const repeats = opts.repeats ?? 1;
    if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`judge: repeats must be a positive integer, got ${repeats}`);
    const temperature = opts.temperature ?? (repeats > 1 ? 1 : 0);
    const base = buildJudgeRequest(input.label, input.prediction, { maxTokens: opts.maxTokens ?? 100, temperature });
    const calls = await Promise.all(
        Array.from({ length: repeats }, async (_, sampleIndex): Promise<JudgeCallRecord> => {
            const request: CompletionRequest = { ...base, sampleIndex };
            const res = await provider.complete(request);
            return { sampleIndex, request, output: res.text, verdict: parseVerdict(res.text), model: res.model, cached: res.cached, usage: res.usage };
        }),
    );
    const votes = calls.map((c) => c.verdict);
    const { verdict, agreement } = majority(votes);
    return {
        label: input.label,
        prediction: input.prediction,
        verdict,
        votes,
        agreement,
        yesFraction: votes.filter((v) => v === "yes").length / votes.length,
        provider: provider.name,
        promptVersion: JUDGE_PROMPT_VERSION,
        calls,
    };
}

/** Strict plurality over the votes; a tie for first place is "unclear". */
export function majority(votes: readonly Verdict[]): { verdict: Verdict; agreement: number } {
    if (votes.length === 0) return { verdict: "unclear", agreement: 0 };
    const counts: Record<Verdict, number> = { yes: 0, no: 0, unclear: 0 };
    for (const v of votes) counts[v]++;
    const top = Math.max(counts.yes, counts.no, counts.unclear);
    const leaders = (Object.keys(counts) as Verdict[]).filter((v) => counts[v] === top);
    return { verdict: leaders.length === 1 && leaders[0] !== undefined ? leaders[0] : "unclear", agreement: top / votes.length };
}
