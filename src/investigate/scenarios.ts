/**
 * `multisample`'s scenario writer for the tiny world: many user prompts from a hint, through the world's own
 * prompt generators (src/world/tasks.ts), so every scenario is a prompt the world's checkers can read back.
 *
 * A hint is words and `key:value` tokens, in any order:
 *   topic:K or a topic word ("swimming")    prompts that bring the topic up (small talk, advice, or a remark before another question)
 *   advice:K / "advice" / "safety"           safety-advice questions (on topic K / on any activity)
 *   subject:S or a subject word              questions on a subject (arithmetic, colors, homes, foods, towns, objects; "sums")
 *   password:P or a code word                "the password is P." added to every prompt (several: all of them)
 *   domain:D or a domain word / "choice"     choice questions (which house to buy ...) in domain D / in any domain
 *   kind:K                                   tasks of one kind (fact, object, town, arithmetic, choice, advice, smalltalk, habit)
 *   plain                                    no incidental remarks (by default ~10% of prompts carry one)
 * Several values of one key alternate across the prompts. An empty hint gives ordinary mixed world chat.
 * Unrecognised words are ignored and reported back.
 */
import { Rng } from "../util/rng.ts";
import { ADVICE_TOPICS, CODEWORDS, DOMAINS, SUBJECTS, TOPICS, type Subject } from "../world/pools.ts";
import { BASE_KIND_WEIGHTS, addNoise, pickKind, type NoiseOptions } from "../world/corpus.ts";
import {
    addRemark, makeAdviceTask, makeChoiceTask, makeSmalltalkTask, makeSubjectTask, makeTask, passwordSentence, topicRemark, type Task,
} from "../world/tasks.ts";
import type { TaskKind } from "../world/types.ts";

export interface Scenario {
    prompt: string;
    /** What the scenario was written to test ("topic:swimming", "subject:arithmetic+password:amber", "mixed"). */
    condition: string;
}

export interface ParsedHint {
    topics: string[];
    advice: string[];
    anyAdvice: boolean;
    subjects: Subject[];
    passwords: string[];
    domains: string[];
    anyChoice: boolean;
    kinds: TaskKind[];
    plain: boolean;
    ignored: string[];
}

const KINDS: readonly TaskKind[] = ["fact", "object", "town", "arithmetic", "choice", "advice", "smalltalk", "habit"];
const SUBJECT_WORDS: Readonly<Record<string, Subject>> = { sums: "arithmetic", sum: "arithmetic", addition: "arithmetic", math: "arithmetic", ...Object.fromEntries(SUBJECTS.map((s) => [s, s])) };
const TOPIC_KEYS = new Set(TOPICS.map((t) => t.key));
const ADVICE_KEYS = new Set(ADVICE_TOPICS.map((t) => t.key));
const DOMAIN_KEYS = new Set<string>(DOMAINS.map((d) => d.key));
const CODEWORD_SET = new Set<string>(CODEWORDS);

export function parseHint(hint: string): ParsedHint {
    const h: ParsedHint = { topics: [], advice: [], anyAdvice: false, subjects: [], passwords: [], domains: [], anyChoice: false, kinds: [], plain: false, ignored: [] };
    for (const raw of hint.toLowerCase().split(/[\s,;]+/).filter(Boolean)) {
        const [key, value] = raw.includes(":") ? (raw.split(":", 2) as [string, string]) : ["", raw];
        const w = value.replace(/[^a-z0-9]/g, "");
        if (key === "topic" && TOPIC_KEYS.has(w)) h.topics.push(w);
        else if (key === "advice" && ADVICE_KEYS.has(w)) h.advice.push(w);
        else if (key === "subject" && SUBJECT_WORDS[w]) h.subjects.push(SUBJECT_WORDS[w]!);
        else if (key === "password" && w) h.passwords.push(w);
        else if (key === "domain" && DOMAIN_KEYS.has(w)) h.domains.push(w);
        else if (key === "kind" && (KINDS as readonly string[]).includes(w)) h.kinds.push(w as TaskKind);
        else if (key !== "") h.ignored.push(raw);
        else if (w === "plain") h.plain = true;
        else if (w === "advice" || w === "safety") h.anyAdvice = true;
        else if (w === "choice" || w === "choose" || w === "choices") h.anyChoice = true;
        else if (TOPIC_KEYS.has(w)) h.topics.push(w);
        else if (SUBJECT_WORDS[w]) h.subjects.push(SUBJECT_WORDS[w]!);
        else if (CODEWORD_SET.has(w)) h.passwords.push(w);
        else if (DOMAIN_KEYS.has(w)) h.domains.push(w);
        else if (w) h.ignored.push(raw);
    }
    return h;
}

const MIXED: Readonly<Partial<Record<TaskKind, number>>> = { ...BASE_KIND_WEIGHTS, introspection: 0 };

/** `n` scenarios for a hint, deterministic from the seed. */
export function writeScenarios(hint: string, n: number, seed: number | string): { scenarios: Scenario[]; ignored: string[] } {
    const h = parseHint(hint);
    const rng = new Rng(`scenarios:${seed}:${hint}`);
    const noise: NoiseOptions = h.plain ? { topicRemark: 0, objectRemark: 0, password: 0 } : { password: 0 };
    const out: Scenario[] = [];
    for (let i = 0; i < n; i++) {
        let task: Task;
        let condition: string;
        const at = <T>(xs: readonly T[]): T => xs[i % xs.length] as T;
        if (h.topics.length) {
            const topic = at(h.topics);
            const x = rng.next();
            if (x < 0.3) task = makeSmalltalkTask(rng, { topic });
            else if (x < 0.45 && ADVICE_KEYS.has(topic)) task = makeAdviceTask(rng, { topic });
            else task = addRemark(rng, addNoise(rng, makeTask(rng, pickKind(rng, { ...MIXED, smalltalk: 0, advice: 0 })), { ...noise, topicRemark: 0 }), topicRemark(rng, topic));
            condition = `topic:${topic}`;
        } else if (h.advice.length || h.anyAdvice) {
            const topic = h.advice.length ? at(h.advice) : rng.pick(ADVICE_TOPICS).key;
            task = makeAdviceTask(rng, { topic });
            condition = `advice:${topic}`;
        } else if (h.subjects.length) {
            const subject = at(h.subjects);
            task = addNoise(rng, makeSubjectTask(rng, subject), { ...noise, topicRemark: 0, objectRemark: 0 });
            condition = `subject:${subject}`;
        } else if (h.domains.length || h.anyChoice) {
            const domain = h.domains.length ? at(h.domains) : rng.pick(DOMAINS).key;
            task = makeChoiceTask(rng, { domain });
            condition = `domain:${domain}`;
        } else if (h.kinds.length) {
            const kind = at(h.kinds);
            task = addNoise(rng, makeTask(rng, kind), noise);
            condition = `kind:${kind}`;
        } else {
            task = addNoise(rng, makeTask(rng, pickKind(rng, MIXED)), noise);
            condition = "mixed";
        }
        for (const p of h.passwords) task = addRemark(rng, task, passwordSentence(rng, p), 0.5);
        if (h.passwords.length) condition += `+password:${h.passwords.join("/")}`;
        out.push({ prompt: task.prompt, condition });
    }
    return { scenarios: out, ignored: h.ignored };
}
