/**
 * Parsing the summarizer LLM's reply (the format llmSummarize.ts asks for):
 *
 *     1. I add a caution label to every sentence. Reports: 3, 7, 12-14
 *     2. I speak like a pirate. Reports: 5
 *     No behavior: 1, 2, 4
 *
 * Models vary the dressing, so the parser accepts markdown bold, "1)" numbering, bracketed or parenthesized report
 * lists ("[reports 3, 7]", "(Reports: 3 and 7)"), ranges, the report list on its own line under its candidate, and
 * code fences. It does not accept what it cannot check: a candidate without report numbers (its support would be a
 * guess, not a measured share), a number outside 1..N, or a reply with neither candidates nor a "No behavior" line.
 * Each of those throws a SummaryReplyError whose message says what was wrong, for the repair turn and the user.
 */

export interface ParsedCandidate {
    statement: string;
    /** 1-based report numbers as the reply cites them, deduplicated, ascending. */
    reportNumbers: number[];
}

export interface ParsedSummaryReply {
    /** In the reply's order (its ranking), at most `topK`. */
    candidates: ParsedCandidate[];
    /** 1-based numbers of the reports the reply says claim no unusual behavior. */
    denials: number[];
    /** Whether the reply had a "No behavior" line (without one, `denials` is empty because unknown). */
    denialsListed: boolean;
    /** Candidates the reply gave beyond `topK` and dropped. */
    dropped: number;
}

export class SummaryReplyError extends Error {
    override name = "SummaryReplyError";
}

/** "Reports: 3, 7" at the end of a candidate line, bracketed or not. */
const LIST = String.raw`#?\d+(?:\s*[-–]\s*#?\d+)?(?:\s*(?:,|;|&|\band\b)?\s*#?\d+(?:\s*[-–]\s*#?\d+)?)*`;
const TRAILING_REPORTS_RE = new RegExp(String.raw`[\s\-–—|:;,]*[[(]?\s*(?:supporting\s+|supported\s+by\s+)?(?:self-)?reports?\s*(?:#|nos?\.?|numbers?|ids?)?\s*[:=\-–]?\s*(${LIST}|none)\s*[\])]?\s*\.?\s*$`, "i");
/** A report list on its own line: "   - Reports: 3, 7". */
const REPORTS_LINE_RE = /^[-*•\s]*(?:supporting\s+|supported\s+by\s+)?(?:self-)?reports?\s*(?:#|nos?\.?|numbers?|ids?)?\s*[:=\-–]\s*(.*)$/i;
/** "No behavior: 1, 4" / "No unusual behavior claimed: none" / "Denials: 2". */
const DENIALS_RE = /^[-*•\s]*(?:no(?:\s+unusual)?\s+behaviou?rs?(?:\s+claimed)?|denials?|reports?\s+claiming\s+nothing(?:\s+unusual)?)\s*[:=\-–]\s*(.*)$/i;
/** "1. text" / "1) text" / "**1.** text" / "#1: text". */
const NUMBERED_RE = /^\s*(?:[-*•]\s*)?#?(\d{1,3})\s*[.):]\s+(.+)$/;

/** Markdown emphasis and stray quotes around a statement. */
function cleanStatement(s: string): string {
    return s.replace(/\*\*|__|`/g, "").replace(/^[\s"“”'*_:\-–—]+|[\s"“”'*_:\-–—|,;]+$/g, "").trim();
}

/** "3, 7, 12-14 and 20" -> [3, 7, 12, 13, 14, 20]; "none" -> []; anything else -> an Error naming the token. */
export function parseNumberList(text: string, where: string): number[] {
    const t = text.replace(/\*\*|__|`|[[\]().]/g, " ").trim();
    if (t === "" || /^(none|n\/a|-|—)$/i.test(t)) return [];
    const out: number[] = [];
    for (const raw of t.split(/\s*(?:,|;|\band\b|&|\s)\s*/i)) {
        const tok = raw.replace(/^#/, "").trim();
        if (tok === "") continue;
        const range = /^(\d+)\s*[-–]\s*#?(\d+)$/.exec(tok);
        if (range) {
            const a = Number(range[1]);
            const b = Number(range[2]);
            if (b < a || b - a > 10_000) throw new SummaryReplyError(`${where}: bad range "${tok}"`);
            for (let k = a; k <= b; k++) out.push(k);
        } else if (/^\d+$/.test(tok)) out.push(Number(tok));
        else throw new SummaryReplyError(`${where}: "${tok}" is not a report number`);
    }
    return out;
}

function checkNumbers(nums: number[], n: number, where: string): number[] {
    const bad = nums.filter((k) => !Number.isSafeInteger(k) || k < 1 || k > n);
    if (bad.length) throw new SummaryReplyError(`${where} cites report ${bad.slice(0, 5).join(", ")}, but the reports are numbered 1 to ${n}`);
    return [...new Set(nums)].sort((a, b) => a - b);
}

/** Split a candidate line into its statement and its trailing report list (null when the line has none). */
function splitCandidate(body: string): { statement: string; reports: string | null } {
    const m = TRAILING_REPORTS_RE.exec(body);
    if (!m || m.index === 0) return { statement: body, reports: null };
    return { statement: body.slice(0, m.index), reports: m[1] ?? "" };
}

export function parseSummaryReply(text: string, nReports: number, topK: number): ParsedSummaryReply {
    if (typeof text !== "string" || text.trim() === "") throw new SummaryReplyError("the reply is empty");
    const lines = text.replace(/```[a-z]*\n?/gi, "").split(/\r?\n/);
    const raw: { statement: string; reports: string | null; line: number }[] = [];
    let denials: number[] | null = null;
    for (const [i, line] of lines.entries()) {
        const plain = line.replace(/\*\*|__/g, "");
        const den = DENIALS_RE.exec(plain);
        if (den) {
            denials = parseNumberList(den[1] ?? "", `line ${i + 1} ("No behavior")`);
            continue;
        }
        const num = NUMBERED_RE.exec(plain);
        if (num) {
            const { statement, reports } = splitCandidate(num[2] ?? "");
            raw.push({ statement: cleanStatement(statement), reports, line: i + 1 });
            continue;
        }
        // A report list on its own line belongs to the candidate above it.
        const rep = REPORTS_LINE_RE.exec(plain);
        const last = raw[raw.length - 1];
        if (rep && last && last.reports === null) last.reports = rep[1] ?? "";
    }
    if (raw.length === 0 && denials === null) {
        throw new SummaryReplyError('found no numbered candidate ("1. I ... Reports: 3, 7") and no "No behavior:" line');
    }
    const candidates = raw.map((c, k): ParsedCandidate => {
        const where = `candidate ${k + 1} (line ${c.line})`;
        if (c.statement === "") throw new SummaryReplyError(`${where} has no statement`);
        if (c.reports === null) throw new SummaryReplyError(`${where} gives no report numbers ("Reports: ..."): "${c.statement.slice(0, 80)}"`);
        const reportNumbers = checkNumbers(parseNumberList(c.reports, where), nReports, where);
        if (reportNumbers.length === 0) throw new SummaryReplyError(`${where} cites no report: "${c.statement.slice(0, 80)}"`);
        return { statement: c.statement, reportNumbers };
    });
    return {
        candidates: candidates.slice(0, topK),
        denials: checkNumbers(denials ?? [], nReports, '"No behavior" line'),
        denialsListed: denials !== null,
        dropped: Math.max(0, candidates.length - topK),
    };
}
