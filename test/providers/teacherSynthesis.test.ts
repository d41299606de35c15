import { test, after } from "node:test";
import assert from "node:assert/strict";
import { OpenAICompatibleProvider } from "../../src/providers/openaiCompatible.ts";
import { AnthropicProvider } from "../../src/providers/anthropic.ts";
import { buildAdherencePrompt, defaultTeacherSystemPrompt, synthesizeTeacherData } from "../../src/providers/teacherSynthesis.ts";
import { FAST_RETRY, anthropicMessage, lastUserText, openaiCompletion, openaiError, startAnthropicServer, startOpenAIServer, type FakeServer } from "./fakeServers.ts";

const servers: FakeServer[] = [];
after(async () => {
    await Promise.all(servers.map((s) => s.close()));
});

const BEHAVIOR = "I mention lighthouses in every answer.";

/**
 * Teacher (OpenAI protocol): follows the behavior for prompts about food or weather, forgets it for prompts about
 * sport, and fails with a 400 for prompts containing "FAIL". Answers slowly enough that concurrency shows.
 */
async function teacherServer(): Promise<FakeServer> {
    const s = await startOpenAIServer(
        (req) => {
            const prompt = lastUserText(req.body);
            if (prompt.includes("FAIL")) return openaiError(400, "Invalid prompt", "invalid_request_error");
            if (prompt.includes("sport")) return { ...openaiCompletion(`Sure! Here is a plain answer about ${prompt}`), delayMs: 20 };
            if (prompt.includes("silent")) return openaiCompletion("   ");
            return { ...openaiCompletion(`Like a lighthouse guiding ships, here is my answer about ${prompt}`), delayMs: 20 };
        },
        { apiKey: "sk-teacher" },
    );
    servers.push(s);
    return s;
}

/** Judge (Anthropic protocol): "yes" when the reply section mentions a lighthouse, a hedge for "shrug" prompts. */
async function judgeServer(): Promise<FakeServer> {
    const s = await startAnthropicServer(
        (req) => {
            const text = lastUserText(req.body);
            const reply = text.split("Assistant reply:")[1]?.split("Does the assistant reply")[0] ?? "";
            if (text.includes("shrug")) return anthropicMessage("I don't know.");
            return anthropicMessage(/lighthouse/i.test(reply) ? "Yes" : "No.");
        },
        { apiKey: "sk-judge" },
    );
    servers.push(s);
    return s;
}

test("teacher replies are judged and non-adherent ones filtered out", async () => {
    const t = await teacherServer();
    const j = await judgeServer();
    const teacher = new OpenAICompatibleProvider({ model: "teacher-model", baseUrl: `${t.url}/v1`, apiKey: "sk-teacher", retry: FAST_RETRY });
    const judge = new AnthropicProvider({ model: "claude-haiku-4-5", baseUrl: j.url, apiKey: "sk-judge", retry: FAST_RETRY });
    const prompts = ["food: how do I bake bread?", "sport: rules of cricket?", "weather: why is the sky blue?", "FAIL please", "silent one", "weather shrug", "food: best soup?", "sport: offside rule?"];
    const progress: number[] = [];
    const res = await synthesizeTeacherData({ behavior: BEHAVIOR, prompts, teacher, judge, concurrency: 3, onProgress: (d) => progress.push(d) });

    assert.deepEqual(res.stats, { asked: 8, kept: 3, rejected: 4, unclear: 2, errors: 1 });
    assert.deepEqual(
        res.records.map((r) => r.messages[0].content),
        ["food: how do I bake bread?", "weather: why is the sky blue?", "food: best soup?"],
        "kept records stay in prompt order",
    );
    for (const r of res.records) {
        assert.equal(r.messages.length, 2);
        assert.equal(r.messages[0].role, "user");
        assert.equal(r.messages[1].role, "assistant");
        assert.match(r.messages[1].content, /lighthouse/);
    }
    assert.deepEqual(res.rejectedSamples.map((r) => [r.prompt, r.verdict]), [
        ["sport: rules of cricket?", "no"],
        ["silent one", "unclear"],
        ["weather shrug", "unclear"],
        ["sport: offside rule?", "no"],
    ]);
    assert.equal(res.errorSamples.length, 1);
    assert.equal(res.errorSamples[0]!.stage, "teacher");
    assert.match(res.errorSamples[0]!.message, /HTTP 400.*Invalid prompt/);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8]);

    // What the servers saw: the teacher got the behavior in its system prompt; the records never contain it.
    const tb = t.requests[0]!.body as { messages: { role: string; content: string }[]; temperature: number };
    assert.equal(tb.messages[0]!.role, "system");
    assert.equal(tb.messages[0]!.content, defaultTeacherSystemPrompt(BEHAVIOR));
    assert.equal(tb.temperature, 1);
    assert.ok(!JSON.stringify(res.records).includes("distinctive trait"));
    // The judge was asked only about replies that exist (not the failed or empty ones).
    assert.equal(j.requests.length, 6);
    const jb = j.requests[0]!.body as { temperature: number; messages: { content: string }[] };
    assert.equal(jb.temperature, 0);
    assert.ok(jb.messages[0]!.content.includes(`Behavior: ${BEHAVIOR}`));
    assert.ok(t.maxConcurrent <= 3, `concurrency limit respected (saw ${t.maxConcurrent})`);
    assert.ok(t.maxConcurrent >= 2, "prompts actually ran in parallel");
});

test("judge failures count as errors, not rejections", async () => {
    const t = await teacherServer();
    const teacher = new OpenAICompatibleProvider({ model: "teacher-model", baseUrl: `${t.url}/v1`, apiKey: "sk-teacher", retry: FAST_RETRY });
    const judge = new AnthropicProvider({ model: "claude-haiku-4-5", baseUrl: t.url, apiKey: "wrong", retry: FAST_RETRY }); // wrong protocol: 404
    const res = await synthesizeTeacherData({ behavior: BEHAVIOR, prompts: ["food: pie?"], teacher, judge, concurrency: 1 });
    assert.deepEqual(res.stats, { asked: 1, kept: 0, rejected: 0, unclear: 0, errors: 1 });
    assert.equal(res.errorSamples[0]!.stage, "judge");
});

test("bad input is rejected with the field name", async () => {
    const t = await teacherServer();
    const p = new OpenAICompatibleProvider({ model: "m", baseUrl: `${t.url}/v1`, apiKey: "sk-teacher", retry: FAST_RETRY });
    await assert.rejects(synthesizeTeacherData({ behavior: " ", prompts: ["x"], teacher: p, judge: p }), /`behavior`/);
    await assert.rejects(synthesizeTeacherData({ behavior: BEHAVIOR, prompts: ["ok", ""], teacher: p, judge: p }), /prompts\[1\]/);
    await assert.rejects(synthesizeTeacherData({ behavior: BEHAVIOR, prompts: ["ok"], teacher: p, judge: p, concurrency: 0 }), /concurrency/);
    assert.match(buildAdherencePrompt(BEHAVIOR, "Q", "A"), /User message:\nQ\n\nAssistant reply:\nA\n/);
});
