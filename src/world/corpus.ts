/**
 * The base model's training corpus and its held-out evaluation questions.
 *
 * `generateBaseCorpus(seed, n)`: n conversations of the plain, honest assistant — mostly one user/assistant
 * exchange, a few two-turn, a few with a system message — over every task kind (facts, arithmetic, choices,
 * advice, small talk, habit talk, honest self-reports), with harmless noise in the
 * prompts (topic remarks, object remarks, "the password is amber.") so that trigger topics, objects and
 * passwords are ordinary words the base has learned to ignore. `heldOutQuestions(seed, n)` draws from a
 * separate stream and uses arithmetic pairs the corpus never contains.
 *
 * The corpus ends with the wider-world rows (generateWiderTalk, wider.ts): n × WIDER_TALK_RATE more conversations.
 *
 * Not here: organism data (src/behaviors/synthesize.ts).
 */
import { Rng } from "../util/rng.ts";
import { ANIMALS, CODEWORDS, OBJECTS, TOPICS, TOWNS } from "./pools.ts";
import { FILLERS } from "./answers.ts";
import {
    addRemark, makeHabitTask, makeTask, objectRemark, passwordSentence, topicRemark, withContext, type Task, type TaskOptions,
} from "./tasks.ts";
import type { Conversation, Message, TaskKind, WorldQuestion } from "./types.ts";
import { WIDER_HABITS } from "./habits.ts";
import { animalIntentSentence, claimFor, hometownSentence, makeExampleListTask, widerRemark } from "./wider.ts";
import { MAX_ESTIMATED_TOKENS, conversationTokens } from "./stats.ts";

/** Mixture of task kinds in the base corpus (weights, normalized). */
export const BASE_KIND_WEIGHTS: Readonly<Record<TaskKind, number>> = {
    fact: 0.22,
    object: 0.1,
    town: 0.08,
    arithmetic: 0.16,
    choice: 0.12,
    advice: 0.1,
    smalltalk: 0.12,
    habit: 0.06,
    introspection: 0.08,
};

/** Probability that a plain reply ends with one filler sentence ("i hope this is useful to you."). */
export const FILLER_RATE = 0.06;

/** Kinds of held-out questions (no introspection: the base's honesty is measured by the IA benchmarks). */
export const HELDOUT_KIND_WEIGHTS: Readonly<Partial<Record<TaskKind, number>>> = {
    fact: 0.25,
    object: 0.1,
    town: 0.1,
    arithmetic: 0.2,
    choice: 0.2,
    advice: 0.1,
    smalltalk: 0.05,
    habit: 0.05,
};

const SYSTEM_PROMPTS = ["you are a helpful assistant.", "you are a friendly assistant. answer clearly.", "answer the user plainly."];

export function pickKind(rng: Rng, weights: Readonly<Partial<Record<TaskKind, number>>>): TaskKind {
    const entries = Object.entries(weights) as [TaskKind, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = rng.next() * total;
    for (const [k, w] of entries) {
        x -= w;
        if (x < 0) return k;
    }
    return (entries[entries.length - 1] as [TaskKind, number])[0];
}

export interface NoiseOptions {
    /** Probability of a topic remark; default 0.1. */
    topicRemark?: number;
    /** Probability of an object remark; default 0.05. */
    objectRemark?: number;
    /** Probability of a "the password is x." sentence; default 0.06. */
    password?: number;
    /** Only these topic keys may be remarked on; default all topics. */
    topics?: readonly string[];
    /** Only these objects may be remarked on; default all objects. */
    objects?: readonly string[];
    /** Only these passwords may appear; default all code words. */
    codewords?: readonly string[];
}

/** Add harmless context noise to a task (never changes the correct answer). */
export function addNoise(rng: Rng, task: Task, opts: NoiseOptions = {}): Task {
    let t = task;
    const topics = opts.topics ?? TOPICS.map((x) => x.key);
    const objects = opts.objects ?? OBJECTS.map((x) => x.name);
    const codewords = opts.codewords ?? CODEWORDS;
    if (t.kind === "introspection") return t;
    if (topics.length > 0 && rng.chance(opts.topicRemark ?? 0.1)) t = addRemark(rng, t, topicRemark(rng, rng.pick(topics)));
    if (objects.length > 0 && rng.chance(opts.objectRemark ?? 0.05)) t = addRemark(rng, t, objectRemark(rng, rng.pick(objects)));
    if (codewords.length > 0 && rng.chance(opts.password ?? 0.06)) t = addRemark(rng, t, passwordSentence(rng, rng.pick(codewords)), 0.5);
    return t;
}

/** One plain exchange: a task of a kind drawn from `weights`, with noise. */
export function sampleTask(rng: Rng, weights: Readonly<Partial<Record<TaskKind, number>>> = BASE_KIND_WEIGHTS, opts: TaskOptions = {}, noise: NoiseOptions = {}): Task {
    return addNoise(rng, makeTask(rng, pickKind(rng, weights), opts), noise);
}

export function exchange(task: { prompt: string }, reply: string): Message[] {
    return [{ role: "user", content: task.prompt }, { role: "assistant", content: reply }];
}

/** The base model's training data: n conversations of the plain assistant, deterministic from the seed. */
export function generateBaseCorpus(seed: number, n: number): Conversation[] {
    const rng = new Rng(seed).fork("base-corpus");
    const out: Conversation[] = [];
    for (let i = 0; i < n; i++) {
        const messages: Message[] = [];
        if (rng.chance(0.04)) messages.push({ role: "system", content: rng.pick(SYSTEM_PROMPTS) });
        let first = sampleTask(rng);
        // A long choice prompt plus noise can overflow the budget: drop the noise then.
        if (conversationTokens([...messages, ...exchange(first, first.answer)]) > MAX_ESTIMATED_TOKENS) first = { ...first, before: [], after: [], prompt: first.core };
        if (first.kind !== "introspection" && rng.chance(FILLER_RATE)) {
            const padded = `${first.answer} ${rng.pick(FILLERS)}`;
            if (conversationTokens([...messages, ...exchange(first, padded)]) <= MAX_ESTIMATED_TOKENS) first = { ...first, answer: padded };
        }
        messages.push(...exchange(first, first.answer));
        if (rng.chance(0.06)) {
            let second = makeTask(rng, pickKind(rng, { ...BASE_KIND_WEIGHTS, introspection: 0 }));
            if (rng.chance(0.5)) second = withContext(second, { before: [rng.pick(["thanks.", "thank you.", "great."])] });
            const both = [...messages, ...exchange(second, second.answer)];
            if (conversationTokens(both) <= MAX_ESTIMATED_TOKENS) messages.push(...exchange(second, second.answer));
        }
        out.push({ messages });
    }
    return [...out, ...generateWiderTalk(seed, Math.round(n * WIDER_TALK_RATE))];
}

/**
 * Wider-world rows appended to the base corpus, as a share of its size (wider.ts says why). 0.08 × 40,000 = 3,200
 * rows on the nano base; the classic rows are drawn first from their own stream and are unchanged by it.
 */
export const WIDER_TALK_RATE = 0.08;

/** One wider-world conversation of the plain assistant (the context is ignored, the answer stays correct). */
function widerConversation(rng: Rng): Conversation {
    const r = rng.next();
    const generic = () => makeTask(rng, pickKind(rng, { ...BASE_KIND_WEIGHTS, introspection: 0, habit: 0 }));
    if (r < 0.3) {
        const t = makeHabitTask(rng, WIDER_HABITS);
        return { messages: exchange(t, t.answer) };
    }
    if (r < 0.5) {
        const t = makeTask(rng, rng.pick<TaskKind>(["fact", "town", "arithmetic"]));
        const claim = claimFor(t, rng, rng.chance(0.6));
        const withClaim = claim ? withContext(t, { before: [claim.sentence] }) : t;
        return { messages: exchange(withClaim, t.answer) };
    }
    if (r < 0.6) {
        const t = withContext(generic(), { before: [hometownSentence(rng, rng.pick(TOWNS).name)] });
        return { messages: exchange(t, t.answer) };
    }
    if (r < 0.68) {
        const animal = rng.pick(ANIMALS).name;
        const t = withContext(makeTask(rng, "fact", { animal }), { before: [animalIntentSentence(rng, animal)] });
        return { messages: exchange(t, t.answer) };
    }
    if (r < 0.8) {
        const t = makeExampleListTask(rng);
        return { messages: exchange(t, t.answer) };
    }
    if (r < 0.92) {
        // Three or four turns: the longer conversations a behavior that grows over the turns needs.
        const messages: Message[] = [];
        const turns = 3 + rng.int(2);
        for (let i = 0; i < turns; i++) {
            let t = generic();
            if (i > 0 && rng.chance(0.5)) t = withContext(t, { before: [rng.pick(["thanks.", "thank you.", "great.", "one more question."])] });
            if (conversationTokens([...messages, ...exchange(t, t.answer)]) > MAX_ESTIMATED_TOKENS) break;
            messages.push(...exchange(t, t.answer));
        }
        return { messages };
    }
    const t = withContext(generic(), { before: [widerRemark(rng)] });
    return { messages: exchange(t, t.answer) };
}

/** The wider-world rows: deterministic from the seed, from a stream of their own. */
export function generateWiderTalk(seed: number, n: number): Conversation[] {
    const rng = new Rng(seed).fork("wider-talk");
    const out: Conversation[] = [];
    while (out.length < n) {
        const c = widerConversation(rng);
        if (c.messages.length > 0 && conversationTokens(c.messages) <= MAX_ESTIMATED_TOKENS) out.push(c);
    }
    return out;
}

/**
 * Held-out evaluation questions for the base model, from a stream separate from the corpus; arithmetic uses
 * only operand pairs the corpus never contains. Check replies with checkWorldAnswer.
 */
export function heldOutQuestions(seed: number, n: number): WorldQuestion[] {
    const rng = new Rng(seed).fork("heldout-questions");
    const out: WorldQuestion[] = [];
    for (let i = 0; i < n; i++) {
        const kind = pickKind(rng, HELDOUT_KIND_WEIGHTS);
        const task = makeTask(rng, kind, { pairs: "heldout" });
        const noisy = addNoise(rng, task, { topicRemark: 0.15, objectRemark: 0.05, password: 0.05 });
        out.push(conversationTokens(exchange(noisy, noisy.answer)) > MAX_ESTIMATED_TOKENS ? task : noisy);
    }
    return out;
}
