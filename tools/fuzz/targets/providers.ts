/**
 * LLM provider responses:
 *  - openai-response / anthropic-response: the response-shape parsers called directly on parsed JSON
 *    (src/providers/openaiCompatible.ts parseChatCompletion, anthropic.ts parseMessagesResponse); an error must
 *    name the field (the retry layer prefixes provider and URL);
 *  - provider-http: the whole client path through a real loopback HTTP server (like test/providers/fakeServers.ts):
 *    status codes, retry-after / x-should-retry headers and raw (byte-mutated) bodies into
 *    OpenAICompatibleProvider / AnthropicProvider.complete with one retry; failures must be Errors naming the
 *    provider, and an accepted answer a complete CompletionResult.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { AnthropicProvider, parseMessagesResponse } from "../../../src/providers/anthropic.ts";
import { OpenAICompatibleProvider, parseChatCompletion } from "../../../src/providers/openaiCompatible.ts";
import type { ChatProvider, CompletionResult } from "../../../src/providers/types.ts";
import { defineTarget } from "../harness.ts";
import { checkCompletion } from "./caches.ts";
import { jsonFileInput, jsonSeeds, jsonValueInput, renderJsonFile, type JsonFileInput, type JsonSeeds } from "./common.ts";

const OPENAI_SEEDS = [
    { id: "chatcmpl-1", object: "chat.completion", created: 1, model: "gpt-x", choices: [{ index: 0, message: { role: "assistant", content: "hello", refusal: null }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 0 } } },
    { id: "chatcmpl-2", model: "", choices: [{ index: 0, message: { role: "assistant", content: null, refusal: "I can't help with that." }, finish_reason: "stop" }], usage: { prompt_tokens: 9, completion_tokens: 7 } },
];
const ANTHROPIC_SEEDS = [
    { id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [{ type: "text", text: "hello " }, { type: "thinking", thinking: "..." }, { type: "text", text: "world" }], stop_reason: "end_turn", usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 0 } },
    { id: "msg_2", type: "message", content: [], usage: { input_tokens: 0, output_tokens: 0 } },
];

function seedsOf(docs: object[]): JsonSeeds {
    return jsonSeeds(docs.map((d) => JSON.stringify(d)));
}

const FIELD_NAMES = ["`", "response"];

function directTarget(name: string, parser: string, docs: object[], parse: (json: unknown, model: string) => CompletionResult) {
    return defineTarget<JsonSeeds, JsonFileInput>({
        name,
        parser,
        init: () => seedsOf(docs),
        arbitrary: jsonValueInput,
        prepare(seeds, input) {
            const text = new TextDecoder().decode(renderJsonFile(seeds, input));
            const json: unknown = JSON.parse(text);
            return { names: FIELD_NAMES, bytes: text.length, call: () => parse(json, "requested-model"), check: (r) => checkCompletion(r as CompletionResult) };
        },
    });
}

export const openaiResponseTarget = directTarget("openai-response", "src/providers/openaiCompatible.ts parseChatCompletion", OPENAI_SEEDS, parseChatCompletion);
export const anthropicResponseTarget = directTarget("anthropic-response", "src/providers/anthropic.ts parseMessagesResponse", ANTHROPIC_SEEDS, parseMessagesResponse);

// ---------------------------------------------------------------- through HTTP

interface HttpInput {
    vendor: 0 | 1;
    status: number;
    headers: Record<string, string>;
    body: JsonFileInput;
}

interface HttpCtx {
    seeds: [JsonSeeds, JsonSeeds];
    providers: [ChatProvider, ChatProvider];
    reply: { status: number; headers: Record<string, string>; body: Uint8Array };
}

const HEADER_VALUES = fc.oneof(
    fc.constantFrom("0", "1", "-1", "0.001", "1e400", "NaN", "Infinity", "", " ", "abc", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "99999999999", "true", "false"),
    fc.stringMatching(/^[ -~]{0,24}$/),
);

export const providerHttpTarget = defineTarget<HttpCtx, HttpInput>({
    name: "provider-http",
    parser: "src/providers/{openaiCompatible,anthropic,retry}.ts complete() over loopback HTTP",
    async init() {
        const ctx: HttpCtx = { seeds: [seedsOf(OPENAI_SEEDS), seedsOf(ANTHROPIC_SEEDS)], providers: [] as unknown as HttpCtx["providers"], reply: { status: 200, headers: {}, body: new Uint8Array() } };
        const server = http.createServer((req, res) => {
            req.resume();
            req.on("end", () => {
                res.writeHead(ctx.reply.status, { "content-type": "application/json", ...ctx.reply.headers });
                res.end(ctx.reply.body);
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        server.unref();
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        // One retry of each kind with waits of a few ms, so retry-after parsing and the retry paths run.
        const retry = { maxRetries: 1, maxGarbageRetries: 1, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 5, timeoutMs: 5000 };
        ctx.providers = [
            new OpenAICompatibleProvider({ model: "m", baseUrl: `${url}/v1`, retry }),
            new AnthropicProvider({ model: "m", baseUrl: url, apiKey: "test-key", retry }),
        ];
        return ctx;
    },
    arbitrary: (ctx) =>
        fc.nat({ max: 1 }).chain((vendor) =>
            fc.record({
                vendor: fc.constant(vendor as 0 | 1),
                status: fc.oneof({ weight: 6, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(201, 204, 299, 400, 401, 404, 408, 409, 429, 500, 503, 529) }),
                headers: fc.dictionary(fc.constantFrom("retry-after", "retry-after-ms", "x-should-retry"), HEADER_VALUES, { maxKeys: 2 }),
                body: jsonFileInput(ctx.seeds[vendor as 0 | 1]),
            }),
        ),
    prepare(ctx, input) {
        const body = renderJsonFile(ctx.seeds[input.vendor], input.body);
        ctx.reply = { status: input.status, headers: input.headers, body };
        const provider = ctx.providers[input.vendor];
        return {
            names: [provider.name],
            bytes: body.byteLength,
            call: () => provider.complete({ messages: [{ role: "user", content: "hi" }], maxTokens: 8 }),
            check: (r) => checkCompletion(r as CompletionResult),
        };
    },
});
