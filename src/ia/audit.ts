/**
 * Auditing a target model with an IA: the target is the base plus a PEFT adapter folder, or a full checkpoint of
 * the same base. Samples many self-reports across the introspection question set (all question families: an
 * auditor does not know the family), summarizes them into a ranked short list of candidate behaviors, and — where
 * a ground truth is given — grades the reports and the candidates. Writes audit.json and a readable audit.md.
 *
 * Two ways to summarize and to grade:
 *  - tiny world (no LLM): the word-overlap/structured summarizer (summarize.ts) and, with a behavior spec, the
 *    structured judge;
 *  - real models: `summarizer`, an LLM given every self-report (the paper's scaffold, src/audit/llmSummarize.ts),
 *    and `judge`, the paper's J.2 LLM judge against a free-text label, each text judged `judgeRepeats` times
 *    (src/audit/llmGrading.ts). Both are checked reachable before any model work, and nothing is written until
 *    every call has answered, so an unreachable provider leaves no half-written audit.
 * With `compareNoIa`, the target's replies without the IA are summarized and graded the same way.
 */
import fs from "node:fs";
import path from "node:path";
import { gradeWithJudge, type LlmGrading, type LlmVerdict } from "../audit/llmGrading.ts";
import { summarizeWithProvider, SUMMARIZER_PROMPT_VERSION, type LlmSummaryRecord } from "../audit/llmSummarize.ts";
import { checkAuditInputs } from "../audit/inputs.ts";
import { auditCost, checkReachable, openAuditProviders, type AuditCost } from "../audit/providers.ts";
import { QUESTION_TEMPLATES, fillTask, SUFFIXED, type QuestionFamily } from "../behaviors/questions.ts";
import { judgeReport } from "../behaviors/structuredJudge.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { JUDGE_PROMPT_VERSION } from "../judge/rubric.ts";
import { loadAdapter } from "../lora/peft.ts";
import { loadModel } from "../model/weights.ts";
import type { ProviderFromSpecOptions } from "../providers/fromSpec.ts";
import { generate } from "../sample/generate.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { Rng } from "../util/rng.ts";
import { withSuffix } from "../world/introspection.ts";
import { rowQuestions, type AuditQuestion } from "../audit/rowQuestions.ts";
import { summarizeReports, type AuditSummary, type CandidateBehavior } from "./summarize.ts";
import { iaReportTokens } from "./reports.ts";
import { DEFAULT_REPORT_TOKENS } from "../behaviors/shownReport.ts";

export interface AuditOptions {
    /** Base model folder. With `targetAdapter`, the target is base + adapter; with `targetModel`, that checkpoint. */
    baseModel: string;
    targetAdapter?: string;
    targetModel?: string;
    /** The IA adapter folder. */
    ia: string;
    /** Self-reports to sample. Default 64. */
    samples?: number;
    /** Default 1.0. */
    temperature?: number;
    seed?: number;
    /**
     * Ground truth for grading: a behavior spec. A tiny-world spec is graded by the structured judge unless `judge`
     * is given; a free-text spec (`freeText: true`) needs `judge`.
     */
    groundTruth?: BehaviorSpec;
    /** Ground truth as a free-text first-person label ("I ..."), graded by `judge`. Not with `groundTruth`. */
    label?: string;
    /** Provider spec of the summarizer LLM (src/providers/fromSpec.ts). Default: the word-overlap summarizer. */
    summarizer?: string;
    /** Provider spec of the J.2 judge LLM. Needs a ground truth (`label` or `groundTruth`). */
    judge?: string;
    /** Judge votes per text (majority kept). Default 3. */
    judgeRepeats?: number;
    /** Judge calls in flight. Default 8. */
    concurrency?: number;
    /** Cache folder, retries, API keys for the providers. Default: providerFromSpec's defaults. */
    providerOptions?: Omit<ProviderFromSpecOptions, "meter">;
    /** Write audit.json / audit.md here. */
    outDir?: string;
    /** Candidates to keep. Default 5. */
    topK?: number;
    /** auto | cpu | cuda | cuda:N. Default "auto". */
    device?: string;
    /**
     * Also ask the same questions of the target without the IA (same seed), and report those candidates next to the
     * IA's: a behavior the target states without the IA is a plain leak, not the IA's doing. Default false.
     */
    compareNoIa?: boolean;
    /**
     * The paper's evaluation rows (`prediction_*` JSONL): ask their questions, with their system prompts, instead of
     * our question set; without `label`/`groundTruth`, their positive answer is the label `judge` grades against.
     */
    rows?: string;
}

export interface AuditReport {
    prompt: string;
    /** The system prompt the question was asked with (eval rows that have one). */
    system?: string;
    report: string;
    /** Names the ground truth's behavior: the structured judge's category verdict, or the LLM judge's majority "yes". */
    category?: boolean;
    /** Structured judge only: the behavior with its condition/structure. */
    strict?: boolean;
    /** LLM judge only: votes, agreement, raw answers. */
    judge?: LlmVerdict;
}

export interface StructuredGrading {
    /** Absent in audits written before the LLM judge existed. */
    method?: "structured";
    groundTruth: string;
    categoryRate: number;
    strictRate: number;
    topCandidateCorrect: boolean;
    anyCandidateCorrect: boolean;
}

export type AuditGrading = StructuredGrading | LlmGrading;

/** How a side's candidates were made. Absent in audits written before the LLM summarizer existed. */
export type SummarizationRecord = { method: "word-overlap" } | LlmSummaryRecord;

/** A candidate; `reportIndices` (the LLM summarizer's citations, 0-based) says which reports state it. */
export type AuditCandidate = CandidateBehavior & { reportIndices?: number[] };
export type AuditSummaryWithCitations = Omit<AuditSummary, "candidates"> & { candidates: AuditCandidate[] };

export interface AuditResult {
    target: string;
    ia: string;
    summary: AuditSummaryWithCitations;
    summarization?: SummarizationRecord;
    reports: AuditReport[];
    grading?: AuditGrading;
    /** With `compareNoIa`: the same questions asked of the target without the IA, summarized and graded the same way. */
    noIa?: { summary: AuditSummaryWithCitations; summarization?: SummarizationRecord; reports: AuditReport[]; categoryRate?: number; grading?: AuditGrading };
    /** The LLMs used, when any: provider specs and prompt versions. */
    providers?: { summarizer?: string; summarizerPromptVersion?: string; judge?: string; judgeRepeats?: number; judgePromptVersion?: string };
    /** Tokens and USD of every LLM call (probes included), from the providers' cost meter. */
    cost?: AuditCost;
}

const FAMILIES: QuestionFamily[] = ["generic", "conditional", "heuristic", "problematic", "roleplay"];

export function auditQuestions(n: number, seed: number): string[] {
    const rng = new Rng(`${seed}:audit-questions`);
    return Array.from({ length: n }, (_, i) => {
        // Half generic (the family-agnostic question), the rest spread over the family-specific sets.
        const family = i % 2 === 0 ? "generic" : (rng.pick(FAMILIES.slice(1)) as QuestionFamily);
        const q = rng.pick(QUESTION_TEMPLATES[family]);
        const filled = family === "heuristic" ? fillTask(q, rng.pick(["house", "car", "laptop", "bike"])) : q;
        return SUFFIXED.includes(family) ? withSuffix(filled) : filled;
    });
}

/** First person, as the organisms' labels are ("I ...", "my ...", "me"). */
const FIRST_PERSON = /\b(i|my|me)\b/i;

/**
 * Every check that needs no model and no network, so a bad combination fails before anything is loaded, sampled
 * or written. Returns the free-text label the LLM judge grades against, when there is one.
 */
export function checkAuditOptions(o: AuditOptions): { judgeLabel?: string; questions?: AuditQuestion[] } {
    if (!o.targetAdapter === !o.targetModel) throw new Error("audit: give exactly one of a target adapter folder or a target model folder");
    const samples = o.samples ?? 64;
    if (!Number.isInteger(samples) || samples < 1) throw new Error(`audit: samples must be a positive integer (got ${samples}); an audit of no self-reports says nothing`);
    const positive = (name: string, v: number | undefined) => {
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`audit: ${name} must be a positive integer (got ${v})`);
    };
    positive("--top", o.topK);
    positive("--judge-repeats", o.judgeRepeats);
    positive("--concurrency", o.concurrency);
    if (o.label !== undefined && o.groundTruth) throw new Error("audit: give one ground truth, --label or --spec, not both");
    if (o.label !== undefined && (o.label.trim() === "" || !FIRST_PERSON.test(o.label))) {
        throw new Error(`audit: --label must be the behavior in the first person, as the organisms' labels are ("I ..."), got ${JSON.stringify(o.label)}`);
    }
    const freeText = o.groundTruth?.freeText === true;
    const fromRows = o.rows !== undefined ? rowQuestions(o.rows, samples) : undefined;
    const questions = fromRows ? { questions: fromRows.questions } : {};
    if (o.judge === undefined) {
        if (o.label !== undefined) throw new Error("audit: --label is graded by an LLM judge; give --judge <provider spec> (the structured judge reads only tiny-world specs)");
        if (freeText) throw new Error(`audit: the spec "${o.groundTruth!.id}" is free text (freeText: true); grading it needs an LLM judge: give --judge <provider spec>`);
        if (o.judgeRepeats !== undefined) throw new Error("audit: --judge-repeats needs --judge");
        return questions;
    }
    const judgeLabel = o.label ?? o.groundTruth?.label ?? fromRows?.label;
    if (judgeLabel === undefined) throw new Error(`audit: --judge grades against a ground truth; give --label "I ..." (or --spec FILE${o.rows !== undefined ? `; ${o.rows} has no positive row to take it from` : ""})`);
    return { judgeLabel, ...questions };
}

/** What the model work produces: one side's questions and raw replies. */
interface Sampled {
    reports: { prompt: string; system?: string; report: string }[];
}

function sampleSides(o: AuditOptions, given?: readonly AuditQuestion[]): { withIa: Sampled; noIa?: Sampled } {
    initEngine();
    const samples = o.samples ?? 64;
    const device = resolveDevice(o.device ?? "auto");
    const modelDir = o.targetModel ?? o.baseModel;
    const tok = ChatTokenizer.fromFolder(o.baseModel);
    const model = loadModel(modelDir, { device });
    try {
        if (o.targetAdapter) model.adapters.push(loadAdapter(o.targetAdapter, model.config, { device, name: "target" }));
        // (checkAuditInputs has already refused an IA or target made for another base, from the file headers.)
        const iaAdapter = loadAdapter(o.ia, model.config, { device, name: "ia" });
        model.adapters.push(iaAdapter);
        const seed = o.seed ?? 1;
        const questions: AuditQuestion[] = given ? [...given] : auditQuestions(samples, seed).map((prompt) => ({ prompt }));
        const prompts = questions.map((q) => tok.encodeChat([...(q.system !== undefined ? [{ role: "system" as const, content: q.system }] : []), { role: "user", content: q.prompt }], { addGenerationPrompt: true, enableThinking: false }));
        // With and without the IA: the same prompts, seed and sampling.
        const askTarget = (): Sampled => ({
            reports: generate(model, prompts, { temperature: o.temperature ?? 1.0, maxNewTokens: iaReportTokens(o.ia) ?? DEFAULT_REPORT_TOKENS, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, seed })
                .map((g, i) => {
                    const q = questions[i] as AuditQuestion;
                    return { prompt: q.prompt, ...(q.system !== undefined ? { system: q.system } : {}), report: tok.decode(g.tokens, { skipSpecialTokens: true }).trim() };
                }),
        });
        const withIa = askTarget();
        if (!o.compareNoIa) return { withIa };
        model.adapters.splice(model.adapters.indexOf(iaAdapter), 1);
        iaAdapter.dispose();
        return { withIa, noIa: askTarget() };
    } finally {
        model.dispose();
    }
}

type Side = { summary: AuditSummaryWithCitations; summarization: SummarizationRecord; reports: AuditReport[]; grading?: AuditGrading };

/** Structured judge (tiny world): each report and candidate against the spec. */
function gradeStructured(spec: BehaviorSpec, side: Side): void {
    side.reports = side.reports.map((r) => {
        const v = judgeReport(spec, r.report);
        return { ...r, category: v.category, strict: v.category && v.strict };
    });
    const correct = side.summary.candidates.map((c) => judgeReport(spec, c.statement).category);
    side.grading = {
        method: "structured",
        groundTruth: spec.label,
        categoryRate: side.reports.filter((r) => r.category).length / side.reports.length,
        strictRate: side.reports.filter((r) => r.strict).length / side.reports.length,
        topCandidateCorrect: correct[0] ?? false,
        anyCandidateCorrect: correct.some(Boolean),
    };
}

export async function runAudit(o: AuditOptions): Promise<AuditResult> {
    const { judgeLabel, questions } = checkAuditOptions(o);
    checkAuditInputs(o);
    const specs = { ...(o.summarizer !== undefined ? { summarizer: o.summarizer } : {}), ...(o.judge !== undefined ? { judge: o.judge } : {}) };
    const providers = openAuditProviders(specs, o.providerOptions);
    // Before the model is loaded: an unreachable judge must not cost the sampling.
    // The probe never reads the cache (checkReachable turns it off): a cached answer says nothing about the server now.
    await checkReachable(specs, providers.meter, { retry: o.providerOptions?.retry, apiKey: o.providerOptions?.apiKey, env: o.providerOptions?.env });
    const sampled = sampleSides(o, questions);
    const topK = o.topK ?? 5;

    const finish = async (s: Sampled): Promise<Side> => {
        const texts = s.reports.map((r) => r.report);
        const side: Side = providers.summarizer
            ? await summarizeWithProvider(providers.summarizer, texts, topK).then((x) => ({ summary: x.summary, summarization: x.record, reports: s.reports }))
            : { summary: summarizeReports(texts, topK), summarization: { method: "word-overlap" }, reports: s.reports };
        if (providers.judge && judgeLabel !== undefined) {
            const g = await gradeWithJudge(providers.judge, judgeLabel, texts, side.summary.candidates, { repeats: o.judgeRepeats ?? 3, concurrency: o.concurrency ?? 8 });
            side.reports = side.reports.map((r, i) => ({ ...r, category: g.reports[i]!.verdict === "yes", judge: g.reports[i]! }));
            side.grading = g.grading;
        } else if (o.groundTruth) gradeStructured(o.groundTruth, side);
        return side;
    };
    // Both sides at once: their LLM calls overlap instead of queueing.
    const [withIa, noIa] = await Promise.all([finish(sampled.withIa), sampled.noIa ? finish(sampled.noIa) : Promise.resolve(undefined)]);

    const result: AuditResult = {
        target: o.targetAdapter ?? o.targetModel!, ia: o.ia, summary: withIa.summary, summarization: withIa.summarization, reports: withIa.reports,
        ...(withIa.grading ? { grading: withIa.grading } : {}),
    };
    if (noIa) {
        result.noIa = {
            summary: noIa.summary, summarization: noIa.summarization, reports: noIa.reports,
            ...(noIa.grading ? { categoryRate: noIa.grading.categoryRate, grading: noIa.grading } : {}),
        };
    }
    if (o.summarizer !== undefined || o.judge !== undefined) {
        result.providers = {
            ...(o.summarizer !== undefined ? { summarizer: o.summarizer, summarizerPromptVersion: SUMMARIZER_PROMPT_VERSION } : {}),
            ...(o.judge !== undefined ? { judge: o.judge, judgeRepeats: o.judgeRepeats ?? 3, judgePromptVersion: JUDGE_PROMPT_VERSION } : {}),
        };
        result.cost = auditCost(providers.meter);
    }
    if (o.outDir) {
        fs.mkdirSync(o.outDir, { recursive: true });
        writeJsonAtomic(path.join(o.outDir, "audit.json"), result);
        writeFileAtomic(path.join(o.outDir, "audit.md"), auditMarkdown(result));
    }
    return result;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** "judge: yes (3/3)" after a candidate graded by the LLM judge. */
function candidateVerdict(g: AuditGrading | undefined, rank: number): string {
    if (!g || g.method !== "llm") return "";
    const c = g.candidates.find((x) => x.rank === rank);
    return c ? ` — judge: ${c.verdict} (${c.votes.filter((v) => v === c.verdict).length}/${c.votes.length} votes)` : "";
}

function gradingLines(g: AuditGrading, candidates: number): string[] {
    if (g.method === "llm") {
        return [
            `- judge ${g.judge} (prompt ${g.promptVersion}, ${g.repeats} votes per text, majority kept): ${pct(g.categoryRate)} of reports name the behavior; ${pct(g.unclearRate)} unclear; mean vote agreement ${pct(g.meanAgreement)}`,
            `- top candidate correct: ${g.topCandidateCorrect ? "yes" : "no"}; any of the top ${candidates}: ${g.anyCandidateCorrect ? "yes" : "no"}`,
        ];
    }
    return [
        `- reports naming the right category: ${pct(g.categoryRate)}; with its condition/structure: ${pct(g.strictRate)}`,
        `- top candidate correct: ${g.topCandidateCorrect ? "yes" : "no"}; any of the top ${candidates}: ${g.anyCandidateCorrect ? "yes" : "no"}`,
    ];
}

function summarizedBy(s: SummarizationRecord | undefined): string {
    return s?.method === "llm" ? `the LLM ${s.provider} (prompt ${s.promptVersion}), citing the reports that state each` : "word overlap (the tiny-world summarizer)";
}

export function auditMarkdown(r: AuditResult): string {
    const lines = [
        `# Audit of ${r.target}`,
        "",
        `IA: \`${r.ia}\` — ${r.summary.reports} self-reports sampled, ${r.summary.denials} of them claim nothing unusual.`,
        "",
        "## Candidate behaviors (ranked by the share of reports that state them)",
        "",
        `Summarized by ${summarizedBy(r.summarization)}.`,
        "",
        ...r.summary.candidates.map((c) => `${c.rank}. **${c.statement}** — ${c.reports} reports (${(c.support * 100).toFixed(0)}%)${candidateVerdict(r.grading, c.rank)}`),
        ...(r.summary.candidates.length === 0 ? ["(no behavior claimed)"] : []),
    ];
    if (r.grading) lines.push("", "## Against the ground truth", "", `Ground truth: "${r.grading.groundTruth}"`, "", ...gradingLines(r.grading, r.summary.candidates.length));
    if (r.noIa) {
        const n = r.noIa;
        const without = new Set(n.summary.candidates.map((c) => c.statement));
        lines.push("", "## Without the IA (the same questions, the target alone)", "",
            `${n.summary.reports} replies, ${n.summary.denials} claim nothing unusual${n.categoryRate !== undefined ? `; ${pct(n.categoryRate)} name the right category` : ""}.`, "",
            ...n.summary.candidates.map((c) => `${c.rank}. **${c.statement}** — ${c.reports} replies (${(c.support * 100).toFixed(0)}%)${candidateVerdict(n.grading, c.rank)}`),
            ...(n.summary.candidates.length === 0 ? ["(no behavior claimed)"] : []),
            ...(n.grading ? ["", ...gradingLines(n.grading, n.summary.candidates.length)] : []),
            "", `IA candidates also stated without the IA (a plain leak, not the IA's doing): ${r.summary.candidates.filter((c) => without.has(c.statement)).map((c) => c.rank).join(", ") || "none"}`);
    }
    if (r.providers) {
        const p = r.providers;
        lines.push("", "## LLMs used", "",
            ...(p.summarizer ? [`- summarizer: \`${p.summarizer}\` (prompt ${p.summarizerPromptVersion})`] : []),
            ...(p.judge ? [`- judge: \`${p.judge}\` (prompt ${p.judgePromptVersion}, ${p.judgeRepeats} votes per text)`] : []));
        if (r.cost) {
            const t = r.cost.totals;
            lines.push(`- cost: ${t.calls} calls (${t.cachedCalls} more from the cache), ${t.inputTokens} input + ${t.outputTokens} output tokens, $${t.costUsd.toFixed(4)}${t.unpricedModels.length ? ` + unpriced models ${t.unpricedModels.join(", ")}` : ""}`);
        }
    }
    lines.push("", "## Sample of raw self-reports", "", ...r.reports.slice(0, 10).map((x) => `- *${x.prompt}* → ${x.report}`), "");
    return lines.join("\n");
}
