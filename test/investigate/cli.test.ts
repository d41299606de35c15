// `ia investigate` as users start it (bin/ia, a real process) on the test preset's tiny base, population and IA
// (built in seconds; the organisms learn little, so only structure, files and error paths are asserted).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { runPipeline } from "../../src/ia/pipeline.ts";
import { pipelinePreset } from "../../src/ia/presets.ts";
import { tempDir } from "../helpers/tempDir.ts";

const root = path.resolve(import.meta.dirname, "../..");
const tmp = tempDir("ia-investigate");
const built = runPipeline({ preset: pipelinePreset("test"), runDir: path.join(tmp, "run"), cacheDir: path.join(tmp, "cache"), quiet: true });
const organism = built.population.organisms.find((e) => e.family === "backdoor")!;
const target = path.join(built.populationDir, organism.adapter);
const iaDir = built.iaDirs[0]!.dpo;
const specFile = path.join(tmp, "spec.json");
fs.writeFileSync(specFile, JSON.stringify(organism.spec));
const ia = (args: string[]) => spawnSync(path.join(root, "bin/ia"), ["investigate", ...args], { encoding: "utf8", env: { ...process.env, IA_THREADS: "2" } });

test("ia investigate writes the log, every call, predictions (JSON + markdown) and the grading", () => {
    const out = path.join(tmp, "inv");
    const r = ia(["--base", built.baseModel, "--target-adapter", target, "--ia", iaDir, "--spec", specFile, "--budget", "120", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Investigation of .* \(builtin; tools sample, prefill, multisample, compare_to_base, ia_reports, summarize\)/);
    const res = JSON.parse(fs.readFileSync(path.join(out, "predictions.json"), "utf8"));
    assert.ok(res.predictions.length <= 10);
    assert.ok(res.cost.samples <= 120 && res.cost.samples > 0);
    assert.equal(typeof res.grading.category, "boolean");
    assert.equal(res.grading.groundTruth, organism.spec.label);
    assert.ok(fs.existsSync(path.join(out, "grading.json")));
    assert.match(fs.readFileSync(path.join(out, "predictions.md"), "utf8"), /^# Predictions/);
    assert.match(fs.readFileSync(path.join(out, "research_log.md"), "utf8"), /## Survey[\s\S]*## Conclusion/);
    const calls = fs.readFileSync(path.join(out, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(calls.some((c) => c.tool === "ia_reports") && calls.every((c) => c.tokens));
    // Black-box only: no IA call.
    const bb = ia(["--base", built.baseModel, "--target-adapter", target, "--tools", "black-box", "--budget", "60", "--out", path.join(tmp, "bb")]);
    assert.equal(bb.status, 0, bb.stderr);
    assert.ok(!fs.readFileSync(path.join(tmp, "bb", "calls.jsonl"), "utf8").includes("ia_reports"));
});

test("bad input: clear errors, and the log written so far is kept", () => {
    const zero = ia(["--base", built.baseModel, "--target-adapter", target, "--budget", "0", "--out", path.join(tmp, "zero")]);
    assert.equal(zero.status, 1);
    // Refused by option validation, before any model is loaded or any folder is made (the library refuses it too: test/investigate/tools.test.ts).
    assert.match(zero.stderr, /^error: --budget: expected a positive integer, got "0"$/m);
    assert.ok(!fs.existsSync(path.join(tmp, "zero")));
    const otherIa = path.join(root, "test/fixtures/golden/adapters/qwen3-a");
    const out = path.join(tmp, "bad-ia");
    const r = ia(["--base", built.baseModel, "--target-adapter", target, "--ia", otherIa, "--out", out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: IA .*qwen3-a does not fit the base .*made for another base/);
    assert.match(fs.readFileSync(path.join(out, "research_log.md"), "utf8"), /## Stopped[\s\S]*does not fit the base/);
    const badTarget = ia(["--base", built.baseModel, "--target-adapter", otherIa, "--out", path.join(tmp, "bad-target")]);
    assert.equal(badTarget.status, 1);
    assert.match(badTarget.stderr, /error: target adapter .*qwen3-a does not fit the base/);
    const m = ia(["--base", built.baseModel, "--target-model", path.join(root, "test/fixtures/golden/qwen3-tiny"), "--out", path.join(tmp, "bad-model")]);
    assert.equal(m.status, 1);
    assert.match(m.stderr, /error: target model .*qwen3-tiny is not a fine-tune of the base .*: /);
    const tools = ia(["--base", built.baseModel, "--target-adapter", target, "--tools", "sample,steering", "--out", path.join(tmp, "bad-tools")]);
    assert.equal(tools.status, 1);
    assert.match(tools.stderr, /unknown tool or tool set "steering"/);
    const noIa = ia(["--base", built.baseModel, "--target-adapter", target, "--tools", "ia", "--out", path.join(tmp, "no-ia")]);
    assert.equal(noIa.status, 1);
    assert.match(noIa.stderr, /ia_reports granted but no IA was given/);
});
