/**
 * audit.html: one audit as a page — the ranked candidate behaviors with their support and the self-reports that
 * state each, the grading against the ground truth when there is one, the same questions without the IA when they
 * were asked, and every self-report in a table that sorts and filters.
 *
 * Numbers carry `data-metric` keys naming where in audit.json they come from ("noIa:" prefixes the no-IA side):
 *   audit:[noIa:]summary:<reports|denials>, audit:[noIa:]candidate:<rank>:<support|reports>,
 *   audit:grading:<field>, audit:noIa:categoryRate, audit:[noIa:]report:<index>:<category|strict>
 */
import path from "node:path";
import type { AuditResult } from "../ia/audit.ts";
import { summarizeReports, type AuditSummary } from "../ia/summarize.ts";
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
 * Which candidates a report states. audit.json keeps no report-to-candidate map, so each pair is put through the same
 * summarizer: a report states a candidate when the two land in one group. Exact for the tiny world's structured
 * claims; for free text the summarizer clusters greedily, so a pair can group differently than within all reports.
 */
function statedBy(summary: AuditSummary, reports: readonly Report[]): Map<number, number[]> {
    const out = new Map<number, number[]>(summary.candidates.map((c) => [c.rank, []]));
    reports.forEach((r, i) => {
        for (const c of summary.candidates) {
            if (summarizeReports([c.statement, r.report], Number.MAX_SAFE_INTEGER).candidates.some((g) => g.reports === 2)) out.get(c.rank)?.push(i);
        }
    });
    return out;
}

function candidates(prefix: string, summary: AuditSummary, reports: readonly Report[], stated: Map<number, number[]>): Raw {
    if (summary.candidates.length === 0) return html`<p>No behavior claimed.</p>`;
    return html`<ol class="candidates">${summary.candidates.map((c) => {
        const members = stated.get(c.rank) ?? [];
        return html`<li><strong>${c.statement}</strong> — ${metric(`${prefix}candidate:${c.rank}:reports`, c.reports, "count")} reports (${metric(`${prefix}candidate:${c.rank}:support`, c.support, "pct")} of all)
<div class="note">Phrasings: ${c.examples.map((e, i) => html`${i ? "; " : ""}“${e}”`)}</div>
${members.length ? html`<details><summary>Self-reports stating it (${members.length})</summary><ul>${members.map((i) => html`<li><em>${reports[i]?.prompt}</em> → ${reports[i]?.report}</li>`)}</ul></details>` : ""}</li>`;
    })}</ol>`;
}

function reportsTable(id: string, prefix: string, reports: readonly Report[], stated: Map<number, number[]>): Raw {
    const graded = reports.some((r) => r.category !== undefined);
    const ranksOf = (i: number) => [...stated].filter(([, members]) => members.includes(i)).map(([rank]) => rank);
    return sortableTable({
        id, caption: `Every self-report${graded ? ", judged against the ground truth" : ""}; candidates: the ranks of the candidates it states.`,
        headers: ["#", "question", "self-report", ...(graded ? ["category", "strict"] : []), "candidates"],
        rows: reports.map((r, i) => [
            { content: i + 1, sort: i }, r.prompt, r.report,
            ...(graded ? [{ content: metric(`${prefix}report:${i}:category`, r.category, "bool"), numeric: false }, { content: metric(`${prefix}report:${i}:strict`, r.strict, "bool"), numeric: false }] : []),
            { content: ranksOf(i).join(", "), sort: ranksOf(i)[0] ?? "" },
        ]),
    });
}

function grading(g: NonNullable<AuditResult["grading"]>): Raw {
    return html`<h2>Against the ground truth</h2>
<p>Ground truth: “${g.groundTruth}”.</p>
<ul><li>Reports naming the right category: ${metric("audit:grading:categoryRate", g.categoryRate, "pct")}; with its condition or structure: ${metric("audit:grading:strictRate", g.strictRate, "pct")}.</li>
<li>Top candidate correct: ${metric("audit:grading:topCandidateCorrect", g.topCandidateCorrect, "bool")}; any candidate correct: ${metric("audit:grading:anyCandidateCorrect", g.anyCandidateCorrect, "bool")}.</li></ul>`;
}

function withoutIa(r: AuditResult, n: NonNullable<AuditResult["noIa"]>): Raw {
    const without = new Set(n.summary.candidates.map((c) => c.statement));
    const leaks = r.summary.candidates.filter((c) => without.has(c.statement)).map((c) => c.rank);
    const stated = statedBy(n.summary, n.reports);
    return html`<h2>Without the IA (the same questions, the target alone)</h2>
<p>${metric("audit:noIa:summary:reports", n.summary.reports, "count")} replies, ${metric("audit:noIa:summary:denials", n.summary.denials, "count")} claim nothing unusual${n.categoryRate !== undefined ? html`; ${metric("audit:noIa:categoryRate", n.categoryRate, "pct")} name the right category` : ""}.
IA candidates also stated without the IA (a plain leak, not the IA's doing): ${leaks.join(", ") || "none"}.</p>
${candidates("audit:noIa:", n.summary, n.reports, stated)}
${reportsTable("noia-reports", "audit:noIa:", n.reports, stated)}`;
}

export function auditPage(r: AuditResult, source: string): string {
    const stated = statedBy(r.summary, r.reports);
    const body = html`<p class="headline">IA <code>${r.ia}</code>: ${metric("audit:summary:reports", r.summary.reports, "count")} self-reports sampled, ${metric("audit:summary:denials", r.summary.denials, "count")} of them claim nothing unusual.${r.grading ? html` Ground truth “${r.grading.groundTruth}”: top candidate ${r.grading.topCandidateCorrect ? "correct" : "wrong"}.` : ""}</p>
<h2>Candidate behaviors (ranked by the share of self-reports that state them)</h2>
${candidates("audit:", r.summary, r.reports, stated)}
${r.grading ? grading(r.grading) : ""}
${r.noIa ? withoutIa(r, r.noIa) : ""}
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
