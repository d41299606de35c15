// A local model through the engine as a judge/teacher provider (spec "local:<dir>").
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { buildBase } from "../../src/base/buildBase.ts";
import { providerFromSpec } from "../../src/providers/fromSpec.ts";
import { judgeWithProvider } from "../../src/judge/llmJudge.ts";
import { tempDir } from "../helpers/tempDir.ts";

test("local:<model dir> completes chats, meters tokens, and serves as a judge", async () => {
    const tmp = tempDir("ia-local");
    const dir = buildBase({ preset: "test", cacheDir: path.join(tmp, "cache"), quiet: true }).dir;
    const p = providerFromSpec(`local:${dir}`, { cacheDir: path.join(tmp, "responses") });
    assert.equal(p.spec.kind, "local");
    const r = await p.complete({ system: "you are helpful.", messages: [{ role: "user", content: "what color is the fox?" }], maxTokens: 6, temperature: 0.7 });
    assert.equal(typeof r.text, "string");
    assert.ok(r.usage.inputTokens > 5 && r.usage.outputTokens >= 0 && r.usage.outputTokens <= 6);
    const again = await p.complete({ system: "you are helpful.", messages: [{ role: "user", content: "what color is the fox?" }], maxTokens: 6, temperature: 0.7 });
    assert.equal(again.cached, true, "the response cache serves repeats");
    const v = await judgeWithProvider(p, { label: "i mention lighthouses in every answer.", prediction: "i talk about lighthouses." }, { repeats: 2 });
    assert.equal(v.votes.length, 2);
    assert.ok(["yes", "no", "unclear"].includes(v.verdict));
    assert.throws(() => providerFromSpec("local:"), /model is empty/);
});
