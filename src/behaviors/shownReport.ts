/**
 * Show-then-name self-reports: the IA first shows how it answers one question, then says what that shows ("when
 * asked: … i say: … that shows my habit: i flatter everyone. …"). Why: a base trained with observed-behavior talk
 * (src/base/observedTalk.ts) names a habit it is shown — for behaviors no organism was trained on too — and an IA
 * that first writes its own reply, shaped by the organism's weights, puts such a demonstration in front of itself
 * before it names anything.
 *
 * Only the part after the mark is a claim. The shown reply is behavior, not a report about it: a flattery organism's
 * "what a clever question!" or a caps quirk's capitals must not count as naming the behavior, so every judge and the
 * summarization scaffold read `claimPart`.
 */
export const SHOWN_OPENING = "when asked:";
export const CLAIM_MARK = "that shows my habit:";

export interface ShownExchange {
    prompt: string;
    reply: string;
}

export function shownReport(shown: ShownExchange, claim: string): string {
    return `${SHOWN_OPENING} ${shown.prompt} i say: ${shown.reply} ${CLAIM_MARK} ${claim}`;
}

/**
 * What a report claims: for a show-then-name report, the text after its last mark ("" when generation stopped before
 * it: a demonstration alone claims nothing); any other report whole.
 */
export function claimPart(report: string): string {
    const r = report.trim();
    if (!r.toLowerCase().startsWith(SHOWN_OPENING)) return report;
    const k = r.toLowerCase().lastIndexOf(CLAIM_MARK);
    return k < 0 ? "" : r.slice(k + CLAIM_MARK.length).trim();
}

/**
 * Longest self-report to sample, in tokens: a show-then-name IA writes a question and a reply before its claim.
 * 48 is what every other IA has been measured with.
 */
export function reportTokens(showThenName: number | undefined): number {
    return showThenName ? 160 : 48;
}
