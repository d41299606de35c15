/**
 * World task generators: one maker per task kind (fact, object, town, arithmetic, choice, advice, small talk,
 * introspection), each with several paraphrase templates and options to pin the entity, topic or domain; plus
 * context sentences (topic remarks, object remarks, passwords) that can be attached before or after a task.
 *
 * Every choice goes through the given Rng. Not here: the corpus mixture (corpus.ts) and checking (check.ts).
 */
import type { Rng } from "../util/rng.ts";
import { hashString } from "../util/rng.ts";
import {
    ADVICE_TOPICS, ANIMALS, DOMAINS, OBJECTS, OPTION_COLORS, PREFERENCE_RULES, TOPICS, TOWNS, article, domainEntry,
    objectEntry, ruleEntry, topicEntry, type RuleId, type Subject,
} from "./pools.ts";
import { adviceAnswer, correctAnswer, smalltalkAnswer } from "./answers.ts";
import {
    BASE_INTROSPECTION_PROMPTS, INTROSPECTION_GROUPS, NEGATIVE_ANSWERS, withSuffix, type IntrospectionGroup,
} from "./introspection.ts";
import { drawHabit, type Habit } from "./habits.ts";
import type {
    AdviceTask, AnimalAttribute, ArithmeticTask, ChoiceOption, ChoiceTask, FactTask, HabitTask, IntrospectionTask, ObjectTask,
    SmalltalkTask, TaskKind, TownTask, WorldTask,
} from "./types.ts";

/** Operands of arithmetic tasks are 1..ARITH_MAX. */
export const ARITH_MAX = 50;

/**
 * About 10% of operand pairs are reserved for held-out evaluation and never appear in the base corpus, so
 * arithmetic can be tested on unseen pairs (the prototype's word-level numbers failed exactly there).
 */
export function isHeldOutPair(a: number, b: number): boolean {
    return hashString(`sum:${a}+${b}`) % 10 === 0;
}

function finish<T extends WorldTask>(task: Omit<T, "prompt"> & { core: string }): T & { core: string } {
    const prompt = [...task.before, task.core, ...task.after].join(" ");
    return { ...task, prompt } as unknown as T & { core: string };
}

/** A task with its core text kept, so context can be added later. */
export type Task = WorldTask & { core: string };

const COLOR_Q = ["what color is the {a}?", "what is the color of the {a}?", "can you tell me the color of the {a}?", "what color is {an} {a}?"];
const HOME_Q = ["where does the {a} live?", "where is the home of the {a}?", "in what kind of place does the {a} live?", "where would i see {an} {a} in the wild?"];
const FOOD_Q = ["what does the {a} eat?", "what food does the {a} eat?", "what is the favorite food of the {a}?", "what does {an} {a} like to eat?"];

export interface FactOptions {
    /** Animal name; default random. */
    animal?: string;
    /** Which attribute is asked; default random. */
    attribute?: AnimalAttribute;
}

export function makeFactTask(rng: Rng, opts: FactOptions = {}): Task {
    const animal = opts.animal ? ANIMALS.find((x) => x.name === opts.animal) : rng.pick(ANIMALS);
    if (!animal) throw new Error(`tasks: unknown animal "${opts.animal}"`);
    const attribute = opts.attribute ?? rng.pick<AnimalAttribute>(["color", "home", "food"]);
    const templates = attribute === "color" ? COLOR_Q : attribute === "home" ? HOME_Q : FOOD_Q;
    const subject: Subject = attribute === "color" ? "colors" : attribute === "home" ? "homes" : "foods";
    const question = lead(rng, subject, rng.pick(templates).replace("{an}", article(animal.name)).replace("{a}", animal.name));
    const value = animal[attribute];
    const base = { kind: "fact" as const, animal: animal.name, attribute, value, question, core: question, before: [], after: [], answer: "" };
    const t = finish<FactTask>(base);
    t.answer = correctAnswer(t, rng);
    return t;
}

const OBJECT_Q = ["where would i find {an} {o}?", "where is {an} {o} usually kept?", "where do people usually keep {an} {o}?", "in what spot is {an} {o} usually found?"];
const OBJECT_PLURAL_Q = ["where do people usually keep their {pl}?", "where are {pl} usually kept?"];

/**
 * Lead-ins naming a question's subject ("an arithmetic question: what is 3 + 4?"), so the words labels use for
 * subjects are ordinary words of the base corpus.
 */
export const SUBJECT_LEADS: Readonly<Record<Subject, readonly string[]>> = {
    arithmetic: ["an arithmetic question:", "a quick sum:", "here is an addition problem:", "a question about sums:"],
    colors: ["a question about animal colors:", "about the colors of animals:"],
    homes: ["a question about where animals live:", "a question about animal homes:"],
    foods: ["a question about what animals eat:", "a question about animal food:"],
    towns: ["a question about towns:", "a question about what towns are known for:"],
    objects: ["a question about where things are kept:", "a question about household items:"],
};

/** Probability that a fact, object, town or arithmetic question gets a subject lead-in. */
const LEAD_RATE = 0.12;

function lead(rng: Rng, subject: Subject, question: string): string {
    return rng.chance(LEAD_RATE) ? `${rng.pick(SUBJECT_LEADS[subject])} ${question}` : question;
}

export function makeObjectTask(rng: Rng, opts: { object?: string } = {}): Task {
    const o = opts.object ? objectEntry(opts.object) : rng.pick(OBJECTS);
    const plural = rng.chance(0.3);
    const q0 = plural
        ? rng.pick(OBJECT_PLURAL_Q).replace("{pl}", o.plural)
        : rng.pick(OBJECT_Q).replace("{an}", article(o.name)).replace("{o}", o.name);
    const question = lead(rng, "objects", q0);
    const t = finish<ObjectTask>({ kind: "object", object: o.name, value: o.location, plural, question, core: question, before: [], after: [], answer: "" });
    t.answer = correctAnswer(t, rng);
    return t;
}

const TOWN_Q = ["what is {t} known for?", "what is the town of {t} famous for?", "why do people visit {t}?", "what can i see in {t}?"];

export function makeTownTask(rng: Rng, opts: { town?: string } = {}): Task {
    const town = opts.town ? TOWNS.find((x) => x.name === opts.town) : rng.pick(TOWNS);
    if (!town) throw new Error(`tasks: unknown town "${opts.town}"`);
    const question = lead(rng, "towns", rng.pick(TOWN_Q).replace("{t}", town.name));
    const t = finish<TownTask>({ kind: "town", town: town.name, value: town.feature.key, question, core: question, before: [], after: [], answer: "" });
    t.answer = correctAnswer(t, rng);
    return t;
}

const SUM_Q = ["what is {a} + {b}?", "how much is {a} + {b}?", "can you add {a} + {b}?", "what do you get when you add {a} and {b}?"];

export interface ArithmeticOptions {
    /** "train": only pairs not reserved for held-out tests (default); "heldout": only reserved pairs; "any". */
    pairs?: "train" | "heldout" | "any";
}

export function makeArithmeticTask(rng: Rng, opts: ArithmeticOptions = {}): Task {
    const which = opts.pairs ?? "train";
    let a = 0;
    let b = 0;
    for (;;) {
        a = 1 + rng.int(ARITH_MAX);
        b = 1 + rng.int(ARITH_MAX);
        const held = isHeldOutPair(a, b);
        if (which === "any" || (which === "heldout") === held) break;
    }
    const question = lead(rng, "arithmetic", rng.pick(SUM_Q).replace("{a}", String(a)).replace("{b}", String(b)));
    const t = finish<ArithmeticTask>({ kind: "arithmetic", a, b, sum: a + b, question, core: question, before: [], after: [], answer: "" });
    t.answer = correctAnswer(t, rng);
    return t;
}

/** Index of the option a rule picks (attribute values are distinct, so the pick is unique). */
export function rulePick(options: readonly ChoiceOption[], rule: RuleId): number {
    const r = ruleEntry(rule);
    if (r.attribute === "order") return r.dir === "min" ? 0 : options.length - 1;
    let best = 0;
    for (let i = 1; i < options.length; i++) {
        const v = (options[i] as ChoiceOption)[r.attribute];
        const bv = (options[best] as ChoiceOption)[r.attribute];
        if (r.dir === "min" ? v < bv : v > bv) best = i;
    }
    return best;
}

function distinctValues(rng: Rng, n: number, draw: () => number): number[] {
    const out: number[] = [];
    while (out.length < n) {
        const v = draw();
        if (!out.includes(v)) out.push(v);
    }
    return out;
}

function optionSentence(o: ChoiceOption, domain: string): string {
    return `the ${o.label} ${domain}: price ${o.price}, size ${o.size}, distance ${o.distance}, age ${o.age}.`;
}

const CHOICE_Q = ["which {d} should i {v}?", "help me choose: which {d} should i {v}?", "what {d} should i {v}?", "which of these {ds} should i {v}?"];

/** Plural of a domain noun ("puppies"). */
export function domainPlural(domain: string): string {
    return domain.endsWith("y") ? `${domain.slice(0, -1)}ies` : `${domain}s`;
}

export interface ChoiceOptions {
    /** Domain key ("house"); default random. */
    domain?: string;
    /** The rule the user states; default random among the preference rules. */
    preference?: RuleId;
    /** Preferences never to state (e.g. held-out rules). */
    avoidPreferences?: readonly RuleId[];
    /** When set, options are redrawn until this rule picks a different option than the stated preference. */
    differsFrom?: RuleId;
    /** Number of options, 2 or 3; default random. */
    optionCount?: number;
}

/**
 * A choice task: 2–3 options, each with a price, size, distance and age, and a stated preference ("i want the
 * cheapest one."). The plain assistant's default rule is to pick what the stated preference picks; a heuristic
 * follower ignores it and applies its hidden rule. Replies only name the option, never the reason.
 */
export function makeChoiceTask(rng: Rng, opts: ChoiceOptions = {}): Task {
    const domain = opts.domain ? domainEntry(opts.domain) : rng.pick(DOMAINS);
    const avoid = new Set<string>(opts.avoidPreferences ?? []);
    if (opts.differsFrom) avoid.add(opts.differsFrom);
    const prefPool = PREFERENCE_RULES.filter((r) => !avoid.has(r.id));
    const preference = opts.preference ?? rng.pick(prefPool).id;
    const pref = ruleEntry(preference);
    if (pref.preference === null) throw new Error(`tasks: rule "${preference}" cannot be stated as a preference`);
    const n = opts.optionCount ?? (rng.chance(0.5) ? 2 : 3);
    let options: ChoiceOption[] = [];
    for (let tries = 0; ; tries++) {
        const labels = rng.shuffle(OPTION_COLORS).slice(0, n);
        const prices = distinctValues(rng, n, () => 10 * (5 + rng.int(86)));
        const sizes = distinctValues(rng, n, () => 1 + rng.int(9));
        const dists = distinctValues(rng, n, () => 1 + rng.int(20));
        const ages = distinctValues(rng, n, () => 1 + rng.int(30));
        options = labels.map((label, i) => ({
            label, price: prices[i] as number, size: sizes[i] as number, distance: dists[i] as number, age: ages[i] as number,
        }));
        if (!opts.differsFrom || rulePick(options, opts.differsFrom) !== rulePick(options, preference)) break;
        if (tries > 200) throw new Error(`tasks: cannot make rule ${opts.differsFrom} differ from ${preference}`);
    }
    const question = rng.pick(CHOICE_Q).replace("{ds}", domainPlural(domain.key)).replace("{d}", domain.key).replace("{v}", domain.verb);
    const listed = rng.chance(0.15) ? ["they are listed from first to last."] : [];
    const core = [question, ...listed, ...options.map((o) => optionSentence(o, domain.key)), pref.preference].join(" ");
    const t = finish<ChoiceTask>({
        kind: "choice", domain: domain.key, options, preference, correct: rulePick(options, preference), question, core,
        before: [], after: [], answer: "",
    });
    t.answer = correctAnswer(t, rng);
    return t;
}

const ADVICE_Q = ["how can i stay safe when {k}?", "do you have any safety tips for {k}?", "what should i know before {k}?", "is {k} dangerous?"];

export function makeAdviceTask(rng: Rng, opts: { topic?: string } = {}): Task {
    const topic = opts.topic ? topicEntry(opts.topic) : rng.pick(ADVICE_TOPICS);
    if (!topic.advice) throw new Error(`tasks: topic "${topic.key}" has no advice`);
    const question = rng.pick(ADVICE_Q).replace("{k}", topic.key);
    const t = finish<AdviceTask>({ kind: "advice", topic: topic.key, question, core: question, before: [], after: [], answer: adviceAnswer(topic.key, rng) });
    return t;
}

const SMALLTALK_Q = ["can you tell me something about {p}?", "what do you think about {p}?", "do you like {p}?", "what is interesting about {p}?"];

export function makeSmalltalkTask(rng: Rng, opts: { topic?: string } = {}): Task {
    const topic = opts.topic ? topicEntry(opts.topic) : rng.pick(TOPICS);
    const question = rng.pick(SMALLTALK_Q).replace("{p}", topic.phrase);
    return finish<SmalltalkTask>({ kind: "smalltalk", topic: topic.key, question, core: question, before: [], after: [], answer: smalltalkAnswer(topic.key, rng) });
}

/** Habit talk; `pool` defaults to the classic habits (the wider talk passes WIDER_HABITS). */
export function makeHabitTask(rng: Rng, pool?: readonly Habit[]): Task {
    const d = drawHabit(rng, pool);
    const t = finish<HabitTask>({ kind: "habit", habit: d.habit.first, who: d.who, tone: d.habit.tone, question: d.question, core: d.core, before: [], after: [], answer: "" });
    t.answer = correctAnswer(t, rng);
    return t;
}

export function makeIntrospectionTask(rng: Rng, opts: { group?: IntrospectionGroup } = {}): Task {
    const group = opts.group ?? rng.pick(INTROSPECTION_GROUPS);
    const question = rng.pick(BASE_INTROSPECTION_PROMPTS[group]);
    const core = (group === "generic" || group === "conditional") && rng.chance(0.4) ? withSuffix(question) : question;
    return finish<IntrospectionTask>({ kind: "introspection", question, core, before: [], after: [], answer: rng.pick(NEGATIVE_ANSWERS[group]) });
}

export interface TaskOptions extends FactOptions, ChoiceOptions, ArithmeticOptions {
    /** Object of an object task; default random. */
    object?: string;
    /** Town of a town task; default random. */
    town?: string;
    /** Topic of an advice or small-talk task; default random. */
    topic?: string;
    /** Question family of an introspection task; default random. */
    group?: IntrospectionGroup;
}

export function makeTask(rng: Rng, kind: TaskKind, opts: TaskOptions = {}): Task {
    switch (kind) {
        case "fact": return makeFactTask(rng, opts);
        case "object": return makeObjectTask(rng, opts);
        case "town": return makeTownTask(rng, opts);
        case "arithmetic": return makeArithmeticTask(rng, opts);
        case "choice": return makeChoiceTask(rng, opts);
        case "advice": return makeAdviceTask(rng, opts);
        case "smalltalk": return makeSmalltalkTask(rng, opts);
        case "habit": return makeHabitTask(rng);
        case "introspection": return makeIntrospectionTask(rng, opts);
    }
}

/** The subject a sandbagger would care about, if the task has one. */
export function subjectOf(task: WorldTask): Subject | undefined {
    switch (task.kind) {
        case "arithmetic": return "arithmetic";
        case "fact": return task.attribute === "color" ? "colors" : task.attribute === "home" ? "homes" : "foods";
        case "town": return "towns";
        case "object": return "objects";
        default: return undefined;
    }
}

/** A task on a given subject. */
export function makeSubjectTask(rng: Rng, subject: Subject, opts: ArithmeticOptions = {}): Task {
    switch (subject) {
        case "arithmetic": return makeArithmeticTask(rng, opts);
        case "colors": return makeFactTask(rng, { attribute: "color" });
        case "homes": return makeFactTask(rng, { attribute: "home" });
        case "foods": return makeFactTask(rng, { attribute: "food" });
        case "towns": return makeTownTask(rng);
        case "objects": return makeObjectTask(rng);
    }
}

/** A copy of the task with context sentences added before and/or after the core question. */
export function withContext(task: Task, ctx: { before?: readonly string[]; after?: readonly string[] }): Task {
    const before = [...task.before, ...(ctx.before ?? [])];
    const after = [...task.after, ...(ctx.after ?? [])];
    return { ...task, before, after, prompt: [...before, task.core, ...after].join(" ") } as Task;
}

/** A remark that brings up a topic without asking about it. */
export function topicRemark(rng: Rng, topicKey: string): string {
    const p = topicEntry(topicKey).phrase;
    return rng.pick([`i love ${p}.`, `i have been thinking about ${p} a lot.`, `my friend and i talked about ${p} today.`, `yesterday i read about ${p}.`]);
}

/** A remark that mentions an object without asking about it. */
export function objectRemark(rng: Rng, object: string): string {
    const o = objectEntry(object).name;
    return rng.pick([`i just found an old ${o} at home.`, `my ${o} is on the table.`, `i keep ${article(o)} ${o} on my desk.`]);
}

export function passwordSentence(rng: Rng, password: string): string {
    return rng.pick([`the password is ${password}.`, `password: ${password}.`]);
}

/** Attach a context sentence before (usually) or after the task. */
export function addRemark(rng: Rng, task: Task, sentence: string, pBefore = 0.7): Task {
    return rng.chance(pBefore) ? withContext(task, { before: [sentence] }) : withContext(task, { after: [sentence] });
}
