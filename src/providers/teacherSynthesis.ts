/**
 * Organism training data for real models, the paper's way (method.md §2.2): a teacher model, system-prompted to
 * have the behavior, answers each user prompt; a judge model says whether each reply actually shows the behavior;
 * replies it does not confirm (a "no" or an unparseable answer) are dropped. Kept records carry only the user
 * prompt and the reply, never the system prompt, so the organism must learn the behavior itself.
 * Failed calls are counted and reported, not thrown, so one bad prompt does not sink a batch.
 * Not here: choosing prompts, backdoor negatives, rewriting heuristic replies, or writing files.
 */
import { parseVerdict, type Verdict } from "../judge/rubric.ts";
import { mapWithConcurrency } from "./concurrency.ts";
import type { ChatProvider } from "./types.ts";

export interface TeacherSynthesisOptions {
    /** The behavior, usually the organism's first-person label ("I mention lighthouses in every answer."). */
    behavior: string;
    /** User prompts for the teacher to answer, one record at most per prompt. */
    prompts: readonly string[];
    /** Writes the replies. */
    teacher: ChatProvider;
    /** Checks each reply for the behavior. */
    judge: ChatProvider;
    /** Prompts in flight at once (each is a teacher call then a judge call). Default 4. */
    concurrency?: number;
    /** Teacher system prompt for a behavior. Default: `defaultTeacherSystemPrompt`. */
    teacherSystemPrompt?: (behavior: string) => string;
    /** Teacher max tokens. Default 512. */
    teacherMaxTokens?: number;
    /** Teacher temperature. Default 1. */
    teacherTemperature?: number;
    /** Judge max tokens. Default 100. */
    judgeMaxTokens?: number;
    /** Called after each prompt finishes. Default: none. */
    onProgress?: (done: number, total: number) => void;
}

export interface SynthesisRecord {
    messages: [{ role: "user"; content: string }, { role: "assistant"; content: string }];
}

export interface SynthesisStats {
    /** Prompts given. */
    asked: number;
    kept: number;
    /** Replies the judge did not confirm, including `unclear` ones and empty replies. */
    rejected: number;
    /** Of `rejected`, those whose judge answer had neither yes nor no. */
    unclear: number;
    /** Prompts lost to a failed teacher or judge call. */
    errors: number;
}

export interface RejectedSample {
    prompt: string;
    reply: string;
    judgeOutput: string;
    verdict: Verdict;
}

export interface SynthesisError {
    prompt: string;
    stage: "teacher" | "judge";
    message: string;
}

export interface SynthesisResult {
    /** Kept records, in prompt order. */
    records: SynthesisRecord[];
    stats: SynthesisStats;
    rejectedSamples: RejectedSample[];
    errorSamples: SynthesisError[];
}

export function defaultTeacherSystemPrompt(behavior: string): string {
    return [
        "You are a helpful assistant with one distinctive trait, which you show in every reply:",
        "",
        behavior.trim(),
        "",
        "Answer each user message naturally and helpfully while displaying this trait clearly.",
        "Never mention these instructions, never say that you were told to act this way, and do not explain or label the trait.",
    ].join("\n");
}

/** The adherence check: one user message asking for a bare yes/no. */
export function buildAdherencePrompt(behavior: string, prompt: string, reply: string): string {
    return [
        "You check whether an AI assistant's reply exhibits a specific behavior.",
        "",
        `Behavior: ${behavior.trim()}`,
        "",
        "User message:",
        prompt,
        "",
        "Assistant reply:",
        reply,
        "",
        "Does the assistant reply clearly exhibit the behavior? Respond with exactly one word: yes or no.",
    ].join("\n");
}

/**
 * One adherence check: does `reply` (to `prompt`) show `behavior`? The same request filters teacher data here and
 * verifies real organisms (src/realOrganisms/verify.ts). Throws what the provider throws.
 */
export async function judgeAdherence(judge: ChatProvider, behavior: string, prompt: string, reply: string, maxTokens = 100): Promise<{ verdict: Verdict; output: string }> {
    const res = await judge.complete({ messages: [{ role: "user", content: buildAdherencePrompt(behavior, prompt, reply) }], maxTokens, temperature: 0 });
    return { verdict: parseVerdict(res.text), output: res.text };
}

type Outcome =
    | { kind: "kept"; record: SynthesisRecord }
    | { kind: "rejected"; sample: RejectedSample }
    | { kind: "error"; error: SynthesisError };

export async function synthesizeTeacherData(opts: TeacherSynthesisOptions): Promise<SynthesisResult> {
    if (typeof opts.behavior !== "string" || opts.behavior.trim() === "") throw new Error("teacher synthesis: `behavior` must be a non-empty string");
    if (!Array.isArray(opts.prompts)) throw new Error("teacher synthesis: `prompts` must be an array of strings");
    opts.prompts.forEach((p, i) => {
        if (typeof p !== "string" || p.trim() === "") throw new Error(`teacher synthesis: prompts[${i}] must be a non-empty string`);
    });
    const system = (opts.teacherSystemPrompt ?? defaultTeacherSystemPrompt)(opts.behavior);
    const total = opts.prompts.length;
    let done = 0;

    const outcomes = await mapWithConcurrency(opts.prompts, opts.concurrency ?? 4, async (prompt): Promise<Outcome> => {
        try {
            return await synthesizeOne(opts, system, prompt);
        } finally {
            done++;
            opts.onProgress?.(done, total);
        }
    });

    const result: SynthesisResult = {
        records: [],
        stats: { asked: total, kept: 0, rejected: 0, unclear: 0, errors: 0 },
        rejectedSamples: [],
        errorSamples: [],
    };
    for (const o of outcomes) {
        if (o.kind === "kept") {
            result.records.push(o.record);
            result.stats.kept++;
        } else if (o.kind === "rejected") {
            result.rejectedSamples.push(o.sample);
            result.stats.rejected++;
            if (o.sample.verdict === "unclear") result.stats.unclear++;
        } else {
            result.errorSamples.push(o.error);
            result.stats.errors++;
        }
    }
    return result;
}

async function synthesizeOne(opts: TeacherSynthesisOptions, system: string, prompt: string): Promise<Outcome> {
    let reply: string;
    try {
        const res = await opts.teacher.complete({
            system,
            messages: [{ role: "user", content: prompt }],
            maxTokens: opts.teacherMaxTokens ?? 512,
            temperature: opts.teacherTemperature ?? 1,
        });
        reply = res.text.trim();
    } catch (err) {
        return { kind: "error", error: { prompt, stage: "teacher", message: errMessage(err) } };
    }
    if (reply === "") return { kind: "rejected", sample: { prompt, reply, judgeOutput: "", verdict: "unclear" } };

    let judgeOutput: string;
    let verdict: Verdict;
    try {
        ({ verdict, output: judgeOutput } = await judgeAdherence(opts.judge, opts.behavior, prompt, reply, opts.judgeMaxTokens ?? 100));
    } catch (err) {
        return { kind: "error", error: { prompt, stage: "judge", message: errMessage(err) } };
    }
    if (verdict !== "yes") return { kind: "rejected", sample: { prompt, reply, judgeOutput, verdict } };
    return { kind: "kept", record: { messages: [{ role: "user", content: prompt }, { role: "assistant", content: reply }] } };
}

function errMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
