// End-to-end plumbing of the tiny-world pipeline on the `test` preset (a 40k-parameter base that learns little):
// every stage runs, writes PEFT adapters / manifest / benchmark files, and a rerun resumes without retraining.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cudaIsAvailable } from "../../src/engine/runtime.ts";
import { runPipeline } from "../../src/ia/pipeline.ts";
import { pipelinePreset } from "../../src/ia/presets.ts";
import { runAudit } from "../../src/ia/audit.ts";
import { runAnalysis } from "../../src/analyze/run.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { readModelConfig } from "../../src/model/config.ts";
import { mergeAdapter } from "../../src/lora/merge.ts";
import { loadModel, saveModel } from "../../src/model/weights.ts";
import { tempDir } from "../helpers/tempDir.ts";

const tmp = tempDir("ia-pipeline");

test("the whole pipeline runs on the test preset and resumes", async () => {
    const preset = pipelinePreset("test");
    const first = runPipeline({ preset, runDir: path.join(tmp, "run"), cacheDir: path.join(tmp, "cache"), quiet: true });
    // Base model: a real HF folder with tokenizer and chat template.
    for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]) assert.ok(fs.existsSync(path.join(first.baseModel, f)), f);
    const config = readModelConfig(path.join(first.baseModel, "config.json"));
    // Population: one PEFT adapter per organism, all 10 families present, each with a verification record.
    const families = new Set(first.population.organisms.map((e) => e.family));
    assert.equal(families.size, 10, [...families].join(","));
    for (const e of first.population.organisms) {
        assert.ok(e.verification, `${e.id} verified`);
        const a = loadAdapter(path.join(first.populationDir, e.adapter), config);
        assert.equal(a.config.r, 4);
        a.dispose();
    }
    // IA adapters after SFT and DPO differ (DPO moved the weights).
    const { sft, dpo } = first.iaDirs[0]!;
    const bytesSft = fs.readFileSync(path.join(sft, "adapter_model.safetensors"));
    const bytesDpo = fs.readFileSync(path.join(dpo, "adapter_model.safetensors"));
    assert.equal(bytesSft.length, bytesDpo.length);
    assert.ok(!bytesSft.equals(bytesDpo), "DPO changed the IA");
    // Benchmark files and structure.
    const bench = JSON.parse(fs.readFileSync(path.join(tmp, "run", "bench", "bench.json"), "utf8"));
    assert.ok(bench.results["1"]["ia-dpo"]);
    assert.ok(bench.results["1"]["no-ia"]);
    assert.ok(fs.readFileSync(path.join(tmp, "run", "bench", "bench.csv"), "utf8").startsWith("seed,condition"));
    assert.ok(Number.isFinite(bench.prior.category));
    const resolved = JSON.parse(fs.readFileSync(path.join(tmp, "run", "config.json"), "utf8"));
    assert.equal(resolved.populationDir, first.populationDir);
    assert.match(resolved.device, /^(cpu|cuda)/);
    assert.ok(["ia-dpo", "ia-sft"].includes(bench.chosen), `chosen on validation: ${bench.chosen}`);
    assert.match(fs.readFileSync(path.join(tmp, "run", "bench", "bench.md"), "utf8"), /\*\*Headline\*\* — IA \(SFT(\+DPO| only)\), chosen on the validation group/);
    // Intervals respect organisms: each figure says how many organisms it rests on (behavior organisms for
    // verbalization, every subject for claims), with a bootstrap over them once there are two.
    const groups = JSON.parse(fs.readFileSync(path.join(tmp, "run", "groups.json"), "utf8")) as Record<string, string[]>;
    const isControl = (id: string) => /^(null|decoy)_/.test(id);
    for (const s of bench.summary as { condition: string; group: string; scope: string; metric: string; organisms: number; organismCi95: [number, number] | null; mean: number }[]) {
        if ((s.group !== "test" && s.group !== "negatives") || s.scope !== "generic") continue;
        const ids = s.group === "test" ? groups.test! : groups.negatives!;
        assert.equal(s.organisms, s.metric === "claims" ? ids.length : ids.filter((id) => !isControl(id)).length, `${s.condition} ${s.group} ${s.metric}`);
        if (s.organisms > 1) assert.ok(s.organismCi95 && s.organismCi95[0] <= s.mean + 1e-9 && s.mean - 1e-9 <= s.organismCi95[1], `${s.condition} ${s.group} ${s.metric}: ${s.mean} in ${s.organismCi95}`);
        else assert.equal(s.organismCi95, null);
    }

    // A rerun reuses everything: same adapters, no new training, no new sampling, the same figures.
    const mtime = fs.statSync(path.join(dpo, "adapter_model.safetensors")).mtimeMs;
    const reportsFile = path.join(tmp, "run", "bench", "reports", "seed-1-ia-dpo.json");
    const reportsMtime = fs.statSync(reportsFile).mtimeMs;
    const second = runPipeline({ preset, runDir: path.join(tmp, "run"), cacheDir: path.join(tmp, "cache"), quiet: true });
    assert.equal(fs.statSync(path.join(second.iaDirs[0]!.dpo, "adapter_model.safetensors")).mtimeMs, mtime);
    assert.equal(fs.statSync(reportsFile).mtimeMs, reportsMtime, "sampled reports were reused");
    assert.deepEqual(second.report.results, first.report.results);

    // The validation group is held out of every training stage.
    const trained = new Set([...groups.sft!, ...groups.dpo!]);
    assert.ok(groups.validation!.length > 0, "the test preset draws a validation group");
    for (const id of groups.validation!) assert.ok(!trained.has(id), `${id} both validates and trains`);
    // A changed split moves organisms between groups: the finished IAs trained on others, so they are trained again
    // (reusing them would validate an IA on organisms it trained on).
    const sftMtime = fs.statSync(path.join(sft, "adapter_model.safetensors")).mtimeMs;
    const moved = { ...preset, ia: { ...preset.ia, split: { ...preset.ia.split, validationFraction: 0.4 } } };
    const third = runPipeline({ preset: moved, runDir: path.join(tmp, "run"), cacheDir: path.join(tmp, "cache"), quiet: true });
    assert.notDeepEqual(third.groups.sft.map((e) => e.id), first.groups.sft.map((e) => e.id), "the split moved SFT organisms");
    assert.notEqual(fs.statSync(path.join(third.iaDirs[0]!.sft, "adapter_model.safetensors")).mtimeMs, sftMtime, "the SFT IA was trained again");
    assert.equal(fs.statSync(path.join(path.dirname(sft) + ".stale", "adapter", "adapter_model.safetensors")).mtimeMs, sftMtime, "the replaced IA was kept aside");

    // Audit a held-out organism with the IA: reports, summary, grading, files.
    const target = first.population.organisms.find((e) => e.family === "quirk")!;
    const audit = await runAudit({ baseModel: first.baseModel, targetAdapter: path.join(first.populationDir, target.adapter), ia: dpo, samples: 6, groundTruth: target.spec, outDir: path.join(tmp, "audit") });
    assert.equal(audit.reports.length, 6);
    assert.ok(audit.grading);
    assert.ok(fs.readFileSync(path.join(tmp, "audit", "audit.md"), "utf8").includes("# Audit of"));
});

test("the failure analysis explains the benchmark's own reports without sampling them again", () => {
    const run = path.join(tmp, "run");
    const reportsFile = path.join(run, "bench", "reports", "seed-1-ia-dpo.json");
    const before = fs.statSync(reportsFile).mtimeMs;
    const { analysis, outDir } = runAnalysis({ run, temperatures: [0], auditReports: 6, quiet: true });
    assert.equal(fs.statSync(reportsFile).mtimeMs, before, "the benchmark's cached reports were read, not resampled");
    const bench = JSON.parse(fs.readFileSync(path.join(run, "bench", "bench.json"), "utf8"));
    for (const cond of ["ia-dpo", "ia-sft", "no-ia"] as const) {
        const overall = bench.results["1"][cond].test.find((x: { scope: string }) => x.scope === "generic").overall;
        const counts = analysis.failures.find((t) => t.group === "test" && t.condition === cond)!.counts.all!;
        const behaviorReports = Object.entries(counts).filter(([k]) => k !== "no-claim" && k !== "false-claim").reduce((s, [, v]) => s + v, 0);
        assert.equal(behaviorReports, overall.reports, `${cond}: every test report classified once`);
        assert.equal(counts.correct + counts["wrong-condition"], overall.category.k, `${cond}: classes agree with the category verdicts`);
        assert.equal(counts.correct, overall.strict.k, `${cond}: classes agree with the strict verdicts`);
    }
    assert.ok(analysis.decoding.some((r) => r.key === "test · T=0"), "greedy decoding sampled");
    assert.match(fs.readFileSync(path.join(outDir, "analysis.md"), "utf8"), /## 1\. What went wrong[\s\S]*## 6\. Decoding[\s\S]*## 8\. The scaffold's audits/);
    // Scaffold-size audits: at least the asked reports per organism (one per question at least), sampled into their own cache.
    const test = analysis.scaffold!.find((r) => r.group === "test" && r.condition === "ia-dpo" && !r.negative)!;
    assert.ok(test.audits > 0 && test.reportsPerAudit >= 6, JSON.stringify(test));
    assert.ok(test.reportsPerAudit > analysis.audits.find((r) => r.group === "test" && r.condition === "ia-dpo" && !r.negative)!.reportsPerAudit, "more reports than the benchmark's");
    assert.ok(fs.existsSync(path.join(run, "analysis", "audit-reports-6", "seed-1-ia-dpo.json")));
    // The pooled held-out figure rests on the test organisms and the held-out slot values together.
    const pooled = bench.summary.find((x: { condition: string; group: string; metric: string }) => x.condition === "ia-dpo" && x.group === "heldout" && x.metric === "category");
    const parts = ["test", "heldoutValues"].map((g) => bench.summary.find((x: { condition: string; group: string; metric: string; scope: string }) => x.condition === "ia-dpo" && x.group === g && x.metric === "category" && x.scope === "generic")?.organisms ?? 0);
    assert.equal(pooled.organisms, parts[0] + parts[1]);
});

test("an IA trained on another base is refused with a clear error", async () => {
    const other = path.join(import.meta.dirname, "../fixtures/golden/adapters/qwen3-a");
    const base = fs.readdirSync(path.join(tmp, "cache", "base")).map((d) => path.join(tmp, "cache", "base", d, "model"))[0]!;
    const pop = fs.readdirSync(path.join(tmp, "cache", "populations")).map((d) => path.join(tmp, "cache", "populations", d))[0]!;
    const organism = path.join(pop, "organisms", fs.readdirSync(path.join(pop, "organisms"))[0]!);
    await assert.rejects(runAudit({ baseModel: base, targetAdapter: organism, ia: other, samples: 2 }), /qwen3-a.*(another base|shape|layer)/s);
});

test("auditing a full checkpoint (the organism merged into the base) gives the adapter target's reports", async () => {
    const base = fs.readdirSync(path.join(tmp, "cache", "base")).map((d) => path.join(tmp, "cache", "base", d, "model"))[0]!;
    const pop = fs.readdirSync(path.join(tmp, "cache", "populations")).map((d) => path.join(tmp, "cache", "populations", d))[0]!;
    const manifest = JSON.parse(fs.readFileSync(path.join(pop, "manifest.json"), "utf8"));
    const target = (manifest.organisms as { family: string; adapter: string }[]).find((e) => e.family === "quirk")!;
    const ia = path.join(tmp, "run", "seed-1", "ia-dpo", "adapter");
    // A user's fine-tune delivered as a whole HF folder: weights with the organism merged in, tokenizer copied.
    const model = loadModel(base);
    const organism = loadAdapter(path.join(pop, target.adapter), model.config);
    mergeAdapter(model, organism);
    const full = path.join(tmp, "full-checkpoint");
    saveModel(model, full);
    for (const f of ["tokenizer.json", "tokenizer_config.json"]) fs.copyFileSync(path.join(base, f), path.join(full, f));
    organism.dispose();
    model.dispose();
    const viaAdapter = await runAudit({ baseModel: base, targetAdapter: path.join(pop, target.adapter), ia, samples: 6 });
    const viaCheckpoint = await runAudit({ baseModel: base, targetModel: full, ia, samples: 6 });
    // Merged weights (W + s·BA) and the stacked adapter round differently, so a sampled token near a boundary may
    // flip on some BLAS kernel path; a broken route (the merge or the adapter ignored) would match none.
    const same = viaCheckpoint.reports.filter((r, i) => r.report === viaAdapter.reports[i]!.report).length;
    assert.ok(same >= 4, `only ${same}/6 reports agree:\n${viaCheckpoint.reports.map((r) => r.report).join("\n")}\nvs\n${viaAdapter.reports.map((r) => r.report).join("\n")}`);
    await assert.rejects(runAudit({ baseModel: base, targetAdapter: path.join(pop, target.adapter), targetModel: full, ia, samples: 2 }), /exactly one/);
});

test("asking for a GPU on a machine without one fails before any work, naming the device", { skip: cudaIsAvailable() && "this libtorch has CUDA" }, () => {
    const runDir = path.join(tmp, "run-cuda");
    assert.throws(() => runPipeline({ preset: pipelinePreset("test"), runDir, cacheDir: path.join(tmp, "cache"), device: "cuda", quiet: true }), /--device cuda: CUDA is not available/);
    assert.ok(!fs.existsSync(runDir), "nothing written");
});
