/**
 * audit.html: one audit as a page — the ranked candidate behaviors with their support and the self-reports that
 * state each, the grading against the ground truth when there is one, the same questions without the IA when they
 * were asked, and every self-report in a table that sorts and filters.
 *
 * With LLMs (`--summarizer`, `--judge`): which reports each candidate cites, the judge's votes per report and
 * candidate, the providers, prompt versions and the cost.
 *
 * Numbers carry `data-metric` keys naming where in audit.json they come from ("noIa:" prefixes the no-IA side):
 *   audit:[noIa:]summary:<reports|denials>, audit:[noIa:]candidate:<rank>:<support|reports>,
 *   audit:grading:<field>, audit:noIa:categoryRate, audit:noIa:grading:<field> (LLM judge),
 *   audit:[noIa:]report:<index>:<category|strict>, audit:cost:<calls|inputTokens|outputTokens|costUsd>
 */
import path from "node:path";
import type { AuditGrading, AuditResult, AuditSummaryWithCitations, SummarizationRecord } from "../ia/audit.ts";
import { summarizeReports } from "../ia/summarize.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { html, type Raw } from "./escape.ts";
import { metric } from "./metric.ts";
import { htmlPage } from "./page.ts";
import { readAuditResult } from "./readReport.ts";
import { sortableTable } from "./table.ts";

export interface AuditHtmlOptions {
    /** Where to write the page. Default `<auditDir>/audit.html`. */
    out?: string;
}

type Report = AuditResult["reports"][number];

/**
 * Which candidates a report states. The LLM summarizer cites its reports (`reportIndices`), so those are used as
 * given. The word-overlap summarizer keeps no report-to-candidate map, so each pair is put through the same
 * summarizer: a report states a candidate when the two land in one group. Exact for the tiny world's structured
 * claims; for free text the summarizer clusters greedily, so a pair can group differently than within all reports.
 */
function statedBy(summary: AuditSummaryWithCitations, reports: readonly Report[]): Map<number, number[]> {
    const out = new Map<number, number[]>(summary.candidates.map((c) => [c.rank, c.reportIndices ? [...c.reportIndices] : []]));
    reports.forEach((r, i) => {
        for (const c of summary.candidates) {
            if (c.reportIndices) continue;
            if (summarizeReports([c.statement, r.report], Number.MAX_SAFE_INTEGER).candidates.some((g) => g.reports === 2)) out.get(c.rank)?.push(i);
        }
    });
    return out;
}

/** "judge: yes, 3/3 votes" after a candidate the LLM judge graded. */
function candidateVerdict(g: AuditGrading | undefined, rank: number): Raw | string {
    if (g?.method !== "llm") return "";
    const c = g.candidates.find((x) => x.rank === rank);
    return c ? html` — <span class="verdict">judge: <strong>${c.verdict}</strong>, ${c.votes.filter((v) => v === c.verdict).length}/${c.votes.length} votes</span>` : "";
}

function summarizedBy(s: SummarizationRecord | undefined): Raw {
    return s?.method === "llm"
        ? html`<p class="note">Summarized by the LLM <code>${s.provider}</code> (prompt ${s.promptVersion}) from all the self-reports; each candidate's count is the reports it cited.${s.repairReason ? html` Its first reply was unusable (${s.repairReason}) and was asked again.` : ""}</p>`
        : html`<p class="note">Summarized by word overlap (the tiny-world summarizer).</p>`;
}

function candidates(prefix: string, summary: AuditSummaryWithCitations, reports: readonly Report[], stated: Map<number, number[]>, g?: AuditGrading): Raw {
    if (summary.candidates.length === 0) return html`<p>No behavior claimed.</p>`;
    return html`<ol class="candidates">${summary.candidates.map((c) => {
        const members = stated.get(c.rank) ?? [];
        return html`<li><strong>${c.statement}</strong> — ${metric(`${prefix}candidate:${c.rank}:reports`, c.reports, "count")} reports (${metric(`${prefix}candidate:${c.rank}:support`, c.support, "pct")} of all)${candidateVerdict(g, c.rank)}
<div class="note">${c.reportIndices ? "Cited reports, e.g." : "Phrasings"}: ${c.examples.map((e, i) => html`${i ? "; " : ""}“${e}”`)}</div>
${members.length ? html`<details><summary>Self-reports stating it (${members.length})</summary><ul>${members.map((i) => html`<li><em>${reports[i]?.prompt}</em> → ${reports[i]?.report}</li>`)}</ul></details>` : ""}</li>`;
    })}</ol>`;
}

function reportsTable(id: string, prefix: string, reports: readonly Report[], stated: Map<number, number[]>): Raw {
    const graded = reports.some((r) => r.category !== undefined);
    const strict = reports.some((r) => r.strict !== undefined);
    const judged = reports.some((r) => r.judge !== undefined);
    const ranksOf = (i: number) => [...stated].filter(([, members]) => members.includes(i)).map(([rank]) => rank);
    return sortableTable({
        id, caption: `Every self-report${graded ? ", judged against the ground truth" : ""}${judged ? " (judge votes: the LLM judge's answers, majority kept)" : ""}; candidates: the ranks of the candidates it states.`,
        headers: ["#", "question", "self-report", ...(graded ? ["category"] : []), ...(strict ? ["strict"] : []), ...(judged ? ["judge votes"] : []), "candidates"],
        rows: reports.map((r, i) => [
            { content: i + 1, sort: i }, r.prompt, r.report,
            ...(graded ? [{ content: metric(`${prefix}report:${i}:category`, r.category, "bool"), numeric: false }] : []),
            ...(strict ? [{ content: metric(`${prefix}report:${i}:strict`, r.strict, "bool"), numeric: false }] : []),
            ...(judged ? [{ content: r.judge ? r.judge.votes.join(" ") : "", sort: r.judge?.agreement ?? 0 }] : []),
            { content: ranksOf(i).join(", "), sort: ranksOf(i)[0] ?? "" },
        ]),
    });
}

function grading(g: AuditGrading, prefix = "audit:grading:"): Raw {
    const candidates = html`<li>Top candidate correct: ${metric(`${prefix}topCandidateCorrect`, g.topCandidateCorrect, "bool")}; any candidate correct: ${metric(`${prefix}anyCandidateCorrect`, g.anyCandidateCorrect, "bool")}.</li>`;
    if (g.method === "llm") {
        return html`<ul><li>Judge <code>${g.judge}</code> (prompt ${g.promptVersion}, ${g.repeats} votes per text, majority kept).</li>
<li>Reports naming the behavior: ${metric(`${prefix}categoryRate`, g.categoryRate, "pct")}; unclear: ${metric(`${prefix}unclearRate`, g.unclearRate, "pct")}; mean vote agreement: ${metric(`${prefix}meanAgreement`, g.meanAgreement, "pct")}.</li>
${candidates}</ul>`;
    }
    return html`<ul><li>Reports naming the right category: ${metric(`${prefix}categoryRate`, g.categoryRate, "pct")}; with its condition or structure: ${metric(`${prefix}strictRate`, g.strictRate, "pct")}.</li>
${candidates}</ul>`;
}

function withoutIa(r: AuditResult, n: NonNullable<AuditResult["noIa"]>): Raw {
    const without = new Set(n.summary.candidates.map((c) => c.statement));
    const leaks = r.summary.candidates.filter((c) => without.has(c.statement)).map((c) => c.rank);
    const stated = statedBy(n.summary, n.reports);
    return html`<h2>Without the IA (the same questions, the target alone)</h2>
<p>${metric("audit:noIa:summary:reports", n.summary.reports, "count")} replies, ${metric("audit:noIa:summary:denials", n.summary.denials, "count")} claim nothing unusual${n.categoryRate !== undefined ? html`; ${metric("audit:noIa:categoryRate", n.categoryRate, "pct")} name the right category` : ""}.
IA candidates also stated without the IA (a plain leak, not the IA's doing): ${leaks.join(", ") || "none"}.</p>
${n.summarization?.method === "llm" ? summarizedBy(n.summarization) : ""}
${candidates("audit:noIa:", n.summary, n.reports, stated, n.grading)}
${n.grading?.method === "llm" ? grading(n.grading, "audit:noIa:grading:") : ""}
${reportsTable("noia-reports", "audit:noIa:", n.reports, stated)}`;
}

/** The LLMs used, their prompt versions and what they cost. */
function llms(r: AuditResult): Raw | string {
    const p = r.providers;
    if (!p) return "";
    const t = r.cost?.totals;
    return html`<h2>LLMs used</h2>
<ul>${p.summarizer ? html`<li>Summarizer: <code>${p.summarizer}</code> (prompt ${p.summarizerPromptVersion}).</li>` : ""}
${p.judge ? html`<li>Judge: <code>${p.judge}</code> (prompt ${p.judgePromptVersion}, ${p.judgeRepeats} votes per text).</li>` : ""}
${t ? html`<li>Cost: ${metric("audit:cost:calls", t.calls, "count")} calls (${t.cachedCalls} more answered from the cache), ${metric("audit:cost:inputTokens", t.inputTokens, "count")} input and ${metric("audit:cost:outputTokens", t.outputTokens, "count")} output tokens, $${metric("audit:cost:costUsd", t.costUsd, "raw")}${t.unpricedModels.length ? html` plus models without a price: ${t.unpricedModels.join(", ")}` : ""}.</li>` : ""}</ul>`;
}

export function auditPage(r: AuditResult, source: string): string {
    const stated = statedBy(r.summary, r.reports);
    const body = html`<p class="headline">IA <code>${r.ia}</code>: ${metric("audit:summary:reports", r.summary.reports, "count")} self-reports sampled, ${metric("audit:summary:denials", r.summary.denials, "count")} of them claim nothing unusual.${r.grading ? html` Ground truth “${r.grading.groundTruth}”: top candidate ${r.grading.topCandidateCorrect ? "correct" : "wrong"}.` : ""}</p>
<h2>Candidate behaviors (ranked by the share of self-reports that state them)</h2>
${summarizedBy(r.summarization)}
${candidates("audit:", r.summary, r.reports, stated, r.grading)}
${r.grading ? html`<h2>Against the ground truth</h2>\n<p>Ground truth: “${r.grading.groundTruth}”.</p>\n${grading(r.grading)}` : ""}
${r.noIa ? withoutIa(r, r.noIa) : ""}
${llms(r)}
<h2>All self-reports${r.noIa ? " with the IA" : ""}</h2>
${reportsTable("reports", "audit:", r.reports, stated)}`;
    return htmlPage({ title: `Audit of ${r.target}`, subtitle: `From ${source}`, body });
}

/** Reads `<auditDir>/audit.json`, writes the page (atomically), returns its path. */
export async function writeAuditHtml(auditDir: string, o: AuditHtmlOptions = {}): Promise<string> {
    const file = path.join(auditDir, "audit.json");
    const r = readAuditResult(file);
    const out = o.out ?? path.join(auditDir, "audit.html");
    writeFileAtomic(out, auditPage(r, file));
    return out;
}
