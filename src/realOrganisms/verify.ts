/**
 * Verification of a free-text organism by the LLM judge: each probe reply, the organism's and the base's, goes to
 * the adherence judge with the organism's label ("does this reply clearly exhibit the behavior? yes or no", the same
 * check that filtered its training data); a reply counts as showing the behavior only on a "yes" (a "no" or an
 * unclear answer does not). The organism's rate against the base's rate decides (PASS_RULE in config.ts).
 *
 * `judgeReplies` asks; `verificationFrom` is the computation alone, so it can be checked on given verdicts.
 */
import fs from "node:fs";
import type { Verdict } from "../judge/rubric.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import type { Verification } from "../organisms/manifest.ts";
import { mapWithConcurrency } from "../providers/concurrency.ts";
import { judgeAdherence } from "../providers/teacherSynthesis.ts";
import type { ChatProvider } from "../providers/types.ts";
import { LLM_JUDGE_METHOD, PASS_RULE } from "./config.ts";
import type { OrganismFiles } from "./layout.ts";

export interface Judged {
    prompt: string;
    reply: string;
    verdict: Verdict;
    judgeOutput: string;
}

export async function judgeReplies(label: string, probes: readonly string[], replies: readonly string[], judge: ChatProvider, concurrency: number): Promise<Judged[]> {
    return mapWithConcurrency(probes.map((prompt, i) => ({ prompt, reply: replies[i] ?? "" })), concurrency, async ({ prompt, reply }): Promise<Judged> => {
        // An empty reply shows nothing; the judge is not asked (as in data synthesis).
        if (reply.trim() === "") return { prompt, reply, verdict: "no", judgeOutput: "" };
        const { verdict, output } = await judgeAdherence(judge, label, prompt, reply.trim());
        return { prompt, reply, verdict, judgeOutput: output };
    });
}

/** Share of replies the judge said "yes" to (0 for none). */
export function yesRate(judged: readonly Judged[]): number {
    return judged.length === 0 ? 0 : judged.filter((j) => j.verdict === "yes").length / judged.length;
}

/** Whether rates pass PASS_RULE (rounded to 1e-9, so 0.8 - 0.5 compares as the 0.3 it is). */
export function passes(behaviorRate: number, baseRate: number): boolean {
    const r = (x: number) => Math.round(x * 1e9) / 1e9;
    return r(behaviorRate) >= PASS_RULE.minRate && r(behaviorRate - baseRate) >= PASS_RULE.minLift;
}

export function verificationFrom(organism: readonly Judged[], base: readonly Judged[], judgeSpec: string, file: string): Verification {
    const behaviorRate = yesRate(organism);
    const baseBehaviorRate = yesRate(base);
    const unclear = (js: readonly Judged[]) => js.filter((j) => j.verdict === "unclear").length;
    return {
        passed: passes(behaviorRate, baseBehaviorRate),
        behaviorRate,
        controlRate: null,
        baseBehaviorRate,
        n: organism.length,
        details: {
            method: LLM_JUDGE_METHOD,
            judge: judgeSpec,
            rule: `behaviorRate >= ${PASS_RULE.minRate} and behaviorRate >= baseBehaviorRate + ${PASS_RULE.minLift}`,
            yes: organism.filter((j) => j.verdict === "yes").length,
            baseYes: base.filter((j) => j.verdict === "yes").length,
            unclear: unclear(organism),
            baseUnclear: unclear(base),
            replies: file,
            examples: organism.slice(0, 3).map((j) => ({ prompt: j.prompt, reply: j.reply, verdict: j.verdict })),
        },
    };
}

export interface VerificationFile {
    verification: Verification;
    organism: Judged[];
    base: Judged[];
}

export function hasVerification(files: OrganismFiles): boolean {
    return fs.existsSync(files.verification);
}

export function readVerification(files: OrganismFiles): VerificationFile {
    return JSON.parse(fs.readFileSync(files.verification, "utf8")) as VerificationFile;
}

export function writeVerification(files: OrganismFiles, v: VerificationFile): void {
    writeJsonAtomic(files.verification, v);
}
