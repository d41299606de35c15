/**
 * The provider contract shared by teachers (writing organism data) and judges (grading self-reports).
 * A provider turns one chat request into one completion. It does not stream, call tools, or hold a
 * conversation; retries, caching and metering are layered around it by the other files in this folder.
 */

/** One chat turn. The system prompt travels separately, in `CompletionRequest.system`. */
export interface ChatMessage {
    role: "user" | "assistant";
    content: string;
}

export interface CompletionRequest {
    /** System prompt. Default: none. */
    system?: string;
    /** The conversation, oldest first; must be non-empty and should end with a user turn. */
    messages: ChatMessage[];
    /** Most tokens to generate. Default: the provider's own default (1024 for Anthropic, where it is required). */
    maxTokens?: number;
    /** Sampling temperature. Default: the server's default (1.0 for both OpenAI and Anthropic). */
    temperature?: number;
    /** Stop sequences. Default: none. */
    stop?: string[];
    /**
     * Which sample this is when the same request is asked several times at temperature > 0. Never sent to a
     * server; only the response cache reads it, so sample 0 and sample 1 get separate cache entries.
     * Ignored at temperature 0, where repeats would be the same anyway. Default: 0.
     */
    sampleIndex?: number;
}

export interface TokenUsage {
    inputTokens: number;
    outputTokens: number;
}

export interface CompletionResult {
    /** The generated text (text blocks concatenated). */
    text: string;
    /** Tokens as the server reported them (for a cache hit: what the original call reported). */
    usage: TokenUsage;
    /** The model as the server named it in its response (may be a dated variant of the requested one). */
    model: string;
    /** True when the result came from the on-disk cache rather than the network. */
    cached: boolean;
}

export interface ChatProvider {
    /** Stable identity, e.g. "openai:gpt-4o-mini@http://127.0.0.1:8000/v1"; part of cache keys and error messages. */
    readonly name: string;
    /** The requested model, when known before a call. Default: undefined (wrappers pass the inner one's through). */
    readonly model?: string;
    complete(req: CompletionRequest): Promise<CompletionResult>;
}

/** Throws a message naming the provider when a request cannot be sent as is. */
export function validateRequest(provider: string, req: CompletionRequest): void {
    if (!Array.isArray(req.messages) || req.messages.length === 0) {
        throw new Error(`${provider}: request.messages must be a non-empty array`);
    }
    req.messages.forEach((m, i) => {
        if (m.role !== "user" && m.role !== "assistant") {
            throw new Error(`${provider}: request.messages[${i}].role must be "user" or "assistant", got ${JSON.stringify(m.role)}`);
        }
        if (typeof m.content !== "string") {
            throw new Error(`${provider}: request.messages[${i}].content must be a string`);
        }
    });
    if (req.maxTokens !== undefined && (!Number.isInteger(req.maxTokens) || req.maxTokens <= 0)) {
        throw new Error(`${provider}: request.maxTokens must be a positive integer, got ${req.maxTokens}`);
    }
    if (req.temperature !== undefined && (!Number.isFinite(req.temperature) || req.temperature < 0)) {
        throw new Error(`${provider}: request.temperature must be a finite number >= 0, got ${req.temperature}`);
    }
}
