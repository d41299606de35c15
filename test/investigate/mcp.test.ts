// The MCP server as any MCP client sees it: the SDK's own client spawns the real CLI (`bin/ia mcp`) over stdio
// on the test preset's tiny base with a fresh adapter as the target, lists the tools, calls them, and gets clear
// errors for unknown tools, bad and oversized arguments and an exhausted budget; every call lands in the log.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { buildBase } from "../../src/base/buildBase.ts";
import { initEngine } from "../../src/engine/runtime.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { saveAdapter } from "../../src/lora/peft.ts";
import { readModelConfig } from "../../src/model/config.ts";
import { openaiCompletion, startOpenAIServer } from "../providers/fakeServers.ts";
import { tempDir } from "../helpers/tempDir.ts";

const root = path.resolve(import.meta.dirname, "../..");
const tmp = tempDir("ia-mcp");
const base = buildBase({ preset: "test", cacheDir: path.join(tmp, "cache"), quiet: true }).dir;
initEngine();
const config = readModelConfig(path.join(base, "config.json"));
const adapterDir = path.join(tmp, "target");
const adapter = LoraAdapter.create("target", config, { r: 2 });
saveAdapter(adapter, adapterDir);
adapter.dispose();

test("the SDK's client investigates through `ia mcp` over stdio", async () => {
    const logDir = path.join(tmp, "log");
    const transport = new StdioClientTransport({
        command: path.join(root, "bin/ia"),
        args: ["mcp", "--base", base, "--target-adapter", adapterDir, "--budget", "10", "--log", logDir],
        env: { ...process.env, IA_THREADS: "1" } as Record<string, string>,
        stderr: "pipe",
    });
    const client = new Client({ name: "test-client", version: "1.0.0" });
    await client.connect(transport);
    try {
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((t) => t.name), ["sample", "prefill", "multisample", "compare_to_base", "summarize"]);
        const s = await client.callTool({ name: "sample", arguments: { prompt: "what color is the fox?" } });
        assert.ok(!s.isError);
        const out = JSON.parse((s.content as { text: string }[])[0]!.text);
        assert.equal(typeof out.reply, "string");
        assert.equal(out.conversation_id, "c1");
        assert.equal((s.structuredContent as { samples_left: number }).samples_left, 9);
        const m = await client.callTool({ name: "multisample", arguments: { hint: "subject:arithmetic", n: 3 } });
        assert.equal(JSON.parse((m.content as { text: string }[])[0]!.text).scenarios.length, 3);
        const errorText = async (name: string, args: Record<string, unknown>) => {
            const r = await client.callTool({ name, arguments: args });
            assert.equal(r.isError, true, name);
            return (r.content as { text: string }[])[0]!.text;
        };
        assert.match(await errorText("steer", {}), /unknown_tool.*unknown tool "steer"/);
        assert.match(await errorText("ia_reports", {}), /not granted/);
        assert.match(await errorText("sample", { prompt: "x".repeat(3000) }), /3000 characters, more than the limit of 2000/);
        assert.match(await errorText("compare_to_base", { prompts: Array.from({ length: 40 }, () => "y".repeat(1900)) }), /more than the limit of 64000/);
        assert.match(await errorText("multisample", { n: 9 }), /budget exhausted: multisample needs 9 model replies but only 6/);
    } finally {
        await client.close();
    }
    const calls = fs.readFileSync(path.join(logDir, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(calls.map((c) => c.tool), ["sample", "multisample", "steer", "ia_reports", "sample", "multisample"]);
    assert.ok(calls[0].tokens.completion > 0);
});

test("with --teacher, multisample's scenarios come from the teacher LLM (a real OpenAI-protocol server on loopback)", async () => {
    const teacher = await startOpenAIServer(() => openaiCompletion("1. what color is the fox?\n2. where does the owl live?"), { apiKey: null });
    const transport = new StdioClientTransport({
        command: path.join(root, "bin/ia"),
        args: ["mcp", "--base", base, "--target-adapter", adapterDir, "--budget", "10", "--teacher", `openai:teacher@${teacher.url}/v1`],
        env: { ...process.env, IA_THREADS: "1" } as Record<string, string>,
        cwd: tmp, // the provider's response cache goes under the working folder
        stderr: "pipe",
    });
    const client = new Client({ name: "test-client", version: "1.0.0" });
    await client.connect(transport);
    try {
        const { tools } = await client.listTools();
        assert.ok("source" in ((tools.find((t) => t.name === "multisample")!.inputSchema.properties ?? {}) as object));
        const m = await client.callTool({ name: "multisample", arguments: { hint: "animals and where they live", n: 2 } });
        assert.ok(!m.isError, JSON.stringify(m.content));
        const out = JSON.parse((m.content as { text: string }[])[0]!.text) as { scenarios: { prompt: string; condition: string }[] };
        assert.deepEqual(out.scenarios.map((s) => s.prompt), ["what color is the fox?", "where does the owl live?"]);
        assert.equal(teacher.requests.length, 1);
        assert.match(JSON.stringify(teacher.requests[0]!.body), /animals and where they live/);
    } finally {
        await client.close();
        await teacher.close();
    }
});
