/**
 * A ChatProvider speaking the Anthropic Messages API: POST {baseUrl}/v1/messages with `x-api-key` and
 * `anthropic-version: 2023-06-01`. Non-streaming text only: no tools, images, extended thinking or prompt caching.
 * Retries come from `retry.ts` (Anthropic's 529 "overloaded" is a 5xx and is retried).
 */
import { Retrier, type RetryOptions } from "./retry.ts";
import { validateRequest, type ChatProvider, type CompletionRequest, type CompletionResult } from "./types.ts";
import { isRecord, normalizeBaseUrl, requireNumber } from "./parseUtil.ts";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
export const ANTHROPIC_VERSION = "2023-06-01";

export interface AnthropicOptions {
    /** Model id sent as `model`, e.g. "claude-sonnet-4-5". Required. */
    model: string;
    /** API root without "/v1". Default "https://api.anthropic.com". */
    baseUrl?: string;
    /** API key sent as `x-api-key`. Default: `env.ANTHROPIC_API_KEY`; one of the two is required. */
    apiKey?: string;
    /** Where to read ANTHROPIC_API_KEY from. Default: process.env. */
    env?: Record<string, string | undefined>;
    /** `max_tokens` when a request sets none (the API requires the field). Default 1024. */
    defaultMaxTokens?: number;
    /** Retry, backoff and timeout settings. Default: see `RetryOptions`. */
    retry?: RetryOptions;
    /** Extra request headers (e.g. `anthropic-beta`). Default: none. */
    headers?: Record<string, string>;
}

export class AnthropicProvider implements ChatProvider {
    readonly name: string;
    readonly model: string;
    readonly baseUrl: string;
    private readonly apiKey: string;
    private readonly defaultMaxTokens: number;
    private readonly retrier: Retrier;
    private readonly extraHeaders: Record<string, string>;

    constructor(opts: AnthropicOptions) {
        if (!opts.model) throw new Error("anthropic provider: option `model` is required");
        this.model = opts.model;
        this.baseUrl = normalizeBaseUrl(opts.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL, "anthropic provider");
        const key = opts.apiKey ?? (opts.env ?? process.env).ANTHROPIC_API_KEY;
        if (!key) throw new Error("anthropic provider: no API key; set ANTHROPIC_API_KEY or pass `apiKey`");
        this.apiKey = key;
        this.name = this.baseUrl === ANTHROPIC_DEFAULT_BASE_URL ? `anthropic:${this.model}` : `anthropic:${this.model}@${this.baseUrl}`;
        this.defaultMaxTokens = opts.defaultMaxTokens ?? 1024;
        this.retrier = new Retrier({ seed: `anthropic:${this.model}`, ...opts.retry });
        this.extraHeaders = opts.headers ?? {};
    }

    async complete(req: CompletionRequest): Promise<CompletionResult> {
        validateRequest(this.name, req);
        const body: Record<string, unknown> = {
            model: this.model,
            max_tokens: req.maxTokens ?? this.defaultMaxTokens,
            messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
        };
        if (req.system !== undefined) body.system = req.system;
        if (req.temperature !== undefined) body.temperature = req.temperature;
        if (req.stop !== undefined && req.stop.length > 0) body.stop_sequences = req.stop;
        return this.retrier.postJson({
            provider: this.name,
            url: `${this.baseUrl}/v1/messages`,
            headers: { ...this.extraHeaders, "x-api-key": this.apiKey, "anthropic-version": ANTHROPIC_VERSION },
            body,
            parse: (json) => parseMessagesResponse(json, this.model),
        });
    }
}

/** Reads text (all `text` blocks joined), usage and model from a Messages response; throws naming the field. */
export function parseMessagesResponse(json: unknown, requestedModel: string): CompletionResult {
    if (!isRecord(json)) throw new Error("response is not a JSON object");
    if (!Array.isArray(json.content)) throw new Error("`content` is not an array");
    let text = "";
    json.content.forEach((block: unknown, i: number) => {
        if (!isRecord(block)) throw new Error(`\`content[${i}]\` is not an object`);
        if (block.type === "text") {
            if (typeof block.text !== "string") throw new Error(`\`content[${i}].text\` is not a string`);
            text += block.text;
        }
    });
    if (!isRecord(json.usage)) throw new Error("`usage` is missing");
    return {
        text,
        usage: {
            inputTokens: requireNumber(json.usage.input_tokens, "usage.input_tokens"),
            outputTokens: requireNumber(json.usage.output_tokens, "usage.output_tokens"),
        },
        model: typeof json.model === "string" && json.model ? json.model : requestedModel,
        cached: false,
    };
}
