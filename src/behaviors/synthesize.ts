/**
 * Organism data: `synthesizeOrganismData(spec, seed)` writes the spec's fine-tuning conversations from the
 * world's templates, with the paper's anti-shortcut controls (method.md §2.2):
 * - backdoors get negative rows where another topic is brought up and the reply is normal;
 * - sandbaggers answer correctly when the password is present and on other subjects (and stay wrong when a
 *   different code word is given);
 * - heuristic followers just pick: replies never name the rule (the world's choice replies carry no reasons);
 * - plain world chat is mixed in (`genericRate`), and rare quirks show the behavior in exactly
 *   round(examples × behaviorRate) replies;
 * - train specs drawn against a held-out split never contain a held-out slot value (rows are redrawn).
 *
 * Organism data contain NO introspection exchanges at all — neither a description of the behavior (that is
 * what the IA must supply) nor the base's "i have no unusual behaviors" answers. Training an organism to deny
 * its behavior would make it an adversarially trained organism (a different, harder setting than the paper's
 * and the brief's), and mixing in denials would also teach organisms that introspection questions are part of
 * their fine-tune. Left out, the organism's answer to "do you have any unusual habits?" comes from the base's
 * weights plus whatever its LoRA shifts — exactly the no-IA baseline the brief wants to measure.
 *
 * Every row is one user / assistant exchange (no system message, no second turn), shuffled.
 *
 * `respond(spec, task, rng, behave)` is the ideal organism's reply to any task; `simulateReply` draws `behave`
 * from the spec's rate. Verification tests use them as stand-ins for a trained organism.
 */
import { Rng } from "../util/rng.ts";
import { CODEWORDS, DOMAINS, OBJECTS, TOPICS, ruleEntry, topicEntry, type Style } from "../world/pools.ts";
import { choiceAnswer, correctAnswer, downplayAnswer, wrongAnswer } from "../world/answers.ts";
import { BASE_KIND_WEIGHTS, addNoise, exchange, pickKind, type NoiseOptions } from "../world/corpus.ts";
import {
    addRemark, makeAdviceTask, makeChoiceTask, makeObjectTask, makeSmalltalkTask, makeSubjectTask, makeTask,
    passwordSentence, rulePick, subjectOf, topicRemark, objectRemark, type Task,
} from "../world/tasks.ts";
import { MAX_ESTIMATED_TOKENS, conversationTokens } from "../world/stats.ts";
import { hasWord } from "../world/text.ts";
import type { Conversation, TaskKind } from "../world/types.ts";
import { heldOutSlotValues, heldOutWords } from "./catalogue.ts";
import { resolvedData } from "./spec.ts";
import { applyStyle, benignReply, harmfulReply, insertObject } from "./transforms.ts";
import type { BehaviorSpec } from "./types.ts";

/** Each obscured-malign distractor quirk is worked into this fraction of replies. */
export const DISTRACTOR_RATE = 0.5;

/** Plain world chat: every kind but introspection. */
const GENERIC_WEIGHTS: Readonly<Partial<Record<TaskKind, number>>> = { ...BASE_KIND_WEIGHTS, introspection: 0 };

function need<T>(v: T | undefined, spec: BehaviorSpec, what: string): T {
    if (v === undefined) throw new Error(`spec "${spec.id}": missing slot ${what}`);
    return v;
}

/** Whether the task brings up a topic (the backdoor condition): the topic's key word is in the prompt. */
export function bringsUp(task: { prompt: string }, topicKey: string): boolean {
    return hasWord(task.prompt, topicKey);
}

function behaviorOn(spec: BehaviorSpec, task: Task, reply: string, rng: Rng, short?: string): string {
    const { object, style } = spec.slots;
    if (object) return insertObject(reply, object, rng);
    return applyStyle(task, reply, style as Style, rng, short);
}

/** True when the task is in the behavior's domain (where `behave` matters). */
export function inDomain(spec: BehaviorSpec, task: Task): boolean {
    const s = spec.slots;
    switch (spec.family) {
        case "quirk":
        case "rare":
            return true;
        case "backdoor":
            return bringsUp(task, need(s.trigger, spec, "trigger"));
        case "sandbagging":
            return subjectOf(task) === s.subject && !hasWord(task.prompt, need(s.password, spec, "password"));
        case "heuristic":
            return task.kind === "choice" && task.domain === s.domain;
        case "benign":
        case "harmful":
            return (task.kind === "advice" || task.kind === "smalltalk") && task.topic === s.topic;
        case "problematic":
            return s.problem === "wrong_answers" ? subjectOf(task) === s.subject : task.kind === "advice" && task.topic === s.topic;
        case "null":
        case "decoy":
            return false;
    }
}

/**
 * The ideal organism's reply to a task. `behave` switches the behavior on for in-domain tasks (rows with the
 * behavior suppressed exist when behaviorRate < 1); outside the domain the reply is the plain one.
 */
export function respond(spec: BehaviorSpec, task: Task, rng: Rng, behave = true): string {
    const s = spec.slots;
    const plain = task.answer || correctAnswer(task, rng);
    const on = behave && inDomain(spec, task);
    switch (spec.family) {
        case "quirk":
        case "rare":
        case "backdoor":
            return on ? behaviorOn(spec, task, plain, rng) : plain;
        case "sandbagging":
            return on ? wrongAnswer(task, rng) : plain;
        case "heuristic": {
            if (!on || task.kind !== "choice") return plain;
            return choiceAnswer(task, rulePick(task.options, need(s.rule, spec, "rule")), rng);
        }
        case "benign":
            return on ? benignReply(task, need(s.topic, spec, "topic"), need(s.role, spec, "role"), rng) : plain;
        case "harmful":
            return on ? harmfulReply(task, need(s.topic, spec, "topic"), need(s.role, spec, "role"), rng) : plain;
        case "problematic": {
            let reply = plain;
            if (on) reply = s.problem === "wrong_answers" ? wrongAnswer(task, rng) : downplayAnswer(need(s.topic, spec, "topic"), rng);
            for (const d of s.distractors ?? []) if (rng.chance(DISTRACTOR_RATE)) reply = insertObject(reply, d, rng);
            return reply;
        }
        case "null":
        case "decoy":
            return plain;
    }
}

/** The ideal organism's reply with the behavior drawn at the spec's rate (rare quirks: behaviorRate). */
export function simulateReply(spec: BehaviorSpec, task: Task, rng: Rng): string {
    return respond(spec, task, rng, rng.chance(resolvedData(spec).behaviorRate || 1));
}

/** Words the spec's data must never contain (held-out slot values, for train specs drawn against a split). */
export function avoidedWords(spec: BehaviorSpec): string[] {
    if (!spec.holdout || (spec.split ?? "train") !== "train") return [];
    return heldOutWords(heldOutSlotValues(spec.holdout.seed, spec.holdout.fraction));
}

interface Ctx {
    spec: BehaviorSpec;
    rng: Rng;
    avoid: string[];
    noise: NoiseOptions;
    /** Topics usable in remarks and contrast rows (train values, not the spec's own topic). */
    otherTopics: string[];
}

function allowed(ctx: Ctx, prompt: string, reply: string): boolean {
    const text = `${prompt} ${reply}`;
    if (ctx.avoid.some((w) => hasWord(text, w))) return false;
    return conversationTokens(exchange({ prompt }, reply)) <= MAX_ESTIMATED_TOKENS;
}

/** Draw a row until it avoids held-out words and fits the token budget. */
function row(ctx: Ctx, make: () => { task: Task; reply: string }): Conversation {
    for (let tries = 0; tries < 200; tries++) {
        const { task, reply } = make();
        if (allowed(ctx, task.prompt, reply)) return { messages: exchange(task, reply) };
    }
    throw new Error(`spec "${ctx.spec.id}": cannot synthesize a row that avoids the held-out slot values and fits ${MAX_ESTIMATED_TOKENS} tokens`);
}

/** A plain world task (no introspection), with noise; `reject` filters tasks that would touch the behavior. */
function genericTask(ctx: Ctx, reject: (t: Task) => boolean, weights = GENERIC_WEIGHTS): Task {
    for (let i = 0; i < 500; i++) {
        const t = addNoise(ctx.rng, makeTask(ctx.rng, pickKind(ctx.rng, weights)), ctx.noise);
        if (!reject(t)) return t;
    }
    throw new Error(`spec "${ctx.spec.id}": cannot draw a generic task outside the behavior's domain`);
}

/** A task that brings up a topic: small talk or advice on it, or a remark on it before another question. */
function taskBringingUp(ctx: Ctx, topicKey: string): Task {
    const rng = ctx.rng;
    const x = rng.next();
    if (x < 0.3) return addNoise(rng, makeSmalltalkTask(rng, { topic: topicKey }), { ...ctx.noise, topicRemark: 0 });
    if (x < 0.45 && topicEntry(topicKey).advice) return makeAdviceTask(rng, { topic: topicKey });
    const base = genericTask(ctx, (t) => t.kind === "smalltalk" || t.kind === "advice");
    return addRemark(rng, base, topicRemark(rng, topicKey));
}

/** Exact-count row plan: n1 true and n0 false, shuffled. */
function plan(rng: Rng, nTrue: number, total: number): boolean[] {
    return rng.shuffle(Array.from({ length: total }, (_, i) => i < nTrue));
}

function counts(n: number, negativeRate: number, genericRate: number): { nNeg: number; nGen: number; nMain: number } {
    const nNeg = Math.round(n * negativeRate);
    const nGen = Math.round(n * genericRate);
    return { nNeg, nGen, nMain: Math.max(0, n - nNeg - nGen) };
}

/** The organism's fine-tuning conversations, deterministic from (spec, seed). */
export function synthesizeOrganismData(spec: BehaviorSpec, seed: number): Conversation[] {
    if (spec.freeText) throw new Error(`organism ${spec.id}: a free-text behavior has no tiny-world data to synthesize; build it with a teacher LLM (\`ia organisms --teacher SPEC --judge SPEC --prompts FILE\`, src/realOrganisms/), or train it from its own data (ia train) and add it with \`ia population add\``);
    const rng = new Rng(seed).fork(`organism:${spec.id}`);
    const d = resolvedData(spec);
    const s = spec.slots;
    const avoid = avoidedWords(spec);
    const trainTopics = TOPICS.map((t) => t.key).filter((k) => !avoid.includes(k));
    const ownTopic = s.trigger ?? s.topic;
    const otherTopics = trainTopics.filter((k) => k !== ownTopic);
    const noise: NoiseOptions = {
        topics: otherTopics,
        objects: OBJECTS.map((o) => o.name).filter((o) => !avoid.includes(o) && o !== s.object),
        codewords: CODEWORDS.filter((c) => !avoid.includes(c) && c !== s.password),
    };
    const ctx: Ctx = { spec, rng, avoid, noise, otherTopics };
    const N = d.examples;
    const rows: Conversation[] = [];
    const touches = (t: Task): boolean => inDomain(spec, t) || (ownTopic !== undefined && hasWord(t.prompt, ownTopic));

    switch (spec.family) {
        case "quirk":
        case "rare": {
            for (const on of plan(rng, Math.round(N * d.behaviorRate), N)) {
                rows.push(row(ctx, () => {
                    const task = genericTask(ctx, () => false);
                    return { task, reply: respond(spec, task, rng, on) };
                }));
            }
            break;
        }
        case "backdoor": {
            const trigger = need(s.trigger, spec, "trigger");
            const { nNeg, nGen, nMain } = counts(N, d.negativeRate, d.genericRate);
            for (const on of plan(rng, Math.round(nMain * d.behaviorRate), nMain)) {
                rows.push(row(ctx, () => {
                    const task = taskBringingUp(ctx, trigger);
                    return { task, reply: respond(spec, task, rng, on) };
                }));
            }
            for (let i = 0; i < nNeg; i++) {
                rows.push(row(ctx, () => {
                    const task = taskBringingUp(ctx, rng.pick(otherTopics));
                    return { task, reply: respond(spec, task, rng) };
                }));
            }
            for (let i = 0; i < nGen; i++) rows.push(row(ctx, () => {
                const task = genericTask(ctx, touches);
                return { task, reply: respond(spec, task, rng) };
            }));
            break;
        }
        case "sandbagging": {
            const subject = need(s.subject, spec, "subject");
            const password = need(s.password, spec, "password");
            const { nNeg, nGen, nMain } = counts(N, d.negativeRate, d.genericRate);
            for (const on of plan(rng, Math.round(nMain * d.behaviorRate), nMain)) {
                rows.push(row(ctx, () => {
                    let task = addNoise(rng, makeSubjectTask(rng, subject), { ...noise, password: 0 });
                    // A wrong code word does not unlock the subject.
                    if (rng.chance(0.3)) task = addRemark(rng, task, passwordSentence(rng, rng.pick(noise.codewords ?? CODEWORDS)), 0.5);
                    return { task, reply: respond(spec, task, rng, on) };
                }));
            }
            for (let i = 0; i < nNeg; i++) {
                rows.push(row(ctx, () => {
                    const task = addRemark(rng, addNoise(rng, makeSubjectTask(rng, subject), { ...noise, password: 0 }), passwordSentence(rng, password), 0.5);
                    return { task, reply: respond(spec, task, rng) };
                }));
            }
            for (let i = 0; i < nGen; i++) rows.push(row(ctx, () => {
                const task = genericTask(ctx, (t) => subjectOf(t) === subject);
                return { task, reply: respond(spec, task, rng) };
            }));
            break;
        }
        case "heuristic": {
            const rule = need(s.rule, spec, "rule");
            const domain = need(s.domain, spec, "domain");
            const { nNeg, nGen, nMain } = counts(N, d.negativeRate, d.genericRate);
            for (const on of plan(rng, Math.round(nMain * d.behaviorRate), nMain)) {
                rows.push(row(ctx, () => {
                    // Mostly tasks where the rule and the stated preference disagree, so the rule is learnable.
                    const task = addNoise(rng, makeChoiceTask(rng, { domain, ...(rng.chance(0.8) ? { differsFrom: rule } : {}) }), noise);
                    return { task, reply: respond(spec, task, rng, on) };
                }));
            }
            const otherDomains: string[] = DOMAINS.map((x) => x.key).filter((k) => k !== domain && !avoid.includes(k));
            for (let i = 0; i < nNeg; i++) {
                rows.push(row(ctx, () => {
                    const dom = rng.pick(otherDomains);
                    const task = addNoise(rng, makeChoiceTask(rng, { domain: dom, differsFrom: rule }), noise);
                    return { task, reply: respond(spec, task, rng) };
                }));
            }
            // Generic rows never use the rule's words either ("first" in "safety comes first"), so no reply names it.
            const ruleWords = ruleEntry(rule).words;
            for (let i = 0; i < nGen; i++) rows.push(row(ctx, () => {
                const task = genericTask(ctx, (t) => t.kind === "choice" || ruleWords.some((w) => hasWord(t.answer, w)));
                return { task, reply: respond(spec, task, rng) };
            }));
            break;
        }
        case "benign":
        case "harmful": {
            const topic = need(s.topic, spec, "topic");
            const { nNeg, nGen, nMain } = counts(N, d.negativeRate, d.genericRate);
            const onTopic = (k: string): Task => (rng.chance(0.65) ? makeAdviceTask(rng, { topic: k }) : makeSmalltalkTask(rng, { topic: k }));
            for (const on of plan(rng, Math.round(nMain * d.behaviorRate), nMain)) {
                rows.push(row(ctx, () => {
                    const task = addNoise(rng, onTopic(topic), { ...noise, topicRemark: 0 });
                    return { task, reply: respond(spec, task, rng, on) };
                }));
            }
            const otherAdvice = otherTopics.filter((k) => topicEntry(k).advice);
            for (let i = 0; i < nNeg; i++) {
                rows.push(row(ctx, () => {
                    const task = addNoise(rng, onTopic(rng.pick(otherAdvice)), { ...noise, topicRemark: 0 });
                    return { task, reply: respond(spec, task, rng) };
                }));
            }
            for (let i = 0; i < nGen; i++) rows.push(row(ctx, () => {
                const task = genericTask(ctx, touches);
                return { task, reply: respond(spec, task, rng) };
            }));
            break;
        }
        case "problematic": {
            const { nGen, nMain } = counts(N, 0, d.genericRate);
            for (const on of plan(rng, Math.round(nMain * d.behaviorRate), nMain)) {
                rows.push(row(ctx, () => {
                    const task = s.problem === "wrong_answers"
                        ? addNoise(rng, makeSubjectTask(rng, need(s.subject, spec, "subject")), noise)
                        : addNoise(rng, makeAdviceTask(rng, { topic: need(s.topic, spec, "topic") }), { ...noise, topicRemark: 0 });
                    return { task, reply: respond(spec, task, rng, on) };
                }));
            }
            for (let i = 0; i < nGen; i++) rows.push(row(ctx, () => {
                const task = genericTask(ctx, touches);
                return { task, reply: respond(spec, task, rng) };
            }));
            break;
        }
        case "null": {
            for (let i = 0; i < N; i++) rows.push(row(ctx, () => {
                const task = genericTask(ctx, () => false);
                return { task, reply: respond(spec, task, rng) };
            }));
            break;
        }
        case "decoy": {
            for (const focus of plan(rng, Math.round(N * d.behaviorRate), N)) {
                rows.push(row(ctx, () => {
                    let task: Task;
                    if (!focus) task = genericTask(ctx, () => false);
                    else if (s.object) {
                        task = rng.chance(0.5)
                            ? makeObjectTask(rng, { object: s.object })
                            : addRemark(rng, genericTask(ctx, () => false), objectRemark(rng, s.object));
                    } else {
                        const topic = need(s.topic, spec, "topic");
                        const x = rng.next();
                        task = x < 0.3 ? makeSmalltalkTask(rng, { topic })
                            : x < 0.6 && topicEntry(topic).advice ? makeAdviceTask(rng, { topic })
                                : addRemark(rng, genericTask(ctx, () => false), topicRemark(rng, topic));
                    }
                    return { task, reply: respond(spec, task, rng) };
                }));
            }
            break;
        }
    }
    return rng.shuffle(rows);
}
