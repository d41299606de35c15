/**
 * A ChatProvider speaking the OpenAI Chat Completions protocol: POST {baseUrl}/chat/completions.
 * Works with api.openai.com and with OpenAI-compatible servers (vLLM, llama.cpp server, SGLang, Ollama's /v1).
 * Non-streaming text only: no tools, images, logprobs or n > 1. Retries come from `retry.ts`.
 */
import { Retrier, type RetryOptions } from "./retry.ts";
import { validateRequest, type ChatProvider, type CompletionRequest, type CompletionResult } from "./types.ts";
import { isRecord, normalizeBaseUrl, requireNumber } from "./parseUtil.ts";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface OpenAICompatibleOptions {
    /** Model id sent as `model`. Required. */
    model: string;
    /** API root, up to and including the version segment. Default "https://api.openai.com/v1". */
    baseUrl?: string;
    /**
     * Bearer token. Default: `env.OPENAI_API_KEY`. Required for api.openai.com; for any other base URL it is
     * optional and, when absent, no Authorization header is sent (local servers usually need none).
     */
    apiKey?: string;
    /** Where to read OPENAI_API_KEY from. Default: process.env. */
    env?: Record<string, string | undefined>;
    /**
     * Body field for the token limit. Default "max_tokens", which every compatible server accepts; OpenAI's
     * reasoning models (o-series, gpt-5) require "max_completion_tokens".
     */
    maxTokensField?: "max_tokens" | "max_completion_tokens";
    /** Retry, backoff and timeout settings. Default: see `RetryOptions`. */
    retry?: RetryOptions;
    /** Extra request headers (e.g. an organization header). Default: none. */
    headers?: Record<string, string>;
}

export class OpenAICompatibleProvider implements ChatProvider {
    readonly name: string;
    readonly model: string;
    readonly baseUrl: string;
    private readonly apiKey: string | undefined;
    private readonly maxTokensField: "max_tokens" | "max_completion_tokens";
    private readonly retrier: Retrier;
    private readonly extraHeaders: Record<string, string>;

    constructor(opts: OpenAICompatibleOptions) {
        if (!opts.model) throw new Error("openai provider: option `model` is required");
        this.model = opts.model;
        this.baseUrl = normalizeBaseUrl(opts.baseUrl ?? OPENAI_DEFAULT_BASE_URL, "openai provider");
        this.apiKey = opts.apiKey ?? (opts.env ?? process.env).OPENAI_API_KEY;
        if (!this.apiKey && new URL(this.baseUrl).hostname === "api.openai.com") {
            throw new Error("openai provider: no API key for api.openai.com; set OPENAI_API_KEY or pass `apiKey`");
        }
        this.name = this.baseUrl === OPENAI_DEFAULT_BASE_URL ? `openai:${this.model}` : `openai:${this.model}@${this.baseUrl}`;
        this.maxTokensField = opts.maxTokensField ?? "max_tokens";
        this.retrier = new Retrier({ seed: `openai:${this.model}`, ...opts.retry });
        this.extraHeaders = opts.headers ?? {};
    }

    async complete(req: CompletionRequest): Promise<CompletionResult> {
        validateRequest(this.name, req);
        const messages: { role: string; content: string }[] = [];
        if (req.system !== undefined) messages.push({ role: "system", content: req.system });
        for (const m of req.messages) messages.push({ role: m.role, content: m.content });
        const body: Record<string, unknown> = { model: this.model, messages };
        if (req.maxTokens !== undefined) body[this.maxTokensField] = req.maxTokens;
        if (req.temperature !== undefined) body.temperature = req.temperature;
        if (req.stop !== undefined && req.stop.length > 0) body.stop = req.stop;

        const headers: Record<string, string> = { ...this.extraHeaders };
        if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
        return this.retrier.postJson({
            provider: this.name,
            url: `${this.baseUrl}/chat/completions`,
            headers,
            body,
            parse: (json) => parseChatCompletion(json, this.model),
        });
    }
}

/** Reads text, usage and model from a Chat Completions response; throws naming the missing field. */
export function parseChatCompletion(json: unknown, requestedModel: string): CompletionResult {
    if (!isRecord(json)) throw new Error("response is not a JSON object");
    const choices = json.choices;
    if (!Array.isArray(choices) || choices.length === 0) throw new Error("`choices` is missing or empty");
    const first: unknown = choices[0];
    if (!isRecord(first) || !isRecord(first.message)) throw new Error("`choices[0].message` is missing");
    const { content, refusal } = first.message;
    // A refusal is still the model's answer; callers (e.g. a judge filter) decide what it is worth.
    const text = typeof content === "string" ? content : typeof refusal === "string" ? refusal : undefined;
    if (text === undefined) throw new Error("`choices[0].message.content` is not a string");
    if (!isRecord(json.usage)) throw new Error("`usage` is missing");
    return {
        text,
        usage: {
            inputTokens: requireNumber(json.usage.prompt_tokens, "usage.prompt_tokens"),
            outputTokens: requireNumber(json.usage.completion_tokens, "usage.completion_tokens"),
        },
        model: typeof json.model === "string" && json.model ? json.model : requestedModel,
        cached: false,
    };
}
