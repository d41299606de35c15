import { test, after } from "node:test";
import assert from "node:assert/strict";
import { AnthropicProvider, parseMessagesResponse } from "../../src/providers/anthropic.ts";
import { ProviderError } from "../../src/providers/errors.ts";
import { FAST_RETRY, anthropicError, anthropicMessage, startAnthropicServer, type FakeServer } from "./fakeServers.ts";

const servers: FakeServer[] = [];
after(async () => {
    await Promise.all(servers.map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startAnthropicServer>): Promise<FakeServer> {
    const s = await startAnthropicServer(...args);
    servers.push(s);
    return s;
}
function provider(url: string, extra: Partial<ConstructorParameters<typeof AnthropicProvider>[0]> = {}) {
    return new AnthropicProvider({ model: "claude-sonnet-4-5", baseUrl: url, apiKey: "sk-ant-test", retry: FAST_RETRY, ...extra });
}
const hello = { messages: [{ role: "user" as const, content: "Say hi." }] };

test("success: headers, Messages body schema, text/usage/model parsing", async () => {
    const s = await serve(() => anthropicMessage("Hello!", { inputTokens: 41, outputTokens: 3 }));
    const res = await provider(s.url).complete({
        system: "You are terse.",
        messages: [
            { role: "user", content: "Hi" },
            { role: "assistant", content: "Hello." },
            { role: "user", content: "Again" },
        ],
        maxTokens: 64,
        temperature: 0,
        stop: ["END"],
    });
    assert.deepEqual(res, { text: "Hello!", usage: { inputTokens: 41, outputTokens: 3 }, model: "claude-sonnet-4-5-20250929", cached: false });
    const r = s.requests[0]!;
    assert.equal(r.path, "/v1/messages");
    assert.equal(r.headers["x-api-key"], "sk-ant-test");
    assert.equal(r.headers["anthropic-version"], "2023-06-01");
    assert.equal(r.headers.authorization, undefined);
    assert.deepEqual(r.body, {
        model: "claude-sonnet-4-5",
        max_tokens: 64,
        system: "You are terse.",
        messages: [
            { role: "user", content: "Hi" },
            { role: "assistant", content: "Hello." },
            { role: "user", content: "Again" },
        ],
        temperature: 0,
        stop_sequences: ["END"],
    });
});

test("max_tokens defaults (the API requires it); key comes from ANTHROPIC_API_KEY", async () => {
    const s = await serve(() => anthropicMessage("ok"), { apiKey: "from-env" });
    const p = new AnthropicProvider({ model: "claude-haiku-4-5", baseUrl: s.url, env: { ANTHROPIC_API_KEY: "from-env" }, retry: FAST_RETRY });
    await p.complete(hello);
    assert.deepEqual(s.requests[0]!.body, { model: "claude-haiku-4-5", max_tokens: 1024, messages: [{ role: "user", content: "Say hi." }] });
    assert.throws(() => new AnthropicProvider({ model: "m", env: {} }), /ANTHROPIC_API_KEY/);
    assert.equal(new AnthropicProvider({ model: "claude-sonnet-4-5", apiKey: "k" }).name, "anthropic:claude-sonnet-4-5");
});

test("text blocks are joined and other block types skipped", () => {
    const r = parseMessagesResponse(
        { model: "m", content: [{ type: "thinking", thinking: "hmm" }, { type: "text", text: "a" }, { type: "text", text: "b" }], usage: { input_tokens: 1, output_tokens: 2 } },
        "req",
    );
    assert.equal(r.text, "ab");
    assert.throws(() => parseMessagesResponse({ content: "nope", usage: {} }, "m"), /`content` is not an array/);
    assert.throws(() => parseMessagesResponse({ content: [], usage: { input_tokens: 1 } }, "m"), /usage.output_tokens/);
});

test("401 authentication_error is not retried", async () => {
    const s = await serve(() => anthropicMessage("never"));
    await assert.rejects(provider(s.url, { apiKey: "bad" }).complete(hello), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.status, 401);
        assert.equal(e.attempts, 1);
        assert.match(e.message, /anthropic:claude-sonnet-4-5/);
        assert.match(e.message, /\/v1\/messages/);
        assert.match(e.message, /invalid x-api-key/);
        return true;
    });
    assert.equal(s.requests.length, 1);
});

test("403 permission_error is not retried", async () => {
    const s = await serve(() => anthropicError(403, "permission_error", "Your API key does not have permission to use the specified resource."));
    await assert.rejects(provider(s.url).complete(hello), /HTTP 403.*permission/);
    assert.equal(s.requests.length, 1);
});

test("429 rate_limit_error with retry-after, then success", async () => {
    const s = await serve((_, i) => (i === 0 ? { ...anthropicError(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), headers: { "retry-after": "0.25" } } : anthropicMessage("ok now")));
    const t0 = performance.now();
    assert.equal((await provider(s.url).complete(hello)).text, "ok now");
    assert.ok(performance.now() - t0 >= 230);
    assert.equal(s.requests.length, 2);
});

test("529 overloaded_error and 500 api_error are retried", async () => {
    const s = await serve((_, i) =>
        i === 0 ? anthropicError(529, "overloaded_error", "Overloaded") : i === 1 ? anthropicError(500, "api_error", "Internal server error") : anthropicMessage("fine"),
    );
    assert.equal((await provider(s.url).complete(hello)).text, "fine");
    assert.equal(s.requests.length, 3);
});

test("timeout against a silent server", async () => {
    const s = await serve(() => ({ hang: true }));
    // The fake server shares the client's event loop: a timeout much shorter than a busy machine's scheduling
    // delay aborts the request before the server has read it (seen at 60 ms on 2 loaded cores).
    await assert.rejects(provider(s.url, { retry: { ...FAST_RETRY, timeoutMs: 250, maxRetries: 2 } }).complete(hello), (e: unknown) => e instanceof ProviderError && e.kind === "timeout" && e.attempts === 3);
    assert.equal(s.requests.length, 3);
});

test("a 200 with an error-shaped or truncated body is garbage, bounded retries", async () => {
    const s = await serve((_, i) => (i === 0 ? { body: { type: "error", error: { type: "api_error", message: "odd" } } } : { body: '{"type":"message","content":[{"type":"te' }));
    await assert.rejects(provider(s.url).complete(hello), (e: unknown) => e instanceof ProviderError && e.kind === "garbage" && e.attempts === 2);
    assert.equal(s.requests.length, 2);
});
