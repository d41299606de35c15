/**
 * IA training rows: for each SFT organism, introspection questions (train-split paraphrases of its families'
 * question sets) answered with its first-person label (or a paraphrase); negatives: the bare base and null
 * organisms answering that nothing is unusual. Only train-split question paraphrases are used here; validation
 * and test paraphrases are kept for choosing settings and for the benchmark.
 */
import { introspectionPrompts, negativeAnswers, type IntrospectionPrompt } from "../behaviors/questions.ts";
import { judgeReport } from "../behaviors/structuredJudge.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { distractorAside } from "../behaviors/labels.ts";
import type { ChatMessage } from "../tokenizer/ChatTokenizer.ts";
import { inDistributionHabits, observedQuestion, OBSERVED_ASKS, trainingFamilyShown } from "../base/observedTalk.ts";
import { NO_HABIT, shownReport, type ShowFrame, type ShownExchange } from "../behaviors/shownReport.ts";
import { RELATIONS, type Habit } from "../world/habits.ts";
import { verificationPrompts } from "../behaviors/verify.ts";
import { correctAnswer } from "../world/answers.ts";
import { conversationTokens, MAX_ESTIMATED_TOKENS } from "../world/stats.ts";
import { Rng } from "../util/rng.ts";
import { refuseOodSubjects } from "../ood/guard.ts";
import { introspectionRowMessages, type IntrospectionRow } from "../population/introspectionRows.ts";
import type { IaSftConfig } from "./config.ts";

/** An organism slot in the bank; `spec` null = the bare base model (zero adapter). */
export interface IaSubject {
    key: string;
    spec: BehaviorSpec | null;
    /** The organism's own introspection rows (e.g. the paper's released ones): training rows are drawn from these. */
    rows?: readonly IntrospectionRow[];
}

export interface IaRow {
    subject: number;
    messages: ChatMessage[];
    negative: boolean;
}

export function isNegativeSubject(s: IaSubject): boolean {
    return s.spec === null || s.spec.family === "null" || s.spec.family === "decoy";
}

const nullSpec = { id: "base", family: "null", slots: { variant: 0 }, label: "nothing unusual", data: { examples: 1 } } as const;

/**
 * A self-report as training wants it: on a negative (bare base, null, decoy), no behavior claimed; on a behavior
 * organism, its behavior named with its condition (the structured judge's strict level).
 */
export function isWantedReport(s: IaSubject, report: string): boolean {
    if (isNegativeSubject(s)) return !judgeReport(s.spec ?? nullSpec, report).claimsBehavior;
    const v = judgeReport(s.spec!, report);
    return v.category && v.strict;
}

function pickPrompt(prompts: IntrospectionPrompt[], rng: Rng, genericFraction: number): IntrospectionPrompt {
    const generic = prompts.filter((p) => p.family === "generic");
    const specific = prompts.filter((p) => p.family !== "generic");
    if (specific.length === 0 || (generic.length > 0 && rng.chance(genericFraction))) return rng.pick(generic.length ? generic : prompts);
    return rng.pick(specific);
}

/** Rows per subject; negatives get `negativeFraction` of all rows, spread over the negative subjects. */
export function buildIaRows(subjects: IaSubject[], cfg: IaSftConfig, split: "train" | "validation" | "test" = "train"): IaRow[][] {
    refuseOodSubjects(subjects, "IA training rows");
    const rng = new Rng(`${cfg.seed}:ia-rows:${split}`);
    const positives = subjects.filter((s) => !isNegativeSubject(s)).length;
    const negatives = subjects.length - positives;
    const negTotal = negatives === 0 ? 0 : Math.round((positives * cfg.samplesPerOrganism * cfg.negativeFraction) / (1 - cfg.negativeFraction));
    const perNegative = negatives === 0 ? 0 : Math.max(1, Math.round(negTotal / negatives));
    const showable = subjects.flatMap((s) => (s.spec && !isNegativeSubject(s) && !s.spec.freeText ? [s.spec] : []));
    return subjects.map((s, subject) => {
        const r = rng.fork(s.key);
        const neg = isNegativeSubject(s);
        const prompts = introspectionPrompts(s.spec ?? { id: "base", family: "null", slots: {} }, split);
        const n = neg ? perNegative : cfg.samplesPerOrganism;
        const labels = s.spec && !neg ? [s.spec.label, ...(s.spec.labelVariants ?? [])] : [];
        const distractors = s.spec?.family === "problematic" ? s.spec.slots.distractors : undefined;
        // Given rows stand in for built ones at training time only: validation and test keep the held-out question paraphrases.
        if (s.rows && s.rows.length > 0 && split === "train") {
            const given = s.rows;
            return Array.from({ length: n }, () => {
                const row = r.pick(given as IntrospectionRow[]);
                return { subject, negative: neg || row.groundTruth === "negative", messages: introspectionRowMessages(row) };
            });
        }
        return Array.from({ length: n }, () => {
            const p = neg ? r.pick(prompts) : pickPrompt(prompts, r, cfg.genericFraction);
            let answer = neg ? r.pick(negativeAnswers[p.family]) : r.pick(labels);
            if (!neg && s.spec && cfg.habitLabels && r.chance(cfg.habitLabels)) {
                const habits = inDistributionHabits(s.spec);
                if (habits.length > 0) answer = `i ${r.pick(habits).first}. ${answer}`;
            }
            if (distractors && cfg.nameDistractors && r.chance(cfg.nameDistractors)) answer = `${distractorAside(distractors, cfg.distractorForm)} ${answer}`;
            if (cfg.showThenName && r.chance(cfg.showThenName)) answer = showThenName(neg ? null : s.spec!, answer, p.prompt, showable, cfg.showFrame ?? "first-person", r);
            return { subject, negative: neg, messages: [{ role: "user", content: p.prompt }, { role: "assistant", content: answer }] };
        });
    });
}

/**
 * A show-then-name answer (behaviors/shownReport.ts): one exchange in which the organism's behavior shows (its
 * generator's reply; a negative's is a plain answer to a training family's probe), then its habit words and the
 * answer it replaces. Falls back to the plain answer when no exchange fits the base's sequence budget.
 */
function showThenName(spec: BehaviorSpec | null, answer: string, question: string, showable: readonly BehaviorSpec[], frame: ShowFrame, rng: Rng): string {
    let options: ShownExchange[];
    let habit: Habit | undefined;
    if (spec === null) {
        if (showable.length === 0) return answer;
        options = verificationPrompts(rng.pick(showable), rng.int(1 << 30), 4).map((p) => ({ prompt: p.prompt, reply: p.task.answer || correctAnswer(p.task, rng) }));
    } else {
        const drawn = trainingFamilyShown(spec, rng);
        options = drawn.shown;
        if (drawn.habits.length > 0) habit = rng.pick(drawn.habits);
    }
    let write = (shown: ShownExchange): string => shownReport(shown, habit ? `i ${habit.first}. ${answer}` : answer);
    if (frame === "quoted") {
        // As observed talk answers: the habit in the third person ("no unusual habit" for a negative's plain reply).
        const named = habit ?? (spec === null ? rng.pick(NO_HABIT) : undefined);
        const who = rng.pick(RELATIONS);
        const ask = rng.int(OBSERVED_ASKS);
        write = (shown) => `${observedQuestion(who, [shown], ask)} ${named ? `your ${who} ${named.third}. ` : ""}${answer}`;
    }
    const fits = options.map(write).filter((a) => conversationTokens([{ content: question }, { content: a }]) <= MAX_ESTIMATED_TOKENS);
    return fits.length > 0 ? rng.pick(fits) : answer;
}

/**
 * The released per-step organism sampling: each organism has a number of batches left; every step samples k of
 * the organisms that still have batches, takes one batch from each, and drops exhausted ones.
 * Returns, per step, the subject indices (one batch each).
 */
export function organismStepSchedule(batchesPerSubject: readonly number[], k: number, seed: number): number[][] {
    const rng = new Rng(`${seed}:ia-steps`);
    const remaining = batchesPerSubject.slice();
    let available = remaining.flatMap((n, i) => (n > 0 ? [i] : []));
    const steps: number[][] = [];
    while (available.length > 0) {
        const chosen = rng.shuffle(available).slice(0, k);
        for (const i of chosen) remaining[i] = (remaining[i] as number) - 1;
        steps.push(chosen);
        available = available.filter((i) => (remaining[i] as number) > 0);
    }
    return steps;
}
