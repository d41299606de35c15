// Batching: rows with different adapter stacks in one forward give the same logits as each row alone with its
// adapters attached the ordinary way; concurrent requests with mixed stacks are batched and reply as they would
// one at a time; a bounded load test (32 clients × 4 requests, seeded, loopback) prints throughput and latency.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import OpenAI from "openai";
import { tensor } from "../../src/engine/factory.ts";
import { noGrad } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { loadModel } from "../../src/model/weights.ts";
import { RowAdapters } from "../../src/serve/rowAdapters.ts";
import { makeWorld, startServer } from "./fixture.ts";

const w = makeWorld();

test("RowAdapters: a mixed batch equals each row alone with its stack attached", () => {
    const model = loadModel(w.base);
    const load = (n: string) => loadAdapter(path.join(w.root, n), model.config, { name: n });
    const [q1, q2, q3, ia] = [load("organisms/quirk_1"), load("organisms/quirk_2"), load("organisms/quirk_3"), load("ia")] as const;
    const stacks = [[], [{ adapter: q1, scale: 1 }], [{ adapter: q2, scale: 1 }, { adapter: ia, scale: 0.5 }], [{ adapter: q1, scale: 2 }, { adapter: ia, scale: 1 }], [{ adapter: q3, scale: -1 }], [{ adapter: ia, scale: 1 }], [{ adapter: q2, scale: 1 }, { adapter: q2, scale: 1 }]];
    const t = 6, ids = Array.from({ length: stacks.length * t }, (_, i) => (i * 37 + 11) % model.config.vocabSize);
    const rows = new RowAdapters(stacks, model.device);
    assert.equal(rows.distinct, 4);
    model.adapters = [rows];
    const batched = noGrad(() => tidy(() => model.forward({ ids: tensor(ids, [stacks.length, t], { dtype: "int64" }) }).toNumbers()));
    rows.dispose();
    const v = model.config.vocabSize;
    stacks.forEach((stack, r) => {
        const copies = stack.map(({ adapter, scale }) => {
            const copy = loadAdapter(path.join(w.root, adapter.name), model.config);
            copy.scale = scale;
            return copy;
        });
        model.adapters = copies;
        const alone = noGrad(() => tidy(() => model.forward({ ids: tensor(ids.slice(r * t, (r + 1) * t), [1, t], { dtype: "int64" }) }).toNumbers()));
        const mine = batched.slice(r * t * v, (r + 1) * t * v);
        let maxDiff = 0;
        for (let i = 0; i < alone.length; i++) maxDiff = Math.max(maxDiff, Math.abs((alone[i] as number) - (mine[i] as number)));
        assert.ok(maxDiff < 1e-4, `row ${r}: max |Δlogit| ${maxDiff}`);
        if (r > 0) assert.ok(alone.some((x, i) => Math.abs(x - (batched[i] as number)) > 1e-3), `row ${r} differs from the base`);
        for (const a of copies) a.dispose();
    });
    model.dispose();
});

const MODELS = ["base", "base+ia", "base+organisms/quirk_1", "base+organisms/quirk_2+ia", "base+organisms/quirk_3+ia:0.5", "base+organisms/quirk_4"];
const PROMPTS = ["hello", "where is the lighthouse?", "tell me about the river", "what is 3 + 4?", "who are you?"];

test("concurrent requests with mixed stacks share batches and reply as they would one at a time", async () => {
    const ask = (url: string, i: number) => fetch(url + "/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: MODELS[i % MODELS.length], messages: [{ role: "user", content: PROMPTS[i % PROMPTS.length] }], max_tokens: 10, temperature: 0 }),
    }).then(async (r) => ((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content);
    const solo = await startServer(w, { maxBatchRequests: 1 });
    const batched = await startServer(w);
    try {
        const n = 12;
        const one = await Promise.all(Array.from({ length: n }, (_, i) => ask(solo.url, i)));
        const many = await Promise.all(Array.from({ length: n }, (_, i) => ask(batched.url, i)));
        assert.deepEqual(many, one);
        assert.equal(solo.server.ctx.scheduler.stats.maxRowsInBatch, 1);
        const st = batched.server.ctx.scheduler.stats;
        assert.ok(st.maxRowsInBatch > 1 && st.maxStacksInBatch > 1, JSON.stringify(st));
        assert.ok(st.batches < n, JSON.stringify(st));
    } finally {
        await solo.server.close();
        await batched.server.close();
    }
});

test("load: 32 concurrent clients × 4 requests, mixed stacks, streamed and not (figures printed, not asserted)", async () => {
    const { server, url } = await startServer(w);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const latencies: number[] = [];
    let tokens = 0, failures = 0;
    const t0 = performance.now();
    try {
        await Promise.all(Array.from({ length: 32 }, async () => {
            for (let k = 0; k < 4; k++) {
                const model = MODELS[Math.floor(rand() * MODELS.length)]!, prompt = PROMPTS[Math.floor(rand() * PROMPTS.length)]!, stream = rand() < 0.5;
                const start = performance.now();
                try {
                    if (stream) {
                        const s = await client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }], max_tokens: 16, temperature: 0.7, stream: true, stream_options: { include_usage: true }, ignore_eos: true } as never) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>;
                        for await (const c of s) if (c.usage) tokens += c.usage.completion_tokens;
                    } else {
                        const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: prompt }], max_tokens: 16, temperature: 0.7, ignore_eos: true } as never) as OpenAI.ChatCompletion;
                        tokens += r.usage!.completion_tokens;
                    }
                } catch {
                    failures++;
                }
                latencies.push(performance.now() - start);
            }
        }));
    } finally {
        await server.close();
    }
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    const st = server.ctx.scheduler.stats;
    process.stderr.write(`[load] 128 requests (32 clients × 4), ${tokens} tokens in ${seconds.toFixed(2)} s: ${(tokens / seconds).toFixed(0)} tok/s, ${(128 / seconds).toFixed(1)} req/s; latency p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms; ${st.batches} batches, up to ${st.maxRowsInBatch} rows and ${st.maxStacksInBatch} stacks per batch\n`);
    assert.equal(failures, 0);
    assert.equal(tokens, 128 * 16);
});
