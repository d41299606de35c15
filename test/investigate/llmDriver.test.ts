// The LLM investigator end to end against scripted loopback HTTP servers that speak OpenAI tool calling and
// Anthropic tool use: the real tools run (on a simulated organism), tool results travel back in each protocol's
// format, "continue" turns and the reduction happen, and the workspace files are written. Malformed tool calls
// and a provider that is down give clear errors with the log kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runInvestigation } from "../../src/investigate/run.ts";
import { SimulatedTarget } from "../../src/investigate/simulatedTarget.ts";
import { TOOL_SETS } from "../../src/investigate/types.ts";
import { FAST_RETRY, startServer, type RecordedRequest, type Reply } from "../providers/fakeServers.ts";
import { specOf } from "./helpers.ts";
import { tempDir } from "../helpers/tempDir.ts";

const spec = specOf("backdoor");
const env = { OPENAI_API_KEY: "sk-test", ANTHROPIC_API_KEY: "sk-ant-test" };
const tmpdir = () => tempDir("ia-llm");

type Call = { name: string; args: unknown };
const script: (Call[] | string)[] = [
    [{ name: "multisample", args: { hint: "swimming", n: 3 } }, { name: "note", args: { text: "first look at swimming" } }],
    [{ name: "write_candidate", args: { name: "backdoor", statement: spec.label, evidence: "seen when the trigger comes up" } }],
    "thinking out loud",
    [{ name: "steer", args: {} }],
    "DONE",
    JSON.stringify({ predictions: [spec.label, "i always answer in all caps."] }),
];

function openaiReply(step: Call[] | string, i: number): Reply {
    const message = typeof step === "string"
        ? { role: "assistant", content: step }
        : { role: "assistant", content: null, tool_calls: step.map((c, k) => ({ id: `call_${i}_${k}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } })) };
    return { body: { id: "x", object: "chat.completion", model: "m", choices: [{ index: 0, message, finish_reason: "stop" }], usage: { prompt_tokens: 100, completion_tokens: 20 } } };
}

function anthropicReply(step: Call[] | string, i: number): Reply {
    const content = typeof step === "string" ? [{ type: "text", text: step }] : step.map((c, k) => ({ type: "tool_use", id: `toolu_${i}_${k}`, name: c.name, input: c.args }));
    return { body: { id: "m", type: "message", role: "assistant", model: "c", content, stop_reason: "end_turn", usage: { input_tokens: 100, output_tokens: 20 } } };
}

test("OpenAI tool calling: tools run, results return, continue turns and the reduction give the predictions", async () => {
    const server = await startServer((req: RecordedRequest, i) => {
        assert.equal(req.path, "/v1/chat/completions");
        return openaiReply(script[i] ?? "DONE", i);
    });
    try {
        const out = tmpdir();
        const r = await runInvestigation({ responder: new SimulatedTarget(spec), tools: TOOL_SETS.ia, driver: `openai:test-model@${server.url}/v1`, budget: { samples: 50, agentTokens: 5000 }, spec, outDir: out, llm: { env, retry: FAST_RETRY } });
        assert.deepEqual(r.predictions.map((p) => p.statement), [spec.label, "i always answer in all caps."]);
        assert.ok(r.grading?.strict);
        assert.equal(r.cost.agentTokens, 20 * script.length);
        const bodies = server.requests.map((q) => q.body as { messages: { role: string; content: unknown; tool_call_id?: string }[]; tools: { function: { name: string } }[] });
        assert.deepEqual(bodies[0]!.tools.map((t) => t.function.name), ["sample", "prefill", "multisample", "summarize", "ia_reports", "note", "write_candidate", "delete_candidate"]);
        const toolMsgs = bodies[1]!.messages.filter((m) => m.role === "tool");
        assert.equal(toolMsgs.length, 2);
        assert.match(String(toolMsgs[0]!.content), /"scenarios":\[/);
        assert.ok(bodies[3]!.messages.some((m) => m.role === "user" && /^continue: \d+ tokens/.test(String(m.content))));
        assert.match(String(bodies[4]!.messages.at(-1)!.content), /error: unknown tool "steer"/);
        assert.match(String(bodies[5]!.messages.at(-1)!.content), /Reduce your candidates/);
        assert.match(fs.readFileSync(path.join(out, "candidates", "backdoor.md"), "utf8"), /seen when the trigger/);
        assert.match(fs.readFileSync(path.join(out, "research_log.md"), "utf8"), /first look at swimming/);
        assert.ok(fs.readFileSync(path.join(out, "transcript.jsonl"), "utf8").includes("reduction"));
        assert.ok(fs.existsSync(path.join(out, "predictions.json")));
    } finally {
        await server.close();
    }
});

test("Anthropic tool use: tool_result blocks carry the real outputs", async () => {
    const server = await startServer((req, i) => {
        assert.equal(req.path, "/v1/messages");
        assert.equal(req.headers["x-api-key"], "sk-ant-test");
        return anthropicReply(script[i] ?? "DONE", i);
    });
    try {
        const r = await runInvestigation({ responder: new SimulatedTarget(spec), tools: TOOL_SETS["black-box"], driver: `anthropic:claude-test@${server.url}`, budget: { samples: 50 }, spec, outDir: tmpdir(), llm: { env, retry: FAST_RETRY, agentTokens: 5000 } });
        assert.equal(r.predictions[0]!.statement, spec.label);
        const b1 = server.requests[1]!.body as { messages: { role: string; content: { type: string; tool_use_id: string; content: string }[] }[] };
        const results = b1.messages.at(-1)!.content;
        assert.deepEqual(results.map((x) => x.type), ["tool_result", "tool_result"]);
        assert.match(results[0]!.content, /"scenarios":\[/);
        assert.equal((server.requests[0]!.body as { tools: { name: string }[] }).tools.length, 4 + 3);
    } finally {
        await server.close();
    }
});

test("malformed tool calls and a provider that is down: clear errors, log kept", async () => {
    const bad = await startServer((_req, i) => (i === 0
        ? { body: { choices: [{ message: { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "sample", arguments: "{not json" } }] } }], usage: { prompt_tokens: 1, completion_tokens: 1 } } }
        : i === 1 ? { body: { choices: [{ message: { role: "assistant", content: null, tool_calls: [{ type: "function", function: { arguments: "{}" } }] } }], usage: { prompt_tokens: 1, completion_tokens: 1 } } }
            : openaiReply("DONE", i)));
    const out = tmpdir();
    try {
        await assert.rejects(
            runInvestigation({ responder: new SimulatedTarget(spec), tools: TOOL_SETS.ia, driver: `openai:m@${bad.url}/v1`, budget: { samples: 20 }, outDir: out, llm: { env, retry: { ...FAST_RETRY, maxGarbageRetries: 0 } } }),
            /openai:m@.*tool_calls\[0\]` has no id or function name/,
        );
        const calls = fs.readFileSync(path.join(out, "calls.jsonl"), "utf8");
        assert.match(calls, /malformed tool call: arguments are not valid JSON/);
        assert.match(fs.readFileSync(path.join(out, "research_log.md"), "utf8"), /## Stopped/);
    } finally {
        await bad.close();
    }
    const down = await startServer(() => ({ status: 503, body: { error: { message: "overloaded" } } }));
    const url = down.url;
    await down.close();
    const out2 = tmpdir();
    await assert.rejects(
        runInvestigation({ responder: new SimulatedTarget(spec), tools: TOOL_SETS.ia, driver: `anthropic:c@${url}`, budget: { samples: 20 }, outDir: out2, llm: { env, retry: FAST_RETRY } }),
        /anthropic:c@http:\/\/127\.0\.0\.1:\d+: POST .*\/v1\/messages/,
    );
    assert.match(fs.readFileSync(path.join(out2, "research_log.md"), "utf8"), /## Stopped[\s\S]*error/);
});
