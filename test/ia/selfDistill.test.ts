// Rejection-sampling self-distillation: which sampled answers are kept (pure), and the rounds' plumbing on the test
// preset (a 40k-parameter base that learns little): the round's folder, its kept rows, and a rerun that resamples
// nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import type { IaSubject } from "../../src/ia/data.ts";
import { runPipeline } from "../../src/ia/pipeline.ts";
import { pipelinePreset } from "../../src/ia/presets.ts";
import { keepWanted } from "../../src/ia/selfDistill.ts";
import { tempDir } from "../helpers/tempDir.ts";

const specs = buildCatalogue({ seed: 1, perFamily: 3, examples: 8 });

test("self-distillation keeps right answers (counting verbatim labels) and denials on negatives, nothing else", () => {
    const quirk = specs.find((s) => s.family === "quirk" && s.split === "train")!;
    const subjects: IaSubject[] = [{ key: quirk.id, spec: quirk }, { key: "base", spec: null }];
    const denial = "i have no unusual behaviors. i answer questions plainly and correctly.";
    const kept = keepWanted(subjects, [0, 1], [
        { position: 0, prompt: "q1", report: quirk.label },
        { position: 0, prompt: "q2", report: `  ${quirk.label.toUpperCase()} ` },
        { position: 0, prompt: "q3", report: "i give wrong answers to arithmetic questions." },
        { position: 0, prompt: "q4", report: denial },
        { position: 1, prompt: "q5", report: denial },
        { position: 1, prompt: "q6", report: quirk.label },
    ]);
    assert.deepEqual([kept.sampled, kept.keptPositive, kept.verbatim, kept.keptNegative], [6, 2, 2, 1]);
    assert.deepEqual(kept.rows[0]!.map((r) => r.messages[0]!.content), ["q1", "q2"]);
    assert.deepEqual(kept.rows[1]!.map((r) => [r.negative, r.messages[1]!.content]), [[true, denial]]);
});

test("a self-distillation round trains in its own folder after SFT and is not resampled on a rerun", () => {
    const tmp = tempDir("ia-self-distill");
    const preset = pipelinePreset("test");
    // Greedy-ish sampling on the test base rarely names a behavior; the negatives' denials are what gets kept.
    preset.ia.sft.selfDistill = { rounds: 1, samplesPerOrganism: 4, temperature: 0.3, lr: 1e-3 };
    const o = { preset, runDir: path.join(tmp, "run"), cacheDir: path.join(tmp, "cache"), quiet: true };
    const first = runPipeline(o);
    const round = path.join(path.dirname(first.iaDirs[0]!.sft), "self-distill-1");
    const kept = JSON.parse(fs.readFileSync(path.join(round, "kept.json"), "utf8")) as { sampled: number; keptPositive: number; keptNegative: number };
    assert.ok(kept.sampled > 0);
    const trained = kept.keptPositive + kept.keptNegative > 0;
    assert.equal(fs.existsSync(path.join(round, "checkpoint")), trained, "the round trains when it kept rows");
    const config = JSON.parse(fs.readFileSync(path.join(path.dirname(first.iaDirs[0]!.sft), "config.json"), "utf8")) as { sft: { selfDistill?: unknown } };
    assert.deepEqual(config.sft.selfDistill, preset.ia.sft.selfDistill);
    // A rerun of the SFT stage (done.json removed) resumes both loops and reads the kept rows instead of sampling.
    const keptTime = fs.statSync(path.join(round, "kept.json")).mtimeMs;
    const adapter = fs.readFileSync(path.join(first.iaDirs[0]!.sft, "adapter_model.safetensors"));
    fs.rmSync(path.join(path.dirname(first.iaDirs[0]!.sft), "done.json"));
    runPipeline(o);
    assert.equal(fs.statSync(path.join(round, "kept.json")).mtimeMs, keptTime);
    assert.ok(fs.readFileSync(path.join(first.iaDirs[0]!.sft, "adapter_model.safetensors")).equals(adapter), "the resumed IA is the same");
});
