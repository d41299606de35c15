import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ResponseCache, cacheKey, withCache } from "../../src/providers/cache.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openaiCompatible.ts";
import { FAST_RETRY, lastUserText, openaiCompletion, startOpenAIServer, type FakeServer } from "./fakeServers.ts";
import { tempDir } from "../helpers/tempDir.ts";

const servers: FakeServer[] = [];
after(async () => {
    await Promise.all(servers.map((s) => s.close()));
});
function tmpDir(): string {
    return tempDir("ia-cache-test");
}
async function setup(reply: (n: number, prompt: string) => string = (n) => `answer ${n}`) {
    const s = await startOpenAIServer((req, i) => openaiCompletion(reply(i, lastUserText(req.body))));
    servers.push(s);
    const dir = tmpDir();
    const inner = new OpenAICompatibleProvider({ model: "gpt-4o-mini", baseUrl: `${s.url}/v1`, apiKey: "sk-test-openai", retry: FAST_RETRY });
    return { s, dir, cache: new ResponseCache(dir), p: withCache(inner, new ResponseCache(dir)) };
}
const q = (content: string, extra = {}) => ({ messages: [{ role: "user" as const, content }], ...extra });

test("a cache hit does not reach the server and is marked cached", async () => {
    const { s, p, dir } = await setup();
    const first = await p.complete(q("What is 2+2?", { temperature: 0 }));
    const second = await p.complete(q("What is 2+2?", { temperature: 0 }));
    assert.equal(s.requests.length, 1);
    assert.equal(first.cached, false);
    assert.deepEqual(second, { ...first, cached: true });
    const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".json"));
    assert.equal(files.length, 1);
    assert.ok(!fs.readdirSync(dir, { recursive: true }).map(String).some((f) => f.includes(".tmp-")), "no temp files left behind");
    const rec = JSON.parse(fs.readFileSync(path.join(dir, files[0]!), "utf8"));
    assert.equal(rec.provider, p.name);
    assert.equal(rec.request.messages[0].content, "What is 2+2?");
    assert.equal(rec.result.text, first.text);
});

test("a new cache object over the same folder still hits (survives restarts)", async () => {
    const { s, p, dir } = await setup();
    await p.complete(q("persist me", { temperature: 0 }));
    const inner2 = new OpenAICompatibleProvider({ model: "gpt-4o-mini", baseUrl: `${s.url}/v1`, apiKey: "sk-test-openai", retry: FAST_RETRY });
    const res = await withCache(inner2, new ResponseCache(dir)).complete(q("persist me", { temperature: 0 }));
    assert.equal(res.cached, true);
    assert.equal(s.requests.length, 1);
});

test("different requests miss; sampleIndex separates samples at temperature > 0 but not at 0", async () => {
    const { s, p } = await setup();
    await p.complete(q("a", { temperature: 1, sampleIndex: 0 }));
    await p.complete(q("a", { temperature: 1, sampleIndex: 1 }));
    await p.complete(q("a", { temperature: 1, sampleIndex: 1 }));
    assert.equal(s.requests.length, 2);
    await p.complete(q("a", { temperature: 0, sampleIndex: 0 }));
    await p.complete(q("a", { temperature: 0, sampleIndex: 5 }));
    assert.equal(s.requests.length, 3);
    await p.complete(q("a", { temperature: 0, maxTokens: 10 }));
    await p.complete(q("a", { temperature: 0, system: "x" }));
    assert.equal(s.requests.length, 5);
    assert.equal(s.requests.some((r) => "sampleIndex" in (r.body as object)), false, "sampleIndex is never sent");
});

test("keys depend on provider name and model", () => {
    const req = q("same");
    assert.notEqual(cacheKey("openai:a", "a", req), cacheKey("openai:b", "b", req));
    assert.notEqual(cacheKey("openai:a@http://x/v1", "a", req), cacheKey("openai:a", "a", req));
    assert.equal(cacheKey("p", "m", req), cacheKey("p", "m", { ...req }));
    assert.equal(cacheKey("p", "m", { ...req, temperature: 1 }), cacheKey("p", "m", { ...req, temperature: 1, sampleIndex: 0 }));
});

test("a corrupt cache file is a miss and is rewritten", async () => {
    const { s, p, cache } = await setup();
    const req = q("fragile", { temperature: 0 });
    await p.complete(req);
    const file = cache.fileFor(cacheKey(p.name, p.model, req));
    fs.writeFileSync(file, '{"key": "tr');
    const res = await p.complete(req);
    assert.equal(res.cached, false);
    assert.equal(s.requests.length, 2);
    assert.equal((await p.complete(req)).cached, true);
});

test("identical concurrent requests share one network call", async () => {
    const { s, p } = await setup();
    const results = await Promise.all([1, 2, 3].map(() => p.complete(q("together", { temperature: 0 }))));
    assert.equal(s.requests.length, 1);
    assert.equal(new Set(results.map((r) => r.text)).size, 1);
    assert.equal(results.filter((r) => !r.cached).length, 1);
});

test("errors are not cached", async () => {
    const s = await startOpenAIServer((_, i) => (i === 0 ? { status: 400, body: { error: { message: "bad", type: "invalid_request_error" } } } : openaiCompletion("ok")));
    servers.push(s);
    const p = withCache(new OpenAICompatibleProvider({ model: "m", baseUrl: `${s.url}/v1`, apiKey: "sk-test-openai", retry: FAST_RETRY }), new ResponseCache(tmpDir()));
    await assert.rejects(p.complete(q("x", { temperature: 0 })));
    assert.equal((await p.complete(q("x", { temperature: 0 }))).text, "ok");
});
