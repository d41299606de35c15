// Bad input and hostile clients against a real server on loopback: adapter names that try to leave the roots
// (../, absolute, encoded, symlinks), unknown and foreign adapters, malformed and oversized bodies, limits, a
// storm beyond the queue limit (429, no crash), and a client that disconnects mid-stream while others continue.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { AdapterRoots } from "../../src/serve/adapterRoots.ts";
import type { Server } from "../../src/serve/server.ts";
import { makeWorld, startServer } from "./fixture.ts";

const w = makeWorld();
let server: Server, url: string;

before(async () => {
    ({ server, url } = await startServer(w, { bodyLimit: 4096, maxQueued: 4, maxActiveAdapters: 2, limits: { maxRequestTokens: 64, defaultMaxTokens: 8, maxN: 4, maxStop: 4, maxStopLength: 16 } }));
});
after(() => server.close());

async function post(route: string, body: unknown, headers: Record<string, string> = {}) {
    const r = await fetch(url + route, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: JSON.parse(text) as { error?: { message: string; code: string; type: string }; choices?: unknown[] } };
}
const chat = (model: string, extra: object = {}) => post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }], max_tokens: 2, ...extra });

const TRAVERSALS = [
    "../outside/secret", "organisms/../../outside/secret", "organisms/../ia/../../outside/secret", "/etc", "//etc/passwd",
    `${w.outside}/secret`, "..", ".", "./ia", "organisms/./quirk_1", "organisms//quirk_1", "ia/", "%2e%2e/outside/secret",
    "..%2foutside%2fsecret", "organisms\\..\\..\\outside\\secret", "ia\u0000", "ia\n", "~/secret", "C:/x", "a".repeat(300),
    "escape", "organisms/link/secret", "organisms/link", "../" + path.basename(w.tmp) + "/outside/secret",
];

test("adapter names never resolve outside the roots: every traversal attempt is refused with a 4xx naming it", async () => {
    let accepted = 0;
    for (const name of TRAVERSALS) {
        for (const body of [{ model: `base+${name}` }, { model: "base", adapters: [name] }, { model: "base", adapters: [{ name, scale: 1 }] }]) {
            const r = await post("/v1/chat/completions", { ...body, messages: [{ role: "user", content: "hi" }], max_tokens: 1 });
            if (r.status === 200) accepted++;
            assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(name)} → ${r.status}`);
            assert.ok(r.body.error, JSON.stringify(r.body));
            assert.match(r.body.error!.code, /invalid_adapter_name|adapter_outside_roots|adapter_not_found|invalid_adapter/, name);
            assert.doesNotMatch(r.body.error!.message, new RegExp(w.outside.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "/secret/"), "no server paths leak");
        }
    }
    assert.equal(accepted, 0, "0 accepted traversal attempts");
    const sym = await chat("base+escape");
    assert.equal(sym.status, 403);
    assert.match(sym.body.error!.message, /adapter 'escape' resolves outside the configured adapter roots/);
    // And directly: the resolver only returns paths under the root's real path.
    const roots = new AdapterRoots([w.root, `extra=${path.join(w.root, "organisms")}`]);
    const real = fs.realpathSync(w.root);
    for (const name of TRAVERSALS) assert.throws(() => roots.resolve(name));
    assert.ok(roots.resolve("ia").startsWith(real + path.sep));
    assert.equal(roots.resolve("extra/quirk_2"), path.join(real, "organisms", "quirk_2"));
});

test("unknown model, unknown adapter, a folder that is not an adapter, an adapter for another base: clear 4xx errors", async () => {
    let r = await chat("gpt-4");
    assert.equal(r.status, 404);
    assert.equal(r.body.error!.code, "model_not_found");
    assert.match(r.body.error!.message, /'gpt-4' does not exist; this server serves 'base'/);
    r = await chat("base+organisms/quirk_99");
    assert.equal(r.status, 404);
    assert.match(r.body.error!.message, /adapter 'organisms\/quirk_99' not found/);
    r = await chat("base+empty");
    assert.equal(r.status, 404);
    assert.match(r.body.error!.message, /'empty' is not a PEFT adapter folder/);
    r = await chat("base+foreign");
    assert.equal(r.status, 400);
    assert.equal(r.body.error!.code, "adapter_incompatible");
    assert.match(r.body.error!.message, /adapter 'foreign' cannot be used with this base model: .*another base/);
    assert.doesNotMatch(r.body.error!.message, new RegExp(w.root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    r = await chat("base+ia:abc");
    assert.equal(r.status, 400, "':abc' is not a scale: the name is 'ia:abc', not a valid name");
    assert.match(r.body.error!.message, /invalid adapter name 'ia:abc'/);
});

test("malformed JSON, oversized body, prompt too long, too many stop strings, bad parameters: OpenAI error objects", async () => {
    let r = await post("/v1/chat/completions", "{not json");
    assert.equal(r.status, 400);
    assert.match(r.body.error!.message, /JSON/);
    r = await post("/v1/chat/completions", { model: "base", messages: [{ role: "user", content: "x".repeat(5000) }] });
    assert.equal(r.status, 413);
    assert.match(r.body.error!.message, /too large \(limit 4096 bytes\)/);
    r = await post("/v1/chat/completions", { model: "base", messages: [{ role: "user", content: "word ".repeat(200) }] });
    assert.equal(r.status, 400);
    assert.equal(r.body.error!.code, "context_length_exceeded");
    r = await chat("base", { max_tokens: 1000 });
    assert.equal(r.status, 400);
    assert.match(r.body.error!.message, /max_tokens/);
    r = await chat("base", { stop: ["a", "b", "c", "d", "e"] });
    assert.equal(r.status, 400);
    assert.match(r.body.error!.message, /`stop` has 5 entries; at most 4/);
    for (const [extra, param] of [[{ n: 99 }, "n"], [{ temperature: -1 }, "temperature"], [{ top_p: 0 }, "top_p"], [{ seed: 1.5 }, "seed"], [{ max_tokens: "x" }, "max_tokens"], [{ messages: [] }, "messages"], [{ messages: [{ role: "tool", content: "x" }] }, "messages[0].role"], [{ top_logprobs: 3 }, "top_logprobs"]] as const) {
        r = await chat("base", extra);
        assert.equal(r.status, 400, JSON.stringify(extra));
        assert.equal((r.body.error as unknown as { param: string }).param, param);
    }
    r = await post("/v1/completions", { model: "base", prompt: [1, 2, 99999] });
    assert.equal(r.status, 400);
    assert.match(r.body.error!.message, /token 99999 is not a token id/);
    const nf = await fetch(url + "/v1/nothing");
    assert.equal(nf.status, 404);
    assert.ok(((await nf.json()) as { error: unknown }).error);
    assert.equal((await chat("base")).status, 200, "still serving");
});

test("LRU: more adapters than --max-active-adapters are loaded and evicted; replies stay the same", async () => {
    const ask = async (m: string) => (await chat(m, { temperature: 0, max_tokens: 4 })).body.choices;
    const first = await ask("base+organisms/quirk_1");
    for (const m of ["base+organisms/quirk_2", "base+organisms/quirk_3", "base+organisms/quirk_4+ia"]) assert.ok(await ask(m));
    assert.deepEqual(await ask("base+organisms/quirk_1"), first, "reloaded after eviction, same reply");
    const h = await (await fetch(url + "/health")).json() as { adapters: { active: number; evictions: number; loads: number } };
    assert.ok(h.adapters.active <= 2, JSON.stringify(h.adapters));
    assert.ok(h.adapters.evictions >= 3, JSON.stringify(h.adapters));
});

test("a storm beyond the limits gets 429s, never crashes, and the server keeps serving", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => chat(i % 2 ? "base+ia" : "base+organisms/quirk_1", { max_tokens: 8 })));
    const codes = results.map((r) => r.status);
    assert.ok(codes.every((c) => c === 200 || c === 429), codes.join(","));
    assert.ok(codes.includes(429), "beyond the queue limit: 429");
    assert.ok(codes.includes(200));
    const limited = results.find((r) => r.status === 429)!;
    assert.equal(limited.body.error!.type, "rate_limit_error");
    const again = await chat("base+ia");
    assert.equal(again.status, 200);
    process.stderr.write(`[storm] 40 requests, queue limit 4: ${codes.filter((c) => c === 200).length} served, ${codes.filter((c) => c === 429).length} × 429\n`);
});

test("a client that disconnects mid-stream: its rows stop, the other streams finish", async () => {
    const { server, url } = await startServer(w); // default limits: room for long replies
    after(() => server.close());
    const chat = (model: string) => post2(url, model);
    const body = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 200, temperature: 0, stream: true, ignore_eos: true });
    const before = server.ctx.scheduler.stats.cancelledRows;
    const leaver = new AbortController();
    const opts = (model: string, signal?: AbortSignal) => ({ method: "POST", headers: { "content-type": "application/json" }, body: body(model), signal });
    const [left, stayed] = await Promise.all([fetch(url + "/v1/chat/completions", opts("base+ia", leaver.signal)), fetch(url + "/v1/chat/completions", opts("base+organisms/quirk_2"))]);
    const reader = left.body!.getReader();
    await reader.read(); // the first chunk arrived: the batch is running
    leaver.abort();
    const text = await stayed.text();
    assert.equal(stayed.status, 200, text);
    const events = text.split("\n\n").filter((e) => e.startsWith("data: "));
    assert.equal(events.at(-1), "data: [DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    assert.equal(chunks.at(-1).choices[0].finish_reason, "length");
    assert.ok(server.ctx.scheduler.stats.cancelledRows > before, "the leaver's row was cancelled");
    assert.equal((await chat("base")).status, 200);
});

async function post2(url: string, model: string) {
    const r = await fetch(url + "/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 2 }) });
    await r.text();
    return { status: r.status };
}
