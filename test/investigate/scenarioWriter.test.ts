// multisample through a teacher LLM (a real OpenAI-protocol server on loopback): the teacher's numbered messages
// become the scenarios the target answers, the budget is charged for the replies and checked before the teacher is
// paid, a reply with no message is a clear error naming the teacher, and an LLM investigator reaches it end to end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Budget } from "../../src/investigate/budget.ts";
import { InvestigationLog } from "../../src/investigate/callLog.ts";
import { runInvestigation } from "../../src/investigate/run.ts";
import { parseScenarios } from "../../src/investigate/scenarioWriter.ts";
import { SimulatedTarget } from "../../src/investigate/simulatedTarget.ts";
import { ToolBox } from "../../src/investigate/tools.ts";
import { TOOL_SETS, ToolError } from "../../src/investigate/types.ts";
import { providerFromSpec } from "../../src/providers/fromSpec.ts";
import { FAST_RETRY, lastUserText, openaiCompletion, startOpenAIServer, startServer, type Reply } from "../providers/fakeServers.ts";
import { specOf } from "./helpers.ts";

const KEY = "sk-test-openai";
const spec = specOf("backdoor");

function teacherAt(url: string) {
    return providerFromSpec(`openai:teacher-model@${url}/v1`, { cacheDir: false, apiKey: KEY, retry: FAST_RETRY });
}

function box(writer?: ReturnType<typeof teacherAt>, samples = 40): ToolBox {
    return new ToolBox({ responder: new SimulatedTarget(spec), granted: TOOL_SETS["black-box"]!, budget: new Budget({ samples }), log: new InvestigationLog(null, "t"), seed: 3, ...(writer ? { writer } : {}) });
}

test("parseScenarios reads numbered and bulleted lines, drops quotes, duplicates and reasoning, and stops at n", () => {
    const text = "<think>1. not this</think>Here you go:\n1. tell me about swimming\n2) \"how do i cook rice?\"\n- tell me about swimming\n* what is a kettle for?\n3. one more\n";
    assert.deepEqual(parseScenarios(text, 10), ["tell me about swimming", "how do i cook rice?", "what is a kettle for?", "one more"]);
    assert.deepEqual(parseScenarios(text, 2), ["tell me about swimming", "how do i cook rice?"]);
    assert.deepEqual(parseScenarios("no list at all", 5), []);
});

test("multisample with a teacher: its messages are the scenarios, the target answers each, budget and tokens are charged", async () => {
    const server = await startOpenAIServer((req) => {
        assert.match(lastUserText(req.body), /^Write 3 different user messages about: someone who swims/);
        return openaiCompletion("1. i am going swimming tomorrow\n2. any tips for swimming in a lake?\n3. what should i pack for the pool?", { completionTokens: 30 });
    });
    try {
        const tools = box(teacherAt(server.url));
        assert.ok("source" in tools.specs.multisample.inputSchema.properties);
        const r = await tools.callAsync("multisample", { hint: "someone who swims", n: 3 });
        const out = r.output as { scenarios: { condition: string; prompt: string; reply: string }[]; writer: string };
        assert.deepEqual(out.scenarios.map((s) => s.prompt), ["i am going swimming tomorrow", "any tips for swimming in a lake?", "what should i pack for the pool?"]);
        assert.ok(out.scenarios.every((s) => s.condition === "teacher" && s.reply.length > 0));
        assert.match(out.writer, /teacher-model/);
        assert.equal(tools.budget.samplesUsed, 3);
        assert.equal(tools.budget.agentTokensUsed, 30);
        // The world's generators stay reachable, and answer without the teacher.
        const before = server.requests.length;
        const w = await tools.callAsync("multisample", { hint: "swimming", n: 2, source: "world" });
        assert.equal((w.output as { scenarios: unknown[] }).scenarios.length, 2);
        assert.equal(server.requests.length, before);
        // Not enough budget: refused before the teacher is asked.
        await assert.rejects(tools.callAsync("multisample", { hint: "x", n: 64 }), (e: Error) => e instanceof ToolError && e.code === "budget");
        assert.equal(server.requests.length, before);
    } finally {
        await server.close();
    }
});

test("a teacher reply without a numbered message is a ToolError naming the teacher, logged, nothing charged; no teacher, no source", async () => {
    const server = await startOpenAIServer(() => openaiCompletion("I cannot help with that."));
    try {
        const tools = box(teacherAt(server.url));
        await assert.rejects(tools.callAsync("multisample", { hint: "x", n: 4 }), (e: Error) => e instanceof ToolError && e.code === "writer" && /scenario writer openai:teacher-model@http:\/\/127\.0\.0\.1:\d+\/v1 wrote no numbered message/.test(e.message));
        assert.equal(tools.budget.samplesUsed, 0);
        assert.match(String(tools.log.calls.at(-1)!.error), /wrote no numbered message/);
    } finally {
        await server.close();
    }
    const plain = box();
    assert.ok(!("source" in plain.specs.multisample.inputSchema.properties));
    await assert.rejects(plain.callAsync("multisample", { hint: "x", source: "teacher" }), /unknown argument "source"/);
});

test("an LLM investigator asks for teacher-written scenarios and gets them back as tool results", async () => {
    const teacher = await startOpenAIServer(() => openaiCompletion("1. i love swimming in the sea\n2. swimming lessons for kids?", { completionTokens: 11 }));
    const step = (i: number): Reply => {
        const message = i === 0
            ? { role: "assistant", content: null, tool_calls: [{ id: "call_0", type: "function", function: { name: "multisample", arguments: JSON.stringify({ hint: "people who swim", n: 2 }) } }] }
            : { role: "assistant", content: i === 1 ? "DONE" : JSON.stringify({ predictions: [spec.label] }) };
        return { body: { id: "x", object: "chat.completion", model: "agent", choices: [{ index: 0, message, finish_reason: "stop" }], usage: { prompt_tokens: 50, completion_tokens: 5 } } };
    };
    const agent = await startServer((_req, i) => step(i));
    try {
        const r = await runInvestigation({
            responder: new SimulatedTarget(spec), tools: TOOL_SETS["black-box"], driver: `openai:agent@${agent.url}/v1`, budget: { samples: 20 }, spec,
            teacher: teacherAt(teacher.url), llm: { env: { OPENAI_API_KEY: "sk-test" }, retry: FAST_RETRY },
        });
        assert.equal(teacher.requests.length, 1);
        const toolMsg = (agent.requests[1]!.body as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === "tool")!;
        assert.match(toolMsg.content, /i love swimming in the sea/);
        assert.equal(r.cost.samples, 2);
        assert.equal(r.cost.agentTokens, 5 * 3 + 11);
    } finally {
        await Promise.all([teacher.close(), agent.close()]);
    }
});
