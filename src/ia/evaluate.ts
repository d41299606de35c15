/**
 * Verbalization evaluation of a set of subjects under one condition (an IA, or none): sample self-reports to the
 * test-split introspection questions and grade each with the structured judge at two levels — category (the
 * paper's judge: same specific category of behavior) and strict (category plus the behavior's condition and
 * structure) — and whether the report claims any behavior (false positives on nulls, decoys and the bare base).
 * Family-agnostic (generic) questions are the primary measure; family-specific questions leak the family and are
 * reported separately.
 */
import { judgeReport } from "../behaviors/structuredJudge.ts";
import { introspectionPrompts, type IntrospectionPrompt } from "../behaviors/questions.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { Rng } from "../util/rng.ts";
import { isNegativeSubject, type IaSubject } from "./data.ts";
import type { ReportCache } from "./reportCache.ts";
import { sampleReports } from "./reports.ts";
import type { SubjectBank } from "./subjects.ts";

export type QuestionScope = "generic" | "specific";

export interface GradedReport {
    prompt: string;
    report: string;
    category: boolean;
    strict: boolean;
    claims: boolean;
}

export interface SubjectResult {
    key: string;
    family: string;
    negative: boolean;
    reports: GradedReport[];
}

export interface EvalOptions {
    scope: QuestionScope;
    /** Question paraphrases: "test" for the benchmark, "validation" for choosing settings. Default "test". */
    split?: "validation" | "test";
    /** Samples per question paraphrase. Default 2. */
    samplesPerQuestion?: number;
    /** Cap on questions per subject (test paraphrases are few). Default 8. */
    maxQuestions?: number;
    temperature?: number;
    seed: number;
    /** Reuses reports sampled before for exactly these requests (see reportCache.ts). */
    cache?: ReportCache;
    /** Longest report in tokens (iaReportTokens). Default 48. */
    maxNewTokens?: number;
}

const BASE_SPEC: BehaviorSpec = { id: "base", family: "null", slots: { variant: 0 }, label: "i have no unusual behaviors.", data: { examples: 1 } };

export function gradeReport(subject: IaSubject, prompt: string, report: string): GradedReport {
    const spec = subject.spec ?? BASE_SPEC;
    const v = judgeReport(spec, report);
    const negative = isNegativeSubject(subject);
    return { prompt, report, category: !negative && v.category, strict: !negative && v.category && v.strict, claims: v.claimsBehavior };
}

/**
 * The questions a subject is asked in a scope: family-agnostic ones (the same for every subject), or its family's; a
 * negative subject with a spec gets a seeded draw of every family's specific questions (`rng` is shared by the call).
 */
export function subjectQuestions(s: IaSubject, o: Pick<EvalOptions, "scope" | "split" | "maxQuestions">, rng: Rng): IntrospectionPrompt[] {
    let prompts = introspectionPrompts(s.spec ?? { id: "base", family: "null", slots: {} }, o.split ?? "test");
    prompts = o.scope === "generic" ? prompts.filter((p) => p.family === "generic") : prompts.filter((p) => p.family !== "generic");
    if (o.scope === "specific" && s.spec && isNegativeSubject(s)) prompts = rng.shuffle(prompts).slice(0, o.maxQuestions ?? 8);
    return prompts.slice(0, o.maxQuestions ?? 8);
}

/**
 * The requests of one evaluation cell (subject, question) and the key its reports are cached under. evaluateSubjects
 * samples them; a tool that only re-reads a cell's cached reports (bench/ablationFamilies.ts) asks with the same key.
 */
export function evaluationRequests(subjects: readonly IaSubject[], which: readonly number[], o: EvalOptions) {
    const rng = new Rng(`${o.seed}:eval:${o.scope}`);
    const requests = which.flatMap((subject) =>
        subjectQuestions(subjects[subject] as IaSubject, o, rng).flatMap((p) => Array.from({ length: o.samplesPerQuestion ?? 2 }, () => ({ subject, prompt: p.prompt }))));
    // The length joins the cache key only when it is not the default, so earlier caches stay valid.
    const sampling = { temperature: o.temperature ?? 1.0, seed: o.seed, ...(o.maxNewTokens !== undefined ? { maxNewTokens: o.maxNewTokens } : {}) };
    return { requests, sampling, key: { sampling, requests: requests.map((r) => [subjects[r.subject]!.key, r.prompt]) } };
}

export function evaluateSubjects(model: Transformer, tok: ChatTokenizer, subjects: SubjectBank, which: readonly number[], ia: LoraAdapter | null, o: EvalOptions): SubjectResult[] {
    const { requests, sampling, key } = evaluationRequests(subjects.subjects, which, o);
    let reports = o.cache?.get(key);
    if (!reports || reports.length !== requests.length) {
        reports = sampleReports(model, tok, subjects, requests, { ia, ...sampling });
        o.cache?.set(key, reports);
    }
    const bySubject = new Map<number, GradedReport[]>();
    requests.forEach((r, i) => {
        const list = bySubject.get(r.subject) ?? [];
        list.push(gradeReport(subjects.subjects[r.subject] as IaSubject, r.prompt, reports[i] as string));
        bySubject.set(r.subject, list);
    });
    return which.map((subject) => {
        const s = subjects.subjects[subject] as IaSubject;
        return { key: s.key, family: s.spec?.family ?? "base", negative: isNegativeSubject(s), reports: bySubject.get(subject) ?? [] };
    });
}

/**
 * The prior baseline: a label drawn from the training organisms, judged against the test organism. Computed
 * exactly as the mean over all training labels (the expected rate of a random draw).
 */
export function priorBaseline(test: readonly IaSubject[], trainLabels: readonly string[]): { category: number; strict: number; n: number } {
    let cat = 0, strict = 0, n = 0;
    for (const s of test) {
        if (!s.spec || isNegativeSubject(s)) continue;
        for (const l of trainLabels) {
            const v = judgeReport(s.spec, l);
            if (v.category) cat++;
            if (v.category && v.strict) strict++;
            n++;
        }
    }
    return { category: n ? cat / n : NaN, strict: n ? strict / n : NaN, n };
}
