import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { parseProviderSpec, providerFromSpec } from "../../src/providers/fromSpec.ts";
import { CostMeter } from "../../src/providers/meter.ts";
import { FAST_RETRY, anthropicMessage, openaiCompletion, startAnthropicServer, startOpenAIServer, type FakeServer } from "./fakeServers.ts";
import { tempDir } from "../helpers/tempDir.ts";

const servers: FakeServer[] = [];
after(async () => {
    await Promise.all(servers.map((s) => s.close()));
});
function tmpDir(): string {
    return tempDir("ia-spec-test");
}

test("parseProviderSpec: kinds, models with ':' and '/', optional base URL", () => {
    assert.deepEqual(parseProviderSpec("openai:gpt-4o-mini@http://127.0.0.1:8000/v1"), { kind: "openai", model: "gpt-4o-mini", baseUrl: "http://127.0.0.1:8000/v1" });
    assert.deepEqual(parseProviderSpec("anthropic:claude-sonnet-4-5"), { kind: "anthropic", model: "claude-sonnet-4-5" });
    assert.deepEqual(parseProviderSpec("openai:Qwen/Qwen3-8B@https://host.example/v1"), { kind: "openai", model: "Qwen/Qwen3-8B", baseUrl: "https://host.example/v1" });
    assert.deepEqual(parseProviderSpec(" openai:llama3:8b@http://localhost:11434/v1 "), { kind: "openai", model: "llama3:8b", baseUrl: "http://localhost:11434/v1" });
});

test("parseProviderSpec: errors name the spec and the problem", () => {
    assert.throws(() => parseProviderSpec("gpt-4o"), /provider spec "gpt-4o": expected "<kind>:<model>/);
    assert.throws(() => parseProviderSpec("google:gemini"), /unknown kind "google"/);
    assert.throws(() => parseProviderSpec("openai:"), /model is empty/);
    assert.throws(() => parseProviderSpec("openai:@http://x/v1"), /model is empty/);
    assert.throws(() => parseProviderSpec("openai:m@localhost:8000"), /must be an http\(s\) URL/);
});

test("providerFromSpec: missing keys are reported against the spec", () => {
    assert.throws(() => providerFromSpec("anthropic:claude-sonnet-4-5", { env: {}, cacheDir: false }), /provider spec "anthropic:claude-sonnet-4-5": .*ANTHROPIC_API_KEY/);
    assert.throws(() => providerFromSpec("openai:gpt-4o", { env: {}, cacheDir: false }), /OPENAI_API_KEY/);
});

test("providerFromSpec: an OpenAI-compatible server, cached and metered", async () => {
    const s = await startOpenAIServer(() => openaiCompletion("pong", { model: "gpt-4o-mini-2024-07-18", promptTokens: 100, completionTokens: 10 }));
    servers.push(s);
    const dir = tmpDir();
    const p = providerFromSpec(`openai:gpt-4o-mini@${s.url}/v1`, { cacheDir: dir, env: { OPENAI_API_KEY: "sk-test-openai" }, retry: FAST_RETRY });
    assert.equal(p.name, `openai:gpt-4o-mini@${s.url}/v1`);
    assert.equal(p.model, "gpt-4o-mini");
    const req = { messages: [{ role: "user" as const, content: "ping" }], temperature: 0 };
    assert.equal((await p.complete(req)).cached, false);
    assert.equal((await p.complete(req)).cached, true);
    assert.equal(s.requests.length, 1);
    const t = p.meter.totals();
    assert.equal(t.calls, 1);
    assert.equal(t.cachedCalls, 1);
    assert.equal(t.inputTokens, 100);
    assert.ok(p.cache && fs.existsSync(p.cache.dir));
});

test("providerFromSpec: Anthropic with a shared meter and no cache", async () => {
    const s = await startAnthropicServer(() => anthropicMessage("hi", { inputTokens: 7, outputTokens: 2 }));
    servers.push(s);
    const meter = new CostMeter();
    const p = providerFromSpec(`anthropic:claude-sonnet-4-5@${s.url}`, { cacheDir: false, meter, apiKey: "sk-ant-test", retry: FAST_RETRY });
    const req = { messages: [{ role: "user" as const, content: "x" }], temperature: 0 };
    await p.complete(req);
    await p.complete(req);
    assert.equal(s.requests.length, 2);
    assert.equal(p.cache, null);
    assert.equal(p.meter, meter);
    assert.equal(meter.totals().calls, 2);
});
