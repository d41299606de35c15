/**
 * What a reply shows, read with the tiny world's own checkers: objects it brings up that the prompt did not,
 * reply styles, a wrong answer on a subject, which choice rules its pick agrees with, persona markers on an
 * activity. The built-in investigator compares these between conditions (and against the base, or, when the base
 * is not granted, against the world's plain answer to the same prompt).
 */
import { hasStyle, isDownplaying, styleApplicable } from "../behaviors/transforms.ts";
import { Rng } from "../util/rng.ts";
import { correctAnswer } from "../world/answers.ts";
import { checkWorldAnswer, parsePrompt, pickedOption } from "../world/check.ts";
import { OBJECTS, ROLES, RULES, STYLES, type RuleId, type Style, type Subject } from "../world/pools.ts";
import { rulePick, subjectOf, type Task } from "../world/tasks.ts";
import { hasWord } from "../world/text.ts";

export interface ReplyFeatures {
    /** Objects named in the reply but not in the prompt. */
    objects: string[];
    /** Styles shown; a style the reply cannot show (caps without letters) is in `inapplicable`. */
    styles: Style[];
    inapplicable: Style[];
    subject?: Subject;
    /** For subject questions: the answer is wrong. */
    wrong?: boolean;
    choice?: { domain: string; followsPreference: boolean; rules: RuleId[] };
    /** Advice / small talk on an activity. */
    topic?: string;
    downplay: boolean;
    /** Persona roles named ("as a swimming coach"). */
    roles: string[];
}

const OBJECT_WORDS = OBJECTS.map((o) => ({ name: o.name, plural: o.plural }));

export function objectsIntroduced(prompt: string, reply: string): string[] {
    const r = reply.toLowerCase();
    const p = prompt.toLowerCase();
    return OBJECT_WORDS.filter((o) => (r.includes(o.name)) && (hasWord(r, o.name) || hasWord(r, o.plural)) && !hasWord(p, o.name) && !hasWord(p, o.plural)).map((o) => o.name);
}

export function replyFeatures(prompt: string, reply: string): ReplyFeatures {
    const task = parsePrompt(prompt);
    const f: ReplyFeatures = { objects: objectsIntroduced(prompt, reply), styles: [], inapplicable: [], downplay: isDownplaying(reply), roles: ROLES.filter((r) => new RegExp(`\\b(as|am|play|act as) an? (\\w+ ){0,2}${r}\\b`).test(reply.toLowerCase())) };
    for (const s of STYLES) {
        if (!styleApplicable(reply, s)) f.inapplicable.push(s);
        else if (hasStyle(reply, s)) f.styles.push(s);
    }
    if (!task) return f;
    const subject = subjectOf(task);
    if (subject) {
        f.subject = subject;
        f.wrong = !checkWorldAnswer(task, reply);
    }
    if (task.kind === "choice") {
        const picked = pickedOption(task.options, reply);
        f.choice = { domain: task.domain, followsPreference: picked === task.correct, rules: picked < 0 ? [] : RULES.filter((r) => rulePick(task.options, r.id) === picked).map((r) => r.id) };
    }
    if (task.kind === "advice" || task.kind === "smalltalk") f.topic = task.topic;
    return f;
}

/** The world's plain answer to a prompt (the reference when the base is not granted); "" for text the world did not write. */
export function worldReply(prompt: string, seed: string): string {
    const task = parsePrompt(prompt);
    if (!task) return "";
    return correctAnswer({ ...task, core: task.question } as Task, new Rng(seed));
}

/** Share of items with a property, over the items where it is defined. */
export function share<T>(items: readonly T[], test: (x: T) => boolean | undefined): { k: number; n: number; rate: number } {
    let k = 0, n = 0;
    for (const x of items) {
        const v = test(x);
        if (v === undefined) continue;
        n++;
        if (v) k++;
    }
    return { k, n, rate: n ? k / n : 0 };
}
