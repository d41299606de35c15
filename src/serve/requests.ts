/**
 * Validation of OpenAI request bodies into what the scheduler needs. Every rejection is a 400 naming the
 * parameter (`param`) and the rule, as OpenAI does. Unknown fields are ignored (clients send many).
 */
import type { ChatMessage } from "../tokenizer/ChatTokenizer.ts";
import { badRequest } from "./errors.ts";

export interface Limits {
    /** Prompt tokens + max_tokens per prompt at most. */
    maxRequestTokens: number;
    /** max_tokens when the request does not say. */
    defaultMaxTokens: number;
    /** `n` at most. */
    maxN: number;
    /** Stop strings at most (OpenAI: 4) and their length. */
    maxStop: number;
    maxStopLength: number;
}

export const DEFAULT_LIMITS: Limits = { maxRequestTokens: 4096, defaultMaxTokens: 128, maxN: 16, maxStop: 4, maxStopLength: 64 };

export interface SamplingParams {
    n: number;
    temperature: number;
    topP: number;
    /** Undefined: as many as fit (up to the default). */
    maxTokens?: number;
    stop: string[];
    seed?: number;
    stream: boolean;
    includeUsage: boolean;
    /** Log-probs wanted, and how many alternatives per token to return. */
    logprobs: boolean;
    topLogprobs: number;
    /** vLLM's extra parameter: do not stop at end-of-turn tokens. */
    ignoreEos: boolean;
}

type Body = Record<string, unknown>;

export function asBody(body: unknown): Body {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the request body must be a JSON object", null, "invalid_json");
    return body as Body;
}

function num(b: Body, key: string, def: number, lo: number, hi: number, o: { int?: boolean; loOpen?: boolean } = {}): number {
    const v = b[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== "number" || !Number.isFinite(v) || (o.int && !Number.isSafeInteger(v))) throw badRequest(`\`${key}\` must be ${o.int ? "an integer" : "a number"}, got ${JSON.stringify(v)?.slice(0, 40)}`, key);
    if (v > hi || (o.loOpen ? v <= lo : v < lo)) throw badRequest(`\`${key}\` must be in ${o.loOpen ? "(" : "["}${lo}, ${hi}], got ${v}`, key);
    return v;
}

function bool(b: Body, key: string): boolean {
    const v = b[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== "boolean") throw badRequest(`\`${key}\` must be a boolean`, key);
    return v;
}

export function samplingParams(b: Body, limits: Limits, kind: "chat" | "completion"): SamplingParams {
    const n = num(b, "n", 1, 1, limits.maxN, { int: true });
    const temperature = num(b, "temperature", 1, 0, 2);
    const topP = num(b, "top_p", 1, 0, 1, { loOpen: true });
    const maxKey = kind === "chat" && b["max_completion_tokens"] !== undefined && b["max_completion_tokens"] !== null ? "max_completion_tokens" : "max_tokens";
    const maxTokens = b[maxKey] === undefined || b[maxKey] === null ? undefined : num(b, maxKey, 0, 1, limits.maxRequestTokens, { int: true });
    let stop: string[] = [];
    const s = b["stop"];
    if (typeof s === "string") stop = [s];
    else if (Array.isArray(s)) stop = s as string[];
    else if (s !== undefined && s !== null) throw badRequest("`stop` must be a string or a list of strings", "stop");
    if (stop.length > limits.maxStop) throw badRequest(`\`stop\` has ${stop.length} entries; at most ${limits.maxStop}`, "stop");
    for (const x of stop) {
        if (typeof x !== "string" || x.length === 0 || x.length > limits.maxStopLength) throw badRequest(`\`stop\` entries must be non-empty strings of at most ${limits.maxStopLength} characters`, "stop");
    }
    const seedRaw = b["seed"];
    const seed = seedRaw === undefined || seedRaw === null ? undefined : num(b, "seed", 0, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, { int: true });
    const stream = bool(b, "stream");
    const so = b["stream_options"];
    const includeUsage = typeof so === "object" && so !== null && (so as Body)["include_usage"] === true;
    let logprobs = false, topLogprobs = 0;
    if (kind === "chat") {
        logprobs = bool(b, "logprobs");
        topLogprobs = num(b, "top_logprobs", 0, 0, 5, { int: true });
        if (topLogprobs > 0 && !logprobs) throw badRequest("`top_logprobs` needs `logprobs: true`", "top_logprobs");
    } else if (b["logprobs"] !== undefined && b["logprobs"] !== null) {
        logprobs = true;
        topLogprobs = num(b, "logprobs", 0, 0, 5, { int: true });
    }
    return { n, temperature, topP, maxTokens, stop, seed: seed === undefined ? undefined : Math.abs(seed), stream, includeUsage, logprobs, topLogprobs, ignoreEos: bool(b, "ignore_eos") };
}

export function chatMessages(b: Body): ChatMessage[] {
    const m = b["messages"];
    if (!Array.isArray(m) || m.length === 0) throw badRequest("`messages` must be a non-empty list", "messages");
    return m.map((msg, i): ChatMessage => {
        const where = `messages[${i}]`;
        if (typeof msg !== "object" || msg === null) throw badRequest(`${where} must be an object`, where);
        const { role, content } = msg as Body;
        const r = role === "developer" ? "system" : role;
        if (r !== "system" && r !== "user" && r !== "assistant") throw badRequest(`${where}.role must be system, developer, user or assistant (tools and images are not supported), got ${JSON.stringify(role)?.slice(0, 40)}`, `${where}.role`);
        let text: string;
        if (typeof content === "string") text = content;
        else if (Array.isArray(content)) {
            text = content.map((p, j) => {
                if (typeof p === "object" && p !== null && (p as Body)["type"] === "text" && typeof (p as Body)["text"] === "string") return (p as Body)["text"] as string;
                throw badRequest(`${where}.content[${j}]: only text parts are supported`, `${where}.content`);
            }).join("");
        } else throw badRequest(`${where}.content must be a string or a list of text parts`, `${where}.content`);
        return { role: r, content: text };
    });
}

/** Completions prompts: a string, a list of strings, a token list, or a list of token lists. */
export function completionPrompts(b: Body, encode: (s: string) => number[], vocabSize: number): number[][] {
    const p = b["prompt"];
    const tokens = (t: unknown[]): number[] => {
        for (const x of t) if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0 || x >= vocabSize) throw badRequest(`\`prompt\` token ${JSON.stringify(x)?.slice(0, 20)} is not a token id of this model (0..${vocabSize - 1})`, "prompt");
        return t as number[];
    };
    let out: number[][];
    if (typeof p === "string") out = [encode(p)];
    else if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === "string")) out = (p as string[]).map(encode);
    else if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === "number")) out = [tokens(p)];
    else if (Array.isArray(p) && p.length > 0 && p.every((x) => Array.isArray(x))) out = (p as unknown[][]).map(tokens);
    else throw badRequest("`prompt` must be a string, a list of strings, a list of token ids or a list of such lists", "prompt");
    if (out.some((x) => x.length === 0)) throw badRequest("`prompt` is empty (no tokens)", "prompt");
    return out;
}

/** max_tokens for prompts of these lengths under the limits, or a 400 saying what does not fit. */
export function resolveMaxTokens(promptLengths: number[], want: number | undefined, limits: Limits, modelMax: number): number {
    const budget = Math.min(limits.maxRequestTokens, modelMax);
    const longest = Math.max(...promptLengths);
    if (longest >= budget) throw badRequest(`the prompt has ${longest} tokens; this server accepts at most ${budget - 1} prompt tokens per request (prompt + max_tokens ≤ ${budget})`, "messages", "context_length_exceeded");
    if (want === undefined) return Math.min(limits.defaultMaxTokens, budget - longest);
    if (longest + want > budget) throw badRequest(`prompt (${longest} tokens) + max_tokens (${want}) = ${longest + want} exceeds this server's limit of ${budget} tokens per request`, "max_tokens", "context_length_exceeded");
    return want;
}
