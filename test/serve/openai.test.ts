// The official `openai` client against a real `ia serve` server on loopback: every endpoint, streamed and not,
// adapter stacks in the model string and in the extra `adapters` field, n / temperature / top_p / max_tokens /
// stop / seed / logprobs, and the API key.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import type { Server } from "../../src/serve/server.ts";
import { makeWorld, startServer } from "./fixture.ts";

let server: Server, client: OpenAI;

before(async () => {
    const s = await startServer(makeWorld());
    server = s.server;
    client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
after(() => server.close());

const user = (content: string) => [{ role: "user" as const, content }];

test("models: the base and every adapter under the roots; retrieve resolves a stack", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes("base"));
    for (const id of ["base+ia", "base+organisms/quirk_1", "base+organisms/quirk_4"]) assert.ok(ids.includes(id), id);
    assert.ok(!ids.some((id) => id.includes("secret") || id.includes("escape")), "nothing outside the root is listed");
    const m = await client.models.retrieve("base+organisms/quirk_2+ia:0.5");
    assert.equal(m.id, "base+organisms/quirk_2+ia:0.5");
});

test("chat: n, seed, max_tokens, usage; greedy is the same streamed and not", async () => {
    const a = await client.chat.completions.create({ model: "base+organisms/quirk_1+ia", messages: user("where is the lighthouse?"), n: 3, max_tokens: 8, temperature: 1, seed: 5, ignore_eos: true } as never) as OpenAI.ChatCompletion;
    assert.equal(a.object, "chat.completion");
    assert.equal(a.model, "base+organisms/quirk_1+ia");
    assert.equal(a.choices.length, 3);
    assert.equal(a.usage?.completion_tokens, 24);
    for (const c of a.choices) assert.equal(c.finish_reason, "length");
    const b = await client.chat.completions.create({ model: "base+organisms/quirk_1+ia", messages: user("where is the lighthouse?"), n: 3, max_tokens: 8, temperature: 1, seed: 5, ignore_eos: true } as never) as OpenAI.ChatCompletion;
    assert.deepEqual(b.choices.map((c) => c.message.content), a.choices.map((c) => c.message.content), "same seed, same samples");

    const greedy = await client.chat.completions.create({ model: "base+ia", messages: user("hello"), max_tokens: 12, temperature: 0 });
    const stream = await client.chat.completions.create({ model: "base+ia", messages: user("hello"), max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = "", finish: string | null = null, usage = null;
    for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const c = chunk.choices[0];
        if (!c) continue;
        text += c.delta.content ?? "";
        if (c.finish_reason) finish = c.finish_reason;
    }
    assert.equal(text, greedy.choices[0]!.message.content);
    assert.equal(finish, greedy.choices[0]!.finish_reason);
    assert.deepEqual(usage, greedy.usage);
});

test("chat: logprobs with top_logprobs; top_p; the adapters field equals the model string; scale 0 is the base", async () => {
    const r = await client.chat.completions.create({ model: "base+organisms/quirk_2", messages: user("hi"), max_tokens: 5, temperature: 0.8, top_p: 0.9, logprobs: true, top_logprobs: 3, ignore_eos: true } as never) as OpenAI.ChatCompletion;
    const lp = r.choices[0]!.logprobs!.content!;
    assert.equal(lp.length, 5);
    for (const t of lp) {
        assert.ok(t.logprob <= 0 && Number.isFinite(t.logprob));
        assert.equal(t.top_logprobs.length, 3);
        assert.ok(t.top_logprobs[0]!.logprob >= t.top_logprobs[2]!.logprob);
    }
    const ask = async (model: string, extra: object = {}) =>
        ((await client.chat.completions.create({ model, messages: user("tell me about the river"), max_tokens: 10, temperature: 0, ...extra } as never)) as OpenAI.ChatCompletion).choices[0]!.message.content;
    const viaString = await ask("base+organisms/quirk_3+ia:0.5");
    assert.equal(await ask("base", { adapters: ["organisms/quirk_3", { name: "ia", scale: 0.5 }] }), viaString);
    assert.equal(await ask("base+organisms/quirk_3", { adapters: ["ia:0.5"] }), viaString);
    assert.equal(await ask("base+ia:0"), await ask("base"));
    assert.notEqual(await ask("base+organisms/quirk_3:3"), await ask("base"), "an adapter changes the reply");
});

test("completions: prompts × n, stop strings, logprobs; streamed equals not streamed", async () => {
    const full = await client.completions.create({ model: "base+ia", prompt: "the river", max_tokens: 16, temperature: 0, ignore_eos: true } as never) as OpenAI.Completion;
    const text = full.choices[0]!.text;
    assert.equal(full.object, "text_completion");
    assert.equal(full.choices[0]!.finish_reason, "length");
    // A stop string taken from the middle of the greedy reply cuts it there.
    const m = /[A-Za-z]{2}/.exec(text.slice(2));
    if (m) {
        const stop = m[0];
        const cut = await client.completions.create({ model: "base+ia", prompt: "the river", max_tokens: 16, temperature: 0, stop: [stop, "zzzz"], ignore_eos: true } as never) as OpenAI.Completion;
        assert.equal(cut.choices[0]!.text, text.slice(0, text.indexOf(stop)));
        assert.equal(cut.choices[0]!.finish_reason, "stop");
    }
    const many = await client.completions.create({ model: "base+organisms/quirk_1", prompt: ["a", "the river"], n: 2, max_tokens: 4, temperature: 0, logprobs: 2, ignore_eos: true } as never) as OpenAI.Completion;
    assert.equal(many.choices.length, 4);
    assert.deepEqual(many.choices.map((c) => c.index), [0, 1, 2, 3]);
    assert.equal(many.choices[0]!.text, many.choices[1]!.text, "greedy samples of one prompt agree");
    const lp = many.choices[2]!.logprobs!;
    assert.equal(lp.tokens!.length, 4);
    assert.equal(lp.token_logprobs!.length, 4);
    assert.equal(Object.keys(lp.top_logprobs![0]!).length <= 2, true);
    assert.equal(lp.tokens!.join(""), many.choices[2]!.text);

    const stream = await client.completions.create({ model: "base+ia", prompt: "the river", max_tokens: 16, temperature: 0, stream: true, ignore_eos: true } as never) as unknown as AsyncIterable<OpenAI.Completion>;
    let streamed = "", finish = null;
    for await (const chunk of stream) {
        streamed += chunk.choices[0]?.text ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(streamed, text);
    assert.equal(finish, "length");
});

test("API key: required when configured (401 without or with a wrong one)", async () => {
    const s = await startServer(makeWorld(), { apiKey: "sekret" });
    try {
        const bad = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: "wrong", maxRetries: 0 });
        await assert.rejects(bad.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError && /API key/.test((e as Error).message));
        const good = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: "sekret", maxRetries: 0 });
        const r = await good.chat.completions.create({ model: "base", messages: user("hi"), max_tokens: 2 });
        assert.equal(r.choices.length, 1);
        const health = await fetch(`${s.url}/health`);
        assert.equal(health.status, 200, "health needs no key");
    } finally {
        await s.server.close();
    }
});
