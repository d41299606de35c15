/**
 * Real HTTP servers on 127.0.0.1 (port 0) that speak the OpenAI Chat Completions and Anthropic Messages protocols
 * closely enough to catch wrong paths, headers and body schemas: they answer 401/400/404 with each vendor's error
 * shape, like the real services do. A test scripts the successful answers (and injected failures) per request.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: unknown;
    raw: string;
}

/** What to send back. `body` as a string is sent raw (for garbage); anything else as JSON. */
export interface Reply {
    status?: number;
    headers?: Record<string, string>;
    body?: unknown;
    /** Never answer (the client must time out). */
    hang?: boolean;
    /** Wait this long before answering. */
    delayMs?: number;
}

export interface FakeServer {
    /** e.g. "http://127.0.0.1:45678" */
    url: string;
    /** Every request that reached the server, including rejected ones. */
    requests: RecordedRequest[];
    /** Most requests handled at the same time. */
    maxConcurrent: number;
    close(): Promise<void>;
}

type Handler = (req: RecordedRequest, index: number) => Reply | Promise<Reply>;

export async function startServer(handler: Handler): Promise<FakeServer> {
    const requests: RecordedRequest[] = [];
    let active = 0;
    const state = { maxConcurrent: 0 };
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            void (async () => {
                const raw = Buffer.concat(chunks).toString("utf8");
                let body: unknown;
                try {
                    body = raw ? JSON.parse(raw) : undefined;
                } catch {
                    body = undefined;
                }
                const rec: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, raw };
                const index = requests.length;
                requests.push(rec);
                active++;
                state.maxConcurrent = Math.max(state.maxConcurrent, active);
                try {
                    const reply = await handler(rec, index);
                    if (reply.hang) return;
                    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
                    const isRaw = typeof reply.body === "string";
                    res.writeHead(reply.status ?? 200, { "content-type": isRaw ? "text/html" : "application/json", ...reply.headers });
                    res.end(isRaw ? (reply.body as string) : JSON.stringify(reply.body ?? {}));
                } finally {
                    active--;
                }
            })();
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        get maxConcurrent() {
            return state.maxConcurrent;
        },
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// ---------- OpenAI Chat Completions ----------

export function openaiError(status: number, message: string, type: string, code: string | null = null): Reply {
    return { status, body: { error: { message, type, param: null, code } } };
}

export function openaiCompletion(text: string, opts: { model?: string; promptTokens?: number; completionTokens?: number } = {}): Reply {
    const promptTokens = opts.promptTokens ?? 12;
    const completionTokens = opts.completionTokens ?? 7;
    return {
        body: {
            id: "chatcmpl-test123",
            object: "chat.completion",
            created: 1_700_000_000,
            model: opts.model ?? "gpt-4o-mini-2024-07-18",
            choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
            usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
            system_fingerprint: "fp_test",
        },
    };
}

/** Checks what the real endpoint checks; returns the error reply to send, or undefined when the request is valid. */
export function checkOpenAIRequest(req: RecordedRequest, apiKey: string | null): Reply | undefined {
    if (req.method !== "POST" || req.path !== "/v1/chat/completions") return openaiError(404, `Unknown request URL: ${req.method} ${req.path}`, "invalid_request_error", "unknown_url");
    if (apiKey !== null && req.headers.authorization !== `Bearer ${apiKey}`) {
        return openaiError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    if (!String(req.headers["content-type"]).startsWith("application/json")) return openaiError(400, "content-type must be application/json", "invalid_request_error");
    const b = req.body;
    if (!isObj(b)) return openaiError(400, "We could not parse the JSON body of your request.", "invalid_request_error");
    if (typeof b.model !== "string") return openaiError(400, "you must provide a model parameter", "invalid_request_error");
    if (!Array.isArray(b.messages) || b.messages.length === 0) return openaiError(400, "'messages' must be a non-empty array", "invalid_request_error");
    for (const m of b.messages) {
        if (!isObj(m) || !["system", "user", "assistant"].includes(String(m.role)) || typeof m.content !== "string") {
            return openaiError(400, "Invalid message in 'messages'", "invalid_request_error");
        }
    }
    for (const k of Object.keys(b)) {
        if (!["model", "messages", "max_tokens", "max_completion_tokens", "temperature", "stop"].includes(k)) {
            return openaiError(400, `Unrecognized request argument supplied: ${k}`, "invalid_request_error");
        }
    }
    return undefined;
}

/** An OpenAI-compatible server; `respond` sees only valid requests. */
export function startOpenAIServer(respond: Handler, opts: { apiKey?: string | null } = {}): Promise<FakeServer> {
    const apiKey = opts.apiKey === undefined ? "sk-test-openai" : opts.apiKey;
    return startServer((req, i) => checkOpenAIRequest(req, apiKey) ?? respond(req, i));
}

// ---------- Anthropic Messages ----------

export function anthropicError(status: number, type: string, message: string): Reply {
    return { status, body: { type: "error", error: { type, message } } };
}

export function anthropicMessage(text: string, opts: { model?: string; inputTokens?: number; outputTokens?: number } = {}): Reply {
    return {
        body: {
            id: "msg_01TestXYZ",
            type: "message",
            role: "assistant",
            model: opts.model ?? "claude-sonnet-4-5-20250929",
            content: [{ type: "text", text }],
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: { input_tokens: opts.inputTokens ?? 20, output_tokens: opts.outputTokens ?? 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
    };
}

export function checkAnthropicRequest(req: RecordedRequest, apiKey: string): Reply | undefined {
    if (req.method !== "POST" || req.path !== "/v1/messages") return anthropicError(404, "not_found_error", `Not found: ${req.path}`);
    if (req.headers["x-api-key"] !== apiKey) return anthropicError(401, "authentication_error", "invalid x-api-key");
    if (req.headers["anthropic-version"] !== "2023-06-01") return anthropicError(400, "invalid_request_error", "anthropic-version: header is required");
    const b = req.body;
    if (!isObj(b)) return anthropicError(400, "invalid_request_error", "body must be a JSON object");
    if (typeof b.model !== "string") return anthropicError(400, "invalid_request_error", "model: Field required");
    if (!Number.isInteger(b.max_tokens)) return anthropicError(400, "invalid_request_error", "max_tokens: Field required");
    if (b.system !== undefined && typeof b.system !== "string") return anthropicError(400, "invalid_request_error", "system: must be a string");
    if (!Array.isArray(b.messages) || b.messages.length === 0) return anthropicError(400, "invalid_request_error", "messages: at least one message is required");
    for (const m of b.messages) {
        if (!isObj(m) || !["user", "assistant"].includes(String(m.role)) || typeof m.content !== "string") {
            return anthropicError(400, "invalid_request_error", "messages: Unexpected role or content");
        }
    }
    for (const k of Object.keys(b)) {
        if (!["model", "max_tokens", "system", "messages", "temperature", "stop_sequences"].includes(k)) {
            return anthropicError(400, "invalid_request_error", `${k}: Extra inputs are not permitted`);
        }
    }
    return undefined;
}

export function startAnthropicServer(respond: Handler, opts: { apiKey?: string } = {}): Promise<FakeServer> {
    const apiKey = opts.apiKey ?? "sk-ant-test";
    return startServer((req, i) => checkAnthropicRequest(req, apiKey) ?? respond(req, i));
}

/** Fast retry settings for tests. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, maxRetries: 3, maxGarbageRetries: 1 } as const;

/** The text of the last user message in an OpenAI or Anthropic body. */
export function lastUserText(body: unknown): string {
    if (!isObj(body) || !Array.isArray(body.messages)) return "";
    const users = body.messages.filter((m): m is { role: string; content: string } => isObj(m) && m.role === "user" && typeof m.content === "string");
    return users[users.length - 1]?.content ?? "";
}
