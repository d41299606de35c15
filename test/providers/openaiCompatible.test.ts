import { test, after } from "node:test";
import assert from "node:assert/strict";
import { OpenAICompatibleProvider } from "../../src/providers/openaiCompatible.ts";
import { ProviderError } from "../../src/providers/errors.ts";
import { FAST_RETRY, openaiCompletion, openaiError, startOpenAIServer, startServer, type FakeServer } from "./fakeServers.ts";

const servers: FakeServer[] = [];
after(async () => {
    await Promise.all(servers.map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startOpenAIServer>): Promise<FakeServer> {
    const s = await startOpenAIServer(...args);
    servers.push(s);
    return s;
}
function provider(url: string, extra: Partial<ConstructorParameters<typeof OpenAICompatibleProvider>[0]> = {}) {
    return new OpenAICompatibleProvider({ model: "gpt-4o-mini", baseUrl: `${url}/v1`, apiKey: "sk-test-openai", retry: FAST_RETRY, ...extra });
}
const hello = { messages: [{ role: "user" as const, content: "Say hi." }] };

test("success: sends the Chat Completions schema and parses text, usage and model", async () => {
    const s = await serve(() => openaiCompletion("Hi there!", { promptTokens: 30, completionTokens: 4 }));
    const p = provider(s.url);
    const res = await p.complete({ system: "Be brief.", messages: [{ role: "user", content: "Say hi." }], maxTokens: 50, temperature: 0.7, stop: ["\n\n"] });
    assert.deepEqual(res, { text: "Hi there!", usage: { inputTokens: 30, outputTokens: 4 }, model: "gpt-4o-mini-2024-07-18", cached: false });
    assert.equal(s.requests.length, 1);
    const r = s.requests[0]!;
    assert.equal(r.headers.authorization, "Bearer sk-test-openai");
    assert.match(String(r.headers["content-type"]), /^application\/json/);
    assert.deepEqual(r.body, {
        model: "gpt-4o-mini",
        messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Say hi." },
        ],
        max_tokens: 50,
        temperature: 0.7,
        stop: ["\n\n"],
    });
    assert.equal(p.name, `openai:gpt-4o-mini@${s.url}/v1`);
});

test("optional fields are omitted, max_completion_tokens is selectable, no key means no Authorization for local servers", async () => {
    const s = await serve(() => openaiCompletion("ok"), { apiKey: null });
    const p = new OpenAICompatibleProvider({ model: "local", baseUrl: `${s.url}/v1/`, env: {}, maxTokensField: "max_completion_tokens", retry: FAST_RETRY });
    await p.complete(hello);
    await p.complete({ ...hello, maxTokens: 9 });
    assert.equal(s.requests[0]!.headers.authorization, undefined);
    assert.deepEqual(s.requests[0]!.body, { model: "local", messages: [{ role: "user", content: "Say hi." }] });
    assert.equal((s.requests[1]!.body as Record<string, unknown>).max_completion_tokens, 9);
});

test("the key comes from OPENAI_API_KEY; api.openai.com without a key is refused up front", () => {
    assert.throws(() => new OpenAICompatibleProvider({ model: "gpt-4o", env: {} }), /OPENAI_API_KEY/);
    const p = new OpenAICompatibleProvider({ model: "gpt-4o", env: { OPENAI_API_KEY: "sk-x" } });
    assert.equal(p.name, "openai:gpt-4o");
    assert.throws(() => new OpenAICompatibleProvider({ model: "m", baseUrl: "ftp://x", env: {} }), /http or https/);
});

test("bad requests are rejected before any network call", async () => {
    const s = await serve(() => openaiCompletion("x"));
    await assert.rejects(provider(s.url).complete({ messages: [] }), /messages must be a non-empty array/);
    await assert.rejects(provider(s.url).complete({ ...hello, maxTokens: 0 }), /maxTokens/);
    assert.equal(s.requests.length, 0);
});

test("401 is not retried and the error names provider, URL, status and body", async () => {
    const s = await serve(() => openaiCompletion("never"));
    const p = provider(s.url, { apiKey: "sk-wrong" });
    const err = await p.complete(hello).then(
        () => assert.fail("should reject"),
        (e: unknown) => e,
    );
    assert.ok(err instanceof ProviderError);
    assert.equal(err.status, 401);
    assert.equal(err.kind, "http");
    assert.equal(err.attempts, 1);
    assert.match(err.message, /openai:gpt-4o-mini/);
    assert.ok(err.message.includes(`${s.url}/v1/chat/completions`));
    assert.match(err.message, /HTTP 401/);
    assert.match(err.message, /Incorrect API key provided/);
    assert.ok(!err.message.includes("sk-wrong"), "the key must not leak into the message");
    assert.equal(s.requests.length, 1);
});

test("400 and 404 are not retried", async () => {
    const s = await serve(() => openaiError(400, "This model's maximum context length is 128000 tokens.", "invalid_request_error", "context_length_exceeded"));
    await assert.rejects(provider(s.url).complete(hello), (e: unknown) => e instanceof ProviderError && e.status === 400 && /maximum context length/.test(e.message));
    assert.equal(s.requests.length, 1);
    const wrongPath = provider(s.url, { baseUrl: `${s.url}/v2` });
    await assert.rejects(wrongPath.complete(hello), /HTTP 404/);
    assert.equal(s.requests.length, 2);
});

test("429 with retry-after is waited out, then succeeds", async () => {
    const s = await serve((_, i) =>
        i === 0 ? { ...openaiError(429, "Rate limit reached for gpt-4o-mini", "requests", "rate_limit_exceeded"), headers: { "retry-after": "0.3" } } : openaiCompletion("after the wait"),
    );
    const t0 = performance.now();
    const res = await provider(s.url).complete(hello);
    const elapsed = performance.now() - t0;
    assert.equal(res.text, "after the wait");
    assert.equal(s.requests.length, 2);
    assert.ok(elapsed >= 280, `should honor retry-after (waited ${elapsed.toFixed(0)} ms, backoff alone is <= 20 ms)`);
});

test("500 then success is retried", async () => {
    const s = await serve((_, i) => (i < 2 ? openaiError(500, "The server had an error while processing your request.", "server_error") : openaiCompletion("third time")));
    const res = await provider(s.url).complete(hello);
    assert.equal(res.text, "third time");
    assert.equal(s.requests.length, 3);
});

test("persistent 503 gives up after maxRetries with a clear error", async () => {
    const s = await serve(() => ({ status: 503, body: "<html>Service Unavailable</html>" }));
    await assert.rejects(provider(s.url).complete(hello), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.status, 503);
        assert.equal(e.attempts, FAST_RETRY.maxRetries + 1);
        assert.match(e.message, /Service Unavailable/);
        return true;
    });
    assert.equal(s.requests.length, FAST_RETRY.maxRetries + 1);
});

test("a server that never answers times out, is retried, and fails clearly", async () => {
    const s = await serve(() => ({ hang: true }));
    // Not shorter: the fake server shares the client's event loop, and on a busy machine a very short timeout
    // aborts the request before the server has read it.
    const p = provider(s.url, { retry: { ...FAST_RETRY, timeoutMs: 250, maxRetries: 1 } });
    const t0 = performance.now();
    await assert.rejects(p.complete(hello), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.kind, "timeout");
        assert.equal(e.attempts, 2);
        assert.match(e.message, /timed out/);
        assert.match(e.message, /250 ms/);
        assert.ok(e.message.includes(s.url));
        return true;
    });
    assert.equal(s.requests.length, 2);
    assert.ok(performance.now() - t0 < 3000);
});

test("a body that arrives too slowly also counts as a timeout", async () => {
    const s = await serve(() => ({ ...openaiCompletion("late"), delayMs: 300 }));
    const p = provider(s.url, { retry: { ...FAST_RETRY, timeoutMs: 80, maxRetries: 0 } });
    await assert.rejects(p.complete(hello), (e: unknown) => e instanceof ProviderError && e.kind === "timeout" && e.attempts === 1);
});

test("garbage JSON is retried a bounded number of times, then reported", async () => {
    const s = await serve(() => ({ status: 200, body: "<html>502 Bad Gateway from proxy</html>" }));
    await assert.rejects(provider(s.url).complete(hello), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.kind, "garbage");
        assert.match(e.message, /not valid JSON/);
        assert.match(e.message, /Bad Gateway from proxy/);
        return true;
    });
    assert.equal(s.requests.length, FAST_RETRY.maxGarbageRetries + 1);
});

test("garbage once, then a good answer, succeeds", async () => {
    const s = await serve((_, i) => (i === 0 ? { body: '{"choices": [' } : openaiCompletion("recovered")));
    assert.equal((await provider(s.url).complete(hello)).text, "recovered");
    assert.equal(s.requests.length, 2);
});

test("valid JSON with missing fields names the field", async () => {
    const s = await serve((_, i) => (i % 2 === 0 ? { body: { id: "x", choices: [] } } : { body: { choices: [{ message: { role: "assistant", content: "hi" } }] } }));
    const p = provider(s.url, { retry: { ...FAST_RETRY, maxGarbageRetries: 0 } });
    await assert.rejects(p.complete(hello), /`choices` is missing or empty/);
    await assert.rejects(p.complete(hello), /`usage` is missing/);
});

test("a refused connection is a network error, retried", async () => {
    const s = await startServer(() => openaiCompletion("x"));
    const url = s.url;
    await s.close();
    const p = provider(url, { retry: { ...FAST_RETRY, maxRetries: 2 } });
    await assert.rejects(p.complete(hello), (e: unknown) => e instanceof ProviderError && e.kind === "network" && e.attempts === 3 && /ECONNREFUSED/.test(e.message));
});
