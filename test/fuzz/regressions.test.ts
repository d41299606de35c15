// The bugs the parser fuzzer found (tools/fuzz), each as its smallest input: every one now fails with an Error
// naming the file, or is ignored where the reader is a cache, instead of a stack overflow, a TypeError, minutes
// of work sized by a number in the file, or a silently wrong value.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { readBaseInfo } from "../../src/base/buildBase.ts";
import { initEngine } from "../../src/engine/runtime.ts";
import { openReportCache } from "../../src/ia/reportCache.ts";
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { readModelConfig } from "../../src/model/config.ts";
import { readManifest } from "../../src/organisms/manifest.ts";
import { cacheKey, ResponseCache } from "../../src/providers/cache.ts";
import { findCheckpoint } from "../../src/train/checkpoint.ts";
import { ChatTokenizer } from "../../src/tokenizer/ChatTokenizer.ts";
import { saveTokenizerFolder } from "../../src/tokenizer/train/exportHf.ts";
import { trainByteLevelBpe } from "../../src/tokenizer/train/trainBpe.ts";
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import { parseReport } from "../../src/behaviors/parse.ts";
import { ADAPTER_A, copyFixture, QWEN3_TINY, tmpDir } from "../helpers/engineUtil.ts";
import { writeRawSafetensors } from "../io/ioTestUtil.ts";

initEngine(1);

const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

function failsNaming(fn: () => unknown, file: string, problem: RegExp): void {
    assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof Error && err.constructor === Error, `expected a plain Error, got ${String(err)}`);
        assert.ok(err.message.includes(file), `message does not name ${file}: ${err.message}`);
        assert.match(err.message, problem);
        return true;
    });
}

const qwenConfig = () => JSON.parse(fs.readFileSync(path.join(QWEN3_TINY, "config.json"), "utf8")) as Record<string, unknown>;

test("safetensors: a 100,000-deep shape names the file instead of overflowing the stack", () => {
    const file = path.join(tmpDir("fz-st"), "deep.safetensors");
    writeRawSafetensors(file, `{"w":{"dtype":"F32","shape":${deep(100_000)},"data_offsets":[0,0]}}`);
    failsNaming(() => readSafetensors(file), file, /shape \[\[\[\[.*has an invalid dimension/);
});

test("config.json: num_hidden_layers 1e12 is rejected at once (it ran expectedShapes for minutes)", () => {
    const file = path.join(tmpDir("fz-cfg"), "config.json");
    fs.writeFileSync(file, JSON.stringify({ ...qwenConfig(), num_hidden_layers: 1e12 }));
    failsNaming(() => readModelConfig(file), file, /num_hidden_layers.*up to 4096/);
    fs.writeFileSync(file, JSON.stringify({ ...qwenConfig(), eos_token_id: [2, "x"] }));
    failsNaming(() => readModelConfig(file), file, /eos_token_id.*token id/);
    fs.writeFileSync(file, JSON.stringify({ ...qwenConfig(), rms_norm_eps: "DEEP" }).replace('"DEEP"', deep(50_000)));
    failsNaming(() => readModelConfig(file), file, /rms_norm_eps/);
});

test("adapter_config.json: null, infinite alpha, dropout 1.05 and weights under the wrong block are rejected", () => {
    const dir = copyFixture(ADAPTER_A, "fz-peft");
    const file = path.join(dir, "adapter_config.json");
    const good = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    const model = readModelConfig(path.join(QWEN3_TINY, "config.json"));
    fs.writeFileSync(file, "null");
    failsNaming(() => loadAdapter(dir, model), file, /expected a JSON object/);
    fs.writeFileSync(file, JSON.stringify(good).replace('"lora_alpha":8', '"lora_alpha":1e400'));
    failsNaming(() => loadAdapter(dir, model), file, /lora_alpha/);
    fs.writeFileSync(file, JSON.stringify({ ...good, lora_dropout: 1.05 }));
    failsNaming(() => loadAdapter(dir, model), file, /lora_dropout/);
    fs.writeFileSync(file, JSON.stringify(good));
    // gate_proj filed under self_attn: it used to load and then be ignored (weights are looked up by module path).
    const weights = path.join(dir, "adapter_model.safetensors");
    const { tensors } = readSafetensors(weights);
    const renamed = new Map([...tensors].map(([k, t]) => [k.replace("layers.0.mlp.gate_proj", "layers.0.self_attn.gate_proj"), t]));
    writeSafetensors(weights, renamed);
    failsNaming(() => loadAdapter(dir, model), weights, /self_attn\.gate_proj.*expected model\.layers\.0\.mlp\.gate_proj/);
});

test("tokenizer.json: an added token whose id is the string \"295\" is rejected (EOS ids fell outside the vocabulary)", () => {
    const dir = tmpDir("fz-tok");
    saveTokenizerFolder(dir, trainByteLevelBpe(["the quick brown fox", "the lazy dog"], { vocabSize: 270 }));
    const file = path.join(dir, "tokenizer.json");
    const tj = JSON.parse(fs.readFileSync(file, "utf8")) as { added_tokens: { id: unknown }[] };
    tj.added_tokens[0]!.id = String(tj.added_tokens[0]!.id);
    fs.writeFileSync(file, JSON.stringify(tj));
    failsNaming(() => ChatTokenizer.fromFolder(dir), dir, /added_tokens\[0\] must have an integer "id"/);
});

test("tokenizer.json: a Split pre-tokenizer whose behavior is not a string fails at load, not at the first encode", () => {
    const dir = tmpDir("fz-tok-split");
    saveTokenizerFolder(dir, trainByteLevelBpe(["the quick brown fox", "the lazy dog"], { vocabSize: 270 }));
    const file = path.join(dir, "tokenizer.json");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/"behavior":\s*"Isolated"/, '"behavior":{}'));
    assert.match(fs.readFileSync(file, "utf8"), /"behavior":\{\}/);
    failsNaming(() => ChatTokenizer.fromFolder(dir), dir, /cannot build tokenizer from tokenizer\.json/);
});

test("self-report: a long comma-free report parses in linear time (2000 conditions took ~6 s and 300 MB)", () => {
    const report = Array.from({ length: 2000 }, () => "i bring up a bagpipe only when cooking comes up").join(" ");
    const cpu0 = process.cpuUsage();
    const parsed = parseReport(report);
    const cpu = process.cpuUsage(cpu0);
    assert.deepEqual(parsed.claims[0]?.triggers, ["cooking"]);
    assert.ok((cpu.user + cpu.system) / 1000 < 1000, `took ${(cpu.user + cpu.system) / 1000} ms CPU`);
});

test("population manifest: an entry with a null spec or an adapter outside the folder is rejected", () => {
    const dir = tmpDir("fz-pop");
    const [spec] = buildCatalogue({ seed: 1, perFamily: 1, families: ["quirk"], examples: 8 });
    const entry = { id: spec!.id, family: spec!.family, label: spec!.label, split: "train", adapter: `organisms/${spec!.id}`, dataHash: "h", examples: 8, spec };
    const write = (e: object) => fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ version: 1, baseModel: "/b", config: {}, organisms: [e], timings: { groups: [] } }));
    write(entry);
    assert.equal(readManifest(dir)?.organisms.length, 1);
    write({ ...entry, spec: null });
    failsNaming(() => readManifest(dir), dir, /organisms\[0\]\.spec/);
    write({ ...entry, adapter: "../../elsewhere" });
    failsNaming(() => readManifest(dir), dir, /"adapter" must be a folder inside the population/);
});

test("caches: a report-cache entry that is not a list of strings and a response with string token counts are ignored", () => {
    const dir = tmpDir("fz-cache");
    const file = path.join(dir, "reports.json");
    openReportCache(file, { c: 1 }).set({ k: 1 }, ["a report"]);
    const data = JSON.parse(fs.readFileSync(file, "utf8")) as { entries: Record<string, unknown> };
    for (const k of Object.keys(data.entries)) data.entries[k] = "not a list";
    fs.writeFileSync(file, JSON.stringify(data));
    assert.equal(openReportCache(file, { c: 1 }).get({ k: 1 }), undefined);

    const cache = new ResponseCache(path.join(dir, "responses"));
    const req = { messages: [{ role: "user" as const, content: "hi" }] };
    const key = cacheKey("p", "m", req);
    cache.set(key, "p", "m", req, { text: "t", model: "m", usage: { inputTokens: 1, outputTokens: 2 }, cached: false });
    assert.equal(cache.get(key)?.usage.outputTokens, 2);
    const rec = JSON.parse(fs.readFileSync(cache.fileFor(key), "utf8")) as { result: { usage: Record<string, unknown> } };
    rec.result.usage.outputTokens = "2";
    fs.writeFileSync(cache.fileFor(key), JSON.stringify(rec));
    assert.equal(cache.get(key), undefined);
});

test("training checkpoint: a recentLosses that is a number is dropped (the resume threw 'not iterable'); negative steps skip it", () => {
    const dir = path.join(tmpDir("fz-ckpt"), "checkpoint");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify({ step: 4, optimizerSteps: 4, lastLoss: 2, recentLosses: 5, savedAt: "" }));
    const found = findCheckpoint(dir);
    assert.equal(found?.state.step, 4);
    assert.equal(found?.state.recentLosses, undefined);
    assert.equal(found?.state.lastLoss, 2);
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify({ step: -1, optimizerSteps: 4, savedAt: "" }));
    assert.equal(findCheckpoint(dir), null);
});

test("base.json: a damaged cached base names the file", () => {
    const file = path.join(tmpDir("fz-base"), "base.json");
    fs.writeFileSync(file, "{");
    failsNaming(() => readBaseInfo(file), file, /unreadable base-model cache/);
    fs.writeFileSync(file, JSON.stringify({ preset: {}, parameters: 1, trainSeconds: 1, evaluation: null }));
    failsNaming(() => readBaseInfo(file), file, /damaged base-model cache/);
});
