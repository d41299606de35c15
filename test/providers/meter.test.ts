import { test, after } from "node:test";
import assert from "node:assert/strict";
import { CostMeter, withMeter } from "../../src/providers/meter.ts";
import { ResponseCache, withCache } from "../../src/providers/cache.ts";
import { OpenAICompatibleProvider } from "../../src/providers/openaiCompatible.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { DEFAULT_PRICES, costUsd, priceFor } from "../../src/providers/prices.ts";
import { FAST_RETRY, anthropicMessage, openaiCompletion, startAnthropicServer, startOpenAIServer, type FakeServer } from "./fakeServers.ts";
import { tempDir } from "../helpers/tempDir.ts";

const servers: FakeServer[] = [];
after(async () => {
    await Promise.all(servers.map((s) => s.close()));
});
const q = (content: string) => ({ messages: [{ role: "user" as const, content }], temperature: 0 });

test("priceFor matches exact ids and dated variants, never looser prefixes", () => {
    assert.equal(priceFor("gpt-4o-mini"), DEFAULT_PRICES["gpt-4o-mini"]);
    assert.equal(priceFor("gpt-4o-mini-2024-07-18"), DEFAULT_PRICES["gpt-4o-mini"]);
    assert.equal(priceFor("gpt-4o-2024-08-06"), DEFAULT_PRICES["gpt-4o"]);
    assert.equal(priceFor("claude-sonnet-4-20250514"), DEFAULT_PRICES["claude-sonnet-4"]);
    assert.equal(priceFor("claude-sonnet-4-5-20250929"), DEFAULT_PRICES["claude-sonnet-4-5"]);
    assert.equal(priceFor("claude-3-5-haiku-latest"), DEFAULT_PRICES["claude-3-5-haiku"]);
    assert.equal(priceFor("claude-sonnet-4-finetune"), undefined);
    assert.equal(priceFor("Qwen/Qwen3-8B"), undefined);
    for (const [model, p] of Object.entries(DEFAULT_PRICES)) {
        assert.ok(p.source.startsWith("https://") && /^\d{4}-\d{2}$/.test(p.asOf), `${model} must document its source`);
    }
    assert.equal(costUsd("gpt-4o-mini", 1_000_000, 1_000_000), 0.75);
});

test("meter totals across providers, with cache hits free and unknown models unpriced", async () => {
    const oa = await startOpenAIServer((_, i) => openaiCompletion(`r${i}`, { model: "gpt-4o-mini-2024-07-18", promptTokens: 1000, completionTokens: 200 }));
    const local = await startOpenAIServer(() => openaiCompletion("local", { model: "Qwen/Qwen3-8B", promptTokens: 50, completionTokens: 10 }), { apiKey: null });
    const an = await startAnthropicServer(() => anthropicMessage("c", { model: "claude-sonnet-4-5-20250929", inputTokens: 2000, outputTokens: 100 }));
    servers.push(oa, local, an);
    const dir = tempDir("ia-meter-test");
    const meter = new CostMeter();
    const openai = withMeter(withCache(new OpenAICompatibleProvider({ model: "gpt-4o-mini", baseUrl: `${oa.url}/v1`, apiKey: "sk-test-openai", retry: FAST_RETRY }), new ResponseCache(dir)), meter);
    const qwen = withMeter(new OpenAICompatibleProvider({ model: "Qwen/Qwen3-8B", baseUrl: `${local.url}/v1`, env: {}, retry: FAST_RETRY }), meter);
    const claude = withMeter(new AnthropicProvider({ model: "claude-sonnet-4-5", baseUrl: an.url, apiKey: "sk-ant-test", retry: FAST_RETRY }), meter);

    await openai.complete(q("one"));
    await openai.complete(q("two"));
    await openai.complete(q("one")); // cache hit
    await claude.complete(q("three"));
    await qwen.complete(q("four"));
    assert.equal(oa.requests.length, 2);

    const rows = meter.rows();
    const byModel = Object.fromEntries(rows.map((r) => [r.model, r]));
    assert.deepEqual(byModel["gpt-4o-mini-2024-07-18"], {
        model: "gpt-4o-mini-2024-07-18",
        calls: 2,
        inputTokens: 2000,
        outputTokens: 400,
        cachedCalls: 1,
        cachedInputTokens: 1000,
        cachedOutputTokens: 200,
        costUsd: (2000 * 0.15 + 400 * 0.6) / 1e6,
    });
    assert.equal(byModel["claude-sonnet-4-5-20250929"]!.costUsd, (2000 * 3 + 100 * 15) / 1e6);
    assert.equal(byModel["Qwen/Qwen3-8B"]!.costUsd, null);
    assert.equal(byModel["Qwen/Qwen3-8B"]!.inputTokens, 50);

    const t = meter.totals();
    assert.equal(t.calls, 4);
    assert.equal(t.cachedCalls, 1);
    assert.equal(t.inputTokens, 2000 + 2000 + 50);
    assert.equal(t.outputTokens, 400 + 100 + 10);
    assert.ok(Math.abs(t.costUsd - ((2000 * 0.15 + 400 * 0.6) / 1e6 + (2000 * 3 + 100 * 15) / 1e6)) < 1e-12);
    assert.deepEqual(t.unpricedModels, ["Qwen/Qwen3-8B"]);

    const summary = meter.summary();
    assert.match(summary, /^model\s+calls\s+in tok\s+out tok\s+cached\s+cost USD$/m);
    assert.match(summary, /Qwen\/Qwen3-8B\s+1\s+50\s+10\s+0\s+n\/a/);
    assert.match(summary, /TOTAL\s+4\s+4050\s+510\s+1\s+\$0\.0080\+/);
    assert.match(summary, /no price for Qwen\/Qwen3-8B/);
});

test("a custom price table overrides the default", () => {
    const meter = new CostMeter({ prices: { "my-model": { inputPerMTok: 1, outputPerMTok: 2, source: "https://example.com", asOf: "2026-01" } } });
    meter.record({ model: "my-model", usage: { inputTokens: 1_000_000, outputTokens: 500_000 }, cached: false });
    meter.record({ model: "gpt-4o", usage: { inputTokens: 10, outputTokens: 10 }, cached: false });
    assert.equal(meter.rows().find((r) => r.model === "my-model")!.costUsd, 2);
    assert.equal(meter.rows().find((r) => r.model === "gpt-4o")!.costUsd, null);
});
