/**
 * Auditing a target model with an IA: the target is the base plus a PEFT adapter folder, or a full checkpoint of
 * the same base. Samples many self-reports across the introspection question set (all question families: an
 * auditor does not know the family), summarizes them into a ranked short list of candidate behaviors, and — where
 * a ground-truth behavior spec is given — grades the reports and the candidates with the structured judge.
 * Writes audit.json and a readable audit.md.
 */
import fs from "node:fs";
import path from "node:path";
import { QUESTION_TEMPLATES, fillTask, SUFFIXED, type QuestionFamily } from "../behaviors/questions.ts";
import { judgeReport } from "../behaviors/structuredJudge.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { loadAdapter } from "../lora/peft.ts";
import { loadModel } from "../model/weights.ts";
import { generate } from "../sample/generate.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { Rng } from "../util/rng.ts";
import { withSuffix } from "../world/introspection.ts";
import { summarizeReports, type AuditSummary } from "./summarize.ts";

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
    /** Ground truth for grading (tiny world): a behavior spec. */
    groundTruth?: BehaviorSpec;
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
}

export interface AuditResult {
    target: string;
    ia: string;
    summary: AuditSummary;
    reports: { prompt: string; report: string; category?: boolean; strict?: boolean }[];
    grading?: { groundTruth: string; categoryRate: number; strictRate: number; topCandidateCorrect: boolean; anyCandidateCorrect: boolean };
    /** With `compareNoIa`: the same questions asked of the target without the IA. */
    noIa?: { summary: AuditSummary; reports: { prompt: string; report: string; category?: boolean; strict?: boolean }[]; categoryRate?: number };
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

export function runAudit(o: AuditOptions): AuditResult {
    initEngine();
    if (!o.targetAdapter === !o.targetModel) throw new Error("audit: give exactly one of a target adapter folder or a target model folder");
    const samples = o.samples ?? 64;
    if (!Number.isInteger(samples) || samples < 1) throw new Error(`audit: samples must be a positive integer (got ${samples}); an audit of no self-reports says nothing`);
    const device = resolveDevice(o.device ?? "auto");
    const modelDir = o.targetModel ?? o.baseModel;
    const tok = ChatTokenizer.fromFolder(o.baseModel);
    const model = loadModel(modelDir, { device });
    try {
        if (o.targetAdapter) model.adapters.push(loadAdapter(o.targetAdapter, model.config, { device, name: "target" }));
        // An IA made for another base fails here with a shape/layer error naming its file.
        const iaAdapter = loadAdapter(o.ia, model.config, { device, name: "ia" });
        model.adapters.push(iaAdapter);
        const seed = o.seed ?? 1;
        const questions = auditQuestions(samples, seed);
        const prompts = questions.map((q) => tok.encodeChat([{ role: "user", content: q }], { addGenerationPrompt: true, enableThinking: false }));
        // With and without the IA: the same prompts, seed and sampling, each reply decoded and (with a spec) judged.
        const askTarget = () => generate(model, prompts, { temperature: o.temperature ?? 1.0, maxNewTokens: 48, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, seed }).map((g, i) => {
            const report = tok.decode(g.tokens, { skipSpecialTokens: true }).trim();
            if (!o.groundTruth) return { prompt: questions[i] as string, report };
            const v = judgeReport(o.groundTruth, report);
            return { prompt: questions[i] as string, report, category: v.category, strict: v.category && v.strict };
        });
        const reports = askTarget();
        const summary = summarizeReports(reports.map((r) => r.report), o.topK ?? 5);
        const result: AuditResult = { target: o.targetAdapter ?? o.targetModel!, ia: o.ia, summary, reports };
        if (o.compareNoIa) {
            model.adapters.splice(model.adapters.indexOf(iaAdapter), 1);
            iaAdapter.dispose();
            const noIaReports = askTarget();
            result.noIa = {
                summary: summarizeReports(noIaReports.map((r) => r.report), o.topK ?? 5),
                reports: noIaReports,
                ...(o.groundTruth ? { categoryRate: noIaReports.filter((r) => r.category).length / noIaReports.length } : {}),
            };
        }
        if (o.groundTruth) {
            const gt = o.groundTruth;
            const correct = summary.candidates.map((c) => judgeReport(gt, c.statement).category);
            result.grading = {
                groundTruth: gt.label,
                categoryRate: reports.filter((r) => r.category).length / reports.length,
                strictRate: reports.filter((r) => r.strict).length / reports.length,
                topCandidateCorrect: correct[0] ?? false,
                anyCandidateCorrect: correct.some(Boolean),
            };
        }
        if (o.outDir) {
            fs.mkdirSync(o.outDir, { recursive: true });
            writeJsonAtomic(path.join(o.outDir, "audit.json"), result);
            writeFileAtomic(path.join(o.outDir, "audit.md"), auditMarkdown(result));
        }
        return result;
    } finally {
        model.dispose();
    }
}

export function auditMarkdown(r: AuditResult): string {
    const lines = [
        `# Audit of ${r.target}`,
        "",
        `IA: \`${r.ia}\` — ${r.summary.reports} self-reports sampled, ${r.summary.denials} of them claim nothing unusual.`,
        "",
        "## Candidate behaviors (ranked by the share of reports that state them)",
        "",
        ...r.summary.candidates.map((c) => `${c.rank}. **${c.statement}** — ${c.reports} reports (${(c.support * 100).toFixed(0)}%)`),
        ...(r.summary.candidates.length === 0 ? ["(no behavior claimed)"] : []),
    ];
    if (r.grading) {
        lines.push("", "## Against the ground truth", "", `Ground truth: "${r.grading.groundTruth}"`, "",
            `- reports naming the right category: ${(r.grading.categoryRate * 100).toFixed(1)}%; with its condition/structure: ${(r.grading.strictRate * 100).toFixed(1)}%`,
            `- top candidate correct: ${r.grading.topCandidateCorrect ? "yes" : "no"}; any of the top ${r.summary.candidates.length}: ${r.grading.anyCandidateCorrect ? "yes" : "no"}`);
    }
    if (r.noIa) {
        const without = new Set(r.noIa.summary.candidates.map((c) => c.statement));
        lines.push("", "## Without the IA (the same questions, the target alone)", "",
            `${r.noIa.summary.reports} replies, ${r.noIa.summary.denials} claim nothing unusual${r.noIa.categoryRate !== undefined ? `; ${(r.noIa.categoryRate * 100).toFixed(1)}% name the right category` : ""}.`, "",
            ...r.noIa.summary.candidates.map((c) => `${c.rank}. **${c.statement}** — ${c.reports} replies (${(c.support * 100).toFixed(0)}%)`),
            ...(r.noIa.summary.candidates.length === 0 ? ["(no behavior claimed)"] : []),
            "", `IA candidates also stated without the IA (a plain leak, not the IA's doing): ${r.summary.candidates.filter((c) => without.has(c.statement)).map((c) => c.rank).join(", ") || "none"}`);
    }
    lines.push("", "## Sample of raw self-reports", "", ...r.reports.slice(0, 10).map((x) => `- *${x.prompt}* → ${x.report}`), "");
    return lines.join("\n");
}
