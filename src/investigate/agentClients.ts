/**
 * Tool-calling chat clients for the LLM investigator: OpenAI Chat Completions (`tools` / `tool_calls`) and
 * Anthropic Messages (`tools` / `tool_use` blocks). Each keeps its conversation in its own wire format; HTTP,
 * retries and error messages come from the providers' Retrier (src/providers/retry.ts). A response that breaks
 * the protocol (no choices, a tool call without a name, arguments that are not a JSON object) is an error naming
 * the provider and the field.
 */
import { isRecord, normalizeBaseUrl, requireNumber } from "../providers/parseUtil.ts";
import { parseProviderSpec } from "../providers/fromSpec.ts";
import { Retrier, type RetryOptions } from "../providers/retry.ts";
import type { ToolSpec } from "./tools.ts";

export interface AgentToolCall {
    id: string;
    name: string;
    /** Parsed arguments, or the reason they could not be parsed. */
    args: Record<string, unknown> | { error: string };
}

export interface AgentStep {
    text: string;
    calls: AgentToolCall[];
    usage: { input: number; output: number };
}

export interface AgentClient {
    readonly name: string;
    step(): Promise<AgentStep>;
    addToolResults(results: { id: string; content: string; isError: boolean }[]): void;
    addUser(text: string): void;
}

export interface AgentClientOptions {
    system: string;
    tools: ToolSpec[];
    maxTokens?: number;
    temperature?: number;
    retry?: RetryOptions;
    env?: Record<string, string | undefined>;
}


function parseArgs(raw: unknown): AgentToolCall["args"] {
    if (isRecord(raw)) return raw;
    if (typeof raw !== "string") return { error: "arguments are not a JSON object" };
    try {
        const v: unknown = JSON.parse(raw || "{}");
        return isRecord(v) ? v : { error: "arguments are not a JSON object" };
    } catch (e) {
        return { error: `arguments are not valid JSON (${(e as Error).message})` };
    }
}

class OpenAIAgent implements AgentClient {
    readonly name: string;
    private readonly url: string;
    private readonly messages: Record<string, unknown>[] = [];
    private readonly retrier: Retrier;
    private readonly apiKey: string | undefined;

    constructor(private readonly model: string, baseUrl: string | undefined, private readonly o: AgentClientOptions) {
        const base = normalizeBaseUrl(baseUrl ?? "https://api.openai.com/v1", "openai agent");
        this.url = `${base}/chat/completions`;
        this.name = `openai:${model}@${base}`;
        this.apiKey = (o.env ?? process.env).OPENAI_API_KEY;
        if (!this.apiKey && new URL(base).hostname === "api.openai.com") throw new Error("openai agent: no API key for api.openai.com; set OPENAI_API_KEY");
        this.retrier = new Retrier({ seed: this.name, ...o.retry });
        this.messages.push({ role: "system", content: o.system });
    }

    addUser(text: string): void {
        this.messages.push({ role: "user", content: text });
    }

    addToolResults(results: { id: string; content: string }[]): void {
        for (const r of results) this.messages.push({ role: "tool", tool_call_id: r.id, content: r.content });
    }

    async step(): Promise<AgentStep> {
        const body: Record<string, unknown> = {
            model: this.model, messages: this.messages, max_tokens: this.o.maxTokens ?? 1024,
            tools: this.o.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.inputSchema } })),
        };
        if (this.o.temperature !== undefined) body.temperature = this.o.temperature;
        const { step, message } = await this.retrier.postJson({
            provider: this.name, url: this.url, headers: this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}, body,
            parse: (json) => {
                if (!isRecord(json) || !Array.isArray(json.choices) || !isRecord(json.choices[0]) || !isRecord(json.choices[0].message)) throw new Error("`choices[0].message` is missing");
                const m = json.choices[0].message;
                if (!isRecord(json.usage)) throw new Error("`usage` is missing");
                const raw = m.tool_calls ?? [];
                if (!Array.isArray(raw)) throw new Error("`tool_calls` is not a list");
                const calls = raw.map((c: unknown, i: number): AgentToolCall => {
                    if (!isRecord(c) || !isRecord(c.function) || typeof c.function.name !== "string" || typeof c.id !== "string") throw new Error(`\`tool_calls[${i}]\` has no id or function name`);
                    return { id: c.id, name: c.function.name, args: parseArgs(c.function.arguments) };
                });
                const usage = { input: requireNumber(json.usage.prompt_tokens, "usage.prompt_tokens"), output: requireNumber(json.usage.completion_tokens, "usage.completion_tokens") };
                return { step: { text: typeof m.content === "string" ? m.content : "", calls, usage }, message: m };
            },
        });
        this.messages.push({ role: "assistant", content: message.content ?? null, ...(step.calls.length ? { tool_calls: message.tool_calls } : {}) });
        return step;
    }
}

class AnthropicAgent implements AgentClient {
    readonly name: string;
    private readonly url: string;
    private readonly messages: { role: "user" | "assistant"; content: unknown }[] = [];
    private readonly retrier: Retrier;
    private readonly apiKey: string;

    constructor(private readonly model: string, baseUrl: string | undefined, private readonly o: AgentClientOptions) {
        const base = normalizeBaseUrl(baseUrl ?? "https://api.anthropic.com", "anthropic agent");
        this.url = `${base}/v1/messages`;
        this.name = `anthropic:${model}@${base}`;
        const key = (o.env ?? process.env).ANTHROPIC_API_KEY;
        if (!key) throw new Error("anthropic agent: no API key; set ANTHROPIC_API_KEY");
        this.apiKey = key;
        this.retrier = new Retrier({ seed: this.name, ...o.retry });
    }

    addUser(text: string): void {
        this.messages.push({ role: "user", content: text });
    }

    addToolResults(results: { id: string; content: string; isError: boolean }[]): void {
        this.messages.push({ role: "user", content: results.map((r) => ({ type: "tool_result", tool_use_id: r.id, content: r.content, ...(r.isError ? { is_error: true } : {}) })) });
    }

    async step(): Promise<AgentStep> {
        const body: Record<string, unknown> = {
            model: this.model, max_tokens: this.o.maxTokens ?? 1024, system: this.o.system, messages: this.messages,
            tools: this.o.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema })),
        };
        if (this.o.temperature !== undefined) body.temperature = this.o.temperature;
        const { step, content } = await this.retrier.postJson({
            provider: this.name, url: this.url, headers: { "x-api-key": this.apiKey, "anthropic-version": "2023-06-01" }, body,
            parse: (json) => {
                if (!isRecord(json) || !Array.isArray(json.content)) throw new Error("`content` is not an array");
                if (!isRecord(json.usage)) throw new Error("`usage` is missing");
                let text = "";
                const calls: AgentToolCall[] = [];
                json.content.forEach((b: unknown, i: number) => {
                    if (!isRecord(b)) throw new Error(`\`content[${i}]\` is not an object`);
                    if (b.type === "text" && typeof b.text === "string") text += b.text;
                    if (b.type === "tool_use") {
                        if (typeof b.id !== "string" || typeof b.name !== "string") throw new Error(`\`content[${i}]\` tool_use has no id or name`);
                        calls.push({ id: b.id, name: b.name, args: parseArgs(b.input) });
                    }
                });
                const usage = { input: requireNumber(json.usage.input_tokens, "usage.input_tokens"), output: requireNumber(json.usage.output_tokens, "usage.output_tokens") };
                return { step: { text, calls, usage }, content: json.content };
            },
        });
        this.messages.push({ role: "assistant", content });
        return step;
    }
}

/** "openai:MODEL[@URL]" or "anthropic:MODEL[@URL]". */
export function agentClientFromSpec(spec: string, o: AgentClientOptions): AgentClient {
    const p = parseProviderSpec(spec);
    if (p.kind === "openai") return new OpenAIAgent(p.model, p.baseUrl, o);
    if (p.kind === "anthropic") return new AnthropicAgent(p.model, p.baseUrl, o);
    throw new Error(`driver ${spec}: an LLM investigator needs tool calling (openai:... or anthropic:...)`);
}
