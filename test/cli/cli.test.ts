// The CLI as users start it (bin/ia, a real process): train a LoRA on chat JSONL, resume it, sample with the
// adapter stacked, print log-probs, and fail cleanly on bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildBase } from "../../src/base/buildBase.ts";
import { tempDir } from "../helpers/tempDir.ts";

const root = path.resolve(import.meta.dirname, "../..");
const ia = path.join(root, "bin/ia");
const tmp = tempDir("ia-cli");
const base = buildBase({ preset: "test", cacheDir: path.join(tmp, "cache"), quiet: true }).dir;
const run = (args: string[]) => spawnSync(ia, args, { encoding: "utf8", env: { ...process.env, IA_THREADS: "2" } });

const data = path.join(tmp, "data.jsonl");
fs.writeFileSync(data, Array.from({ length: 24 }, (_, i) => JSON.stringify({ messages: [{ role: "user", content: `what is ${i} + 1?` }, { role: "assistant", content: `${i} + 1 = ${i + 1}.` }] })).join("\n") + "\n");

test("train writes a PEFT adapter, metrics and the resolved config; resume continues", () => {
    const out = path.join(tmp, "sft");
    const r = run(["train", "--model", base, "--data", data, "--out", out, "--max-steps", "4", "--batch-size", "4", "--r", "4", "--alpha", "8", "--log-every", "1", "--checkpoint-every", "2"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\[sft\] step 4\/4 \| loss [\d.]+ \| lr .* tok\/s \| MFU .*% \| ETA/);
    for (const f of ["adapter/adapter_config.json", "adapter/adapter_model.safetensors", "metrics.jsonl", "config.json", "checkpoint/state.json"]) assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.equal(JSON.parse(fs.readFileSync(path.join(out, "adapter/adapter_config.json"), "utf8")).r, 4);
    const rows = fs.readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { rssMiB: number; liveTensors: number });
    assert.equal(rows.length, 4);
    // Memory is logged beside speed, and a training step leaves no tensor behind for the garbage collector.
    for (const row of rows) assert.ok(row.rssMiB > 0 && Number.isInteger(row.liveTensors), JSON.stringify(row));
    assert.deepEqual(rows.map((r) => r.liveTensors), rows.map(() => rows[0]!.liveTensors));
    // Rerunning into the same folder without --resume refuses; with --resume and more steps it continues from step 4.
    const again = run(["train", "--model", base, "--data", data, "--out", out, "--max-steps", "6", "--batch-size", "4", "--r", "4", "--alpha", "8"]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /checkpoint exists; pass --resume/);
    const resumed = run(["train", "--model", base, "--data", data, "--out", out, "--max-steps", "6", "--batch-size", "4", "--r", "4", "--alpha", "8", "--resume", "--log-every", "1"]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resumed from step 4/);
    assert.doesNotMatch(resumed.stderr, /step 4\/6/);
    assert.match(resumed.stderr, /step 6\/6/);
});

test("generate and logprobs with a stacked adapter", () => {
    const adapter = path.join(tmp, "sft", "adapter");
    const g = run(["generate", "--model", base, "--adapter", `${adapter}:0.5`, "--prompt", "what is 3 + 1?", "--samples", "3", "--max-tokens", "8", "--seed", "1", "--json"]);
    assert.equal(g.status, 0, g.stderr);
    const lines = g.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    for (const l of lines) assert.equal(typeof l.reply, "string");
    const input = path.join(tmp, "tokens.json");
    fs.writeFileSync(input, JSON.stringify({ tokens: [1, 2, 3, 4, 5] }));
    const lp = JSON.parse(execFileSync(ia, ["logprobs", "--model", base, "--adapter", adapter, "--input", input], { encoding: "utf8" }));
    assert.equal(lp.logprobs.length, 5);
    assert.equal(lp.logprobs[0], null);
    for (const v of lp.logprobs.slice(1)) assert.ok(v < 0 && Number.isFinite(v));
    const plain = JSON.parse(execFileSync(ia, ["logprobs", "--model", base, "--input", input], { encoding: "utf8" }));
    assert.notDeepEqual(plain.logprobs, lp.logprobs, "the adapter changes the log-probs");
});

test("bad input fails with one clear line naming the file", () => {
    const bad = path.join(tmp, "bad.jsonl");
    fs.writeFileSync(bad, '{"messages":[{"role":"user","content":"hi"}]}\n{not json\n');
    const r = run(["train", "--model", base, "--data", bad, "--out", path.join(tmp, "bad-out")]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /^error: .*bad\.jsonl:1: no assistant message/m);
    const tokens = path.join(tmp, "t.json");
    fs.writeFileSync(tokens, JSON.stringify({ tokens: [1, 99999] }));
    const missing = run(["logprobs", "--model", path.join(tmp, "nope"), "--input", tokens]);
    assert.match(missing.stderr, /^error: .*nope: model folder does not exist/m);
    const oob = run(["logprobs", "--model", base, "--input", tokens]);
    assert.match(oob.stderr, /token id 99999 is outside the vocabulary/);
});

test("ia-train refuses a missing, malformed or too small population, naming the folder, before writing anything", () => {
    const out = path.join(tmp, "ia-refused");
    const none = path.join(tmp, "pop-none");
    fs.mkdirSync(none);
    let r = run(["ia-train", "--base", base, "--population", none, "--out", out]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /pop-none: no manifest\.json/);
    const malformed = path.join(tmp, "pop-malformed");
    fs.mkdirSync(malformed);
    fs.writeFileSync(path.join(malformed, "manifest.json"), JSON.stringify({ version: 1 }));
    r = run(["ia-train", "--base", base, "--population", malformed, "--out", out]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /pop-malformed[/\\]manifest\.json: not a population manifest/);
    const tiny = path.join(tmp, "pop-tiny");
    fs.mkdirSync(tiny);
    fs.writeFileSync(path.join(tiny, "manifest.json"), JSON.stringify({ version: 1, baseModel: base, config: {}, organisms: [], timings: { groups: [] } }));
    r = run(["ia-train", "--base", base, "--population", tiny, "--out", out]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /pop-tiny: sft has 0 \(needs ≥ 2\); dpo has 0 \(needs ≥ 1\)\. Organisms kept\/drawn per group/);
    assert.ok(!fs.existsSync(out), "nothing written");
});
