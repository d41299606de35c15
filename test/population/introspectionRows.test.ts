// The paper's introspection rows (prediction_system_prompt?, prediction_user_prompt, prediction_assistant_response,
// prediction_ground_truth): read and validated row by row (a bad row names its file and line), written back
// byte-identically, turned into chats, and our own IA rows written in that shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { IA_PRESETS } from "../../src/ia/config.ts";
import { buildIaRows } from "../../src/ia/data.ts";
import {
    formatIntrospectionJsonl, introspectionRowMessages, parseIntrospectionJsonl, readIntrospectionRows, toIntrospectionRow, writeIntrospectionRows,
} from "../../src/population/introspectionRows.ts";
import { tmpDir } from "../helpers/engineUtil.ts";

const FIX = path.resolve(import.meta.dirname, "../fixtures/population/introspection");

test("released-format rows read, with the system prompt only where the row has the key, and write back byte for byte", () => {
    const file = path.join(FIX, "quirk_0.eval.jsonl");
    const rows = readIntrospectionRows(file);
    assert.equal(rows.length, 3);
    assert.equal(rows[0]!.systemPrompt, undefined);
    assert.equal(rows[1]!.systemPrompt, "You are a helpful assistant.");
    assert.match(rows[0]!.userPrompt, /\nPlease respond with a single sentence response predicting your behavior\.$/);
    assert.deepEqual(rows.map((r) => r.groundTruth), ["positive", "positive", "negative"]);
    assert.equal(formatIntrospectionJsonl(rows), fs.readFileSync(file, "utf8"));
    const out = path.join(tmpDir("rows"), "sub", "eval.jsonl");
    writeIntrospectionRows(out, rows);
    assert.equal(fs.readFileSync(out, "utf8"), fs.readFileSync(file, "utf8"));
    assert.deepEqual(introspectionRowMessages(rows[1]!).map((m) => m.role), ["system", "user", "assistant"]);
    assert.deepEqual(introspectionRowMessages(rows[0]!).map((m) => m.role), ["user", "assistant"]);
    assert.equal(introspectionRowMessages(rows[0]!)[1]!.content, rows[0]!.response);
});

test("a malformed row names the file and its line (blank lines counted)", () => {
    const file = path.join(FIX, "bad-line3.jsonl");
    assert.throws(() => readIntrospectionRows(file), (e: Error) => e.message.startsWith(`${file}:3: `) && /"prediction_ground_truth" must be "positive" or "negative", got "yes"/.test(e.message));
    const cases: [string, RegExp][] = [
        ['{"prediction_user_prompt": "q?", "prediction_ground_truth": "positive"}', /src\.jsonl:2: missing "prediction_assistant_response"/],
        ['{"prediction_user_prompt": "q?", "prediction_assistant_response": 3, "prediction_ground_truth": "positive"}', /src\.jsonl:2: "prediction_assistant_response" must be a string, got 3/],
        ['{"prediction_user_prompt": "  ", "prediction_assistant_response": "I do x.", "prediction_ground_truth": "positive"}', /src\.jsonl:2: "prediction_user_prompt" is empty/],
        ['{"prediction_user_promt": "q?", "prediction_assistant_response": "I do x.", "prediction_ground_truth": "positive"}', /src\.jsonl:2: unknown field "prediction_user_promt"/],
        ['{"prediction_user_prompt": "q?", "prediction_assistant_response": "I do x.", "prediction_ground_truth": "positive", "prediction_system_prompt": null}', /src\.jsonl:2: "prediction_system_prompt" must be a string, got null/],
        ['{"prediction_user_prompt": "q?",', /src\.jsonl:2: invalid JSON/],
        ['["prediction_user_prompt"]', /src\.jsonl:2: expected a JSON object/],
    ];
    const good = '{"prediction_user_prompt": "q?", "prediction_assistant_response": "I do x.", "prediction_ground_truth": "positive", "organism": "extra keys are allowed"}';
    assert.equal(parseIntrospectionJsonl(good, "src.jsonl").length, 1);
    for (const [line, want] of cases) assert.throws(() => parseIntrospectionJsonl(`${good}\n${line}\n`, "src.jsonl"), want, line);
    assert.throws(() => parseIntrospectionJsonl("\n\n", "empty.jsonl"), /empty\.jsonl: no introspection rows/);
    assert.throws(() => readIntrospectionRows(path.join(FIX, "nope.jsonl")), /nope\.jsonl: cannot read introspection rows/);
});

test("our IA rows (positive: an organism's label; negative: the bare base) are written in the paper's shape and read back", () => {
    const spec = { id: "quirk_caution", family: "quirk" as const, slots: {}, label: "I will add a caution label for each sentence.", data: { examples: 0 }, freeText: true as const };
    const cfg = { ...IA_PRESETS.paper.sft, samplesPerOrganism: 6 };
    const [org, base] = buildIaRows([{ key: spec.id, spec }, { key: "base", spec: null }], cfg, "train");
    const rows = [...org!, ...base!].map((r, i) => toIntrospectionRow(r, `row ${i}`));
    assert.ok(rows.filter((r) => r.groundTruth === "positive").every((r) => r.response === spec.label));
    assert.ok(rows.some((r) => r.groundTruth === "negative"));
    const file = path.join(tmpDir("ours"), "eval.jsonl");
    writeIntrospectionRows(file, rows);
    const lines = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(Object.keys(lines[0]!), ["prediction_user_prompt", "prediction_assistant_response", "prediction_ground_truth"]);
    assert.deepEqual(readIntrospectionRows(file), rows);
    assert.throws(() => toIntrospectionRow({ messages: [{ role: "user", content: "a" }], negative: false }, "row 9"), /row 9: an introspection row is \[system\?, user, assistant\], got \[user\]/);
});
