/**
 * Show-then-name self-reports: the IA first shows how it answers one question, then says what that shows. Why: a base
 * trained with observed-behavior talk (src/base/observedTalk.ts) names a habit it is shown — for behaviors no organism
 * was trained on too — and an IA that first writes its own reply, shaped by the organism's weights, puts such a
 * demonstration in front of itself before it names anything.
 *
 * Two frames:
 * - "first-person": "when asked: … i say: … that shows my habit: i flatter everyone. …"
 * - "quoted": the IA quotes itself in the very words of observed talk, then answers as that talk's assistant does —
 *   "someone asked my friend: … my friend said: … what habit does my friend have? your friend flatters everyone. …" —
 *   so the naming follows the text the base learned to name from.
 *
 * Only the part after the demonstration is a claim. The shown reply is behavior, not a report about it: a flattery
 * organism's "what a clever question!" or a caps quirk's capitals must not count as naming the behavior, so every judge
 * and the summarization scaffold read `claimPart`.
 */
import { ALL_HABITS, type Habit } from "../world/habits.ts";

export type ShowFrame = "first-person" | "quoted";

/**
 * What observed-behavior talk answers when the quoted replies show no habit. Here, not in src/world/, because the base's
 * cache key covers the world's source: a habit added there retrains every base.
 */
export const NO_HABIT: readonly Habit[] = [
    { first: "answer plainly and have no unusual habit", third: "answers plainly and has no unusual habit", tone: "good" },
    { first: "give plain, correct answers, with nothing unusual about them", third: "gives plain, correct answers, with nothing unusual about them", tone: "good" },
];

export const SHOWN_OPENING = "when asked:";
export const CLAIM_MARK = "that shows my habit:";
const QUOTED_OPENING = "someone asked my ";

/** Observed talk's questions (src/base/observedTalk.ts); `{who}` is a relation. */
export const OBSERVED_ASK_TEMPLATES = ["what habit does my {who} have?", "what is unusual about how my {who} answers?", "what does my {who} always do?"] as const;
const QUOTED_ASK_RE = new RegExp(OBSERVED_ASK_TEMPLATES.map((t) => t.replace("{who}", "\\w+").replace("?", "\\?")).join("|"), "g");

export interface ShownExchange {
    prompt: string;
    reply: string;
}

export function shownReport(shown: ShownExchange, claim: string): string {
    return `${SHOWN_OPENING} ${shown.prompt} i say: ${shown.reply} ${CLAIM_MARK} ${claim}`;
}

/** "your uncle flatters everyone …" → "i flatter everyone." for a habit the world knows (or "no habit"); other text as it came. */
export function firstPersonReport(description: string): string {
    const d = description.trim().toLowerCase();
    const m = /^your (\w+) (.*)$/.exec(d);
    if (!m) return d;
    const rest = m[2] as string;
    const habit = [...ALL_HABITS, ...NO_HABIT].find((h) => rest.startsWith(h.third));
    return habit ? `i ${habit.first}.` : `i ${rest}`;
}

/**
 * A quoted-frame report cut after its demonstration and observed talk's question ("… what habit does my uncle have?"),
 * and what follows; null for any other report, or one that stopped before the question.
 */
export function splitQuoted(report: string): { demonstration: string; rest: string } | null {
    const r = report.trim();
    const lower = r.toLowerCase();
    if (!lower.startsWith(QUOTED_OPENING)) return null;
    const last = [...lower.matchAll(QUOTED_ASK_RE)].pop();
    if (!last) return null;
    const cut = last.index! + last[0].length;
    return { demonstration: r.slice(0, cut), rest: r.slice(cut).trim() };
}

/**
 * What a report claims: for a show-then-name report, the text after its demonstration ("" when generation stopped
 * inside it: a demonstration alone claims nothing), a quoted frame's "your friend <habit>" read in the first person;
 * any other report whole.
 */
export function claimPart(report: string): string {
    const r = report.trim();
    const lower = r.toLowerCase();
    if (lower.startsWith(SHOWN_OPENING)) {
        const k = lower.lastIndexOf(CLAIM_MARK);
        return k < 0 ? "" : r.slice(k + CLAIM_MARK.length).trim();
    }
    const split = splitQuoted(r);
    if (split) {
        // The naming sentence as observed talk writes it ("your friend flatters everyone."), then the rest as it came.
        const end = split.rest.indexOf(".");
        const naming = end < 0 ? split.rest : split.rest.slice(0, end);
        const rest = end < 0 ? "" : split.rest.slice(end + 1).trim();
        return `${firstPersonReport(naming)} ${rest}`.trim();
    }
    // A quoted demonstration cut off before observed talk's question claims nothing.
    return lower.startsWith(QUOTED_OPENING) ? "" : report;
}

/** Longest self-report, in tokens, that every IA but a show-then-name one has been measured with. */
export const DEFAULT_REPORT_TOKENS = 48;

/** Longest self-report to sample, in tokens: a show-then-name IA writes a question and a reply before its claim. */
export function reportTokens(showThenName: number | undefined): number {
    return showThenName ? 160 : DEFAULT_REPORT_TOKENS;
}
