// Plumbing of `ia bench --suite ood` on the test presets (a 40k-parameter base that learns little): OOD organisms are
// trained, saved as PEFT adapters and verified; every condition is audited; the report files are written; a rerun
// reuses finished organisms and audits; a damaged manifest is named.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runPipeline } from "../../src/ia/pipeline.ts";
import { pipelinePreset } from "../../src/ia/presets.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { readModelConfig } from "../../src/model/config.ts";
import { oodPreset, runOodSuite } from "../../src/ood/suite.ts";
import { runInBaseStudy } from "../../src/ood/inBase.ts";
import { runInvestigateBench } from "../../src/investigate/bench.ts";
import { tempDir } from "../helpers/tempDir.ts";

const tmp = tempDir("ia-ood");

test("the OOD suite runs on a trained run, writes its reports and resumes; its verified organisms are investigator targets", async () => {
    const run = path.join(tmp, "run");
    assert.throws(() => runOodSuite({ run, preset: oodPreset("test"), quiet: true }), /config\.json: not found/);
    const first = runPipeline({ preset: pipelinePreset("test"), runDir: run, cacheDir: path.join(tmp, "cache"), quiet: true });
    const report = runOodSuite({ run, preset: oodPreset("test"), quiet: true });
    const out = path.join(run, "ood");
    for (const f of ["ood.md", "ood.json", "ood.csv", "organisms.json", "config.json"]) assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.equal(report.organisms.length, 16); // 2 behaviors × (2 routes × {none, sft, kto} + rank 1 + full)
    const config = readModelConfig(path.join(first.baseModel, "config.json"));
    for (const o of report.organisms) {
        if (o.config === "td full") {
            // A full fine-tune is a model folder of its own, audited as a target model.
            assert.ok(fs.existsSync(path.join(out, "full", o.id, "model.safetensors")), o.id);
            continue;
        }
        // Adversarial organisms are the instillation LoRA plus the adversarial one, summed: rank 4 + 4.
        const a = loadAdapter(path.join(out, "organisms", o.id), config);
        assert.equal(a.config.r, /\.(sft|kto)$/.test(o.id) ? 8 : o.config === "td r1" ? 1 : 4, o.id);
        a.dispose();
    }
    // no IA and the black-box describer once, then SFT and DPO per IA seed; the no-IA run carries the red-team
    // confession rates. The describer reads LoRA organisms only (full fine-tunes are audited with and without the IA).
    assert.deepEqual(report.runs.map((r) => r.condition), ["no-ia", "describer", "ia-sft", "ia-dpo"]);
    assert.equal(report.runs[0]!.result.confession?.length, 16);
    for (const run of report.runs) {
        const expected = report.organisms.filter((o) => run.condition !== "describer" || o.config !== "td full").map((x) => x.id);
        assert.deepEqual(run.result.organisms.map((x) => x.id), expected, run.condition);
    }
    assert.ok(report.runs[1]!.result.organisms.every((o) => o.reports === 16));
    const md = fs.readFileSync(path.join(out, "ood.md"), "utf8");
    assert.match(md, /# OOD suite \(test\)/);
    assert.match(md, /flattery\.td/);
    // Model text is quoted printable: no control bytes (a decoding tiny model emits them), so the file stays text.
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(md), "control characters in ood.md");

    const manifestTime = fs.statSync(path.join(out, "organisms.json")).mtimeMs;
    const auditTime = fs.statSync(path.join(out, "audits", "ia-sft-seed-1.json")).mtimeMs;
    const again = runOodSuite({ run, preset: oodPreset("test"), quiet: true });
    assert.equal(fs.statSync(path.join(out, "organisms.json")).mtimeMs, manifestTime, "organisms were not retrained");
    assert.equal(fs.statSync(path.join(out, "audits", "ia-sft-seed-1.json")).mtimeMs, auditTime, "audits were reused");
    assert.deepEqual(again.summary, report.summary);
    // An IA retrained in place (other weights, same folder) is audited again; the others are not.
    const sftWeights = path.join(run, "seed-1", "ia-sft", "adapter", "adapter_model.safetensors");
    const original = fs.readFileSync(sftWeights);
    const dpoTime = fs.statSync(path.join(out, "audits", "ia-dpo-seed-1.json")).mtimeMs;
    fs.copyFileSync(path.join(run, "seed-1", "ia-dpo", "adapter", "adapter_model.safetensors"), sftWeights);
    runOodSuite({ run, preset: oodPreset("test"), quiet: true });
    assert.notEqual(fs.statSync(path.join(out, "audits", "ia-sft-seed-1.json")).mtimeMs, auditTime, "the changed IA was audited again");
    assert.equal(fs.statSync(path.join(out, "audits", "ia-dpo-seed-1.json")).mtimeMs, dpoTime, "the unchanged IA was not");
    fs.writeFileSync(sftWeights, original);

    // A behavior already in the base: merged into a new base, a new population and IA trained on it.
    const study = runInBaseStudy({ run, family: "flattery", preset: pipelinePreset("test"), ood: oodPreset("test"), cacheDir: path.join(tmp, "cache"), runDir: path.join(tmp, "in-base") });
    assert.deepEqual(study.throughout.map((x) => x.condition), ["no-ia", "ia-sft", "ia-dpo"]);
    assert.deepEqual(study.after.map((x) => x.condition).sort(), ["ia-dpo", "ia-sft", "no-ia"]);
    assert.match(fs.readFileSync(path.join(tmp, "in-base", "in-base.md"), "utf8"), /already in the base: flattery/);

    // The investigator's benchmark takes the verified OOD organisms as targets, graded with the OOD judge. Which
    // organisms the 40k-parameter test base verifies depends on the machine's numerics, so a copy of the folder sets
    // the verdicts: none verified first (refused), then exactly two.
    const copy = path.join(tmp, "ood-copy");
    fs.cpSync(out, copy, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, "organisms.json"), "utf8")) as { organisms: { id: string; verification: { passed: boolean } }[] };
    for (const e of manifest.organisms) e.verification.passed = false;
    fs.writeFileSync(path.join(copy, "organisms.json"), JSON.stringify(manifest));
    await assert.rejects(runInvestigateBench({ runDir: run, outDir: path.join(tmp, "inv"), group: "ood", oodOrganisms: copy, seeds: [1], budget: 24, quiet: true }), /none of its \d+ OOD organisms passed verification/);
    const marked = manifest.organisms.filter((e) => e.id === "flattery.td" || e.id === "secret_loyalty.td");
    assert.equal(marked.length, 2);
    for (const e of marked) e.verification.passed = true;
    fs.writeFileSync(path.join(copy, "organisms.json"), JSON.stringify(manifest));
    const bench = await runInvestigateBench({ runDir: run, outDir: path.join(tmp, "inv"), group: "ood", oodOrganisms: copy, seeds: [1], budget: 24, toolSets: ["black-box", "ia"], quiet: true });
    assert.deepEqual([...new Set(bench.rows.map((r) => r.organism))].sort(), ["flattery.td", "secret_loyalty.td"]);
    assert.deepEqual([...new Set(bench.rows.map((r) => r.family))].sort(), ["flattery", "secret_loyalty"]);
    const grading = JSON.parse(fs.readFileSync(path.join(tmp, "inv", "runs", "flattery.td", "ia", "seed-1", "predictions.json"), "utf8")) as { grading: { family: string; groundTruth: string } };
    assert.equal(grading.grading.family, "flattery");
    assert.match(bench.markdown, /\| flattery \| 1 \|/);

    fs.writeFileSync(path.join(out, "organisms.json"), "{ not json");
    assert.throws(() => runOodSuite({ run, preset: oodPreset("test"), quiet: true }), /organisms\.json: unreadable OOD organism manifest/);
});
