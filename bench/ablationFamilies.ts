/**
 * `node --import tsx bench/ablationFamilies.ts <ablation run> <groups.json> <family> <point>...` — one family's
 * validation figures for points of an `ia ablate` run, per seed: category rate and failure classes
 * (src/analyze/failures.ts). `ia ablate` prints only the pooled validation figure; a change aimed at one family
 * (e.g. `distractors`, for obscured-malign organisms) is judged here on that family too. Reads the ablation's cached
 * validation reports (it samples nothing: a point not yet measured is an error). `groups.json` is a benchmark run's
 * on the same preset and population: the draw is deterministic, so its DPO group is the ablation's validation group.
 */
import fs from "node:fs";
import path from "node:path";
import { classifyReport, type FailureKind } from "../src/analyze/failures.ts";
import { benchEvalOptions, benchSources, openBenchCache } from "../src/ia/benchmark.ts";
import type { IaSubject } from "../src/ia/data.ts";
import { gradeReport, subjectQuestions } from "../src/ia/evaluate.ts";
import type { PipelinePreset } from "../src/ia/presets.ts";
import { iaReportTokens } from "../src/ia/reports.ts";
import { readManifest } from "../src/organisms/manifest.ts";
import { Rng } from "../src/util/rng.ts";

const [run, groupsFile, family, ...points] = process.argv.slice(2);
if (!run || !groupsFile || !family || points.length === 0) throw new Error("usage: bench/ablationFamilies.ts <ablation run> <groups.json> <family> <point>...");
const config = JSON.parse(fs.readFileSync(path.join(run, "config.json"), "utf8")) as { baseModel: string; populationDir: string };
const manifest = readManifest(config.populationDir);
if (!manifest) throw new Error(`${config.populationDir}: no population manifest`);
const byId = new Map(manifest.organisms.map((e) => [e.id, e]));
const validation: IaSubject[] = (JSON.parse(fs.readFileSync(groupsFile, "utf8")) as { dpo: string[] }).dpo.map((id) => {
    const e = byId.get(id);
    if (!e) throw new Error(`${groupsFile}: organism ${id} is not in ${config.populationDir}`);
    return { key: e.id, spec: e.spec };
});
const sources = benchSources(config.baseModel, config.populationDir);
const lines: string[] = [];
for (const point of points) {
    const p = JSON.parse(fs.readFileSync(path.join(run, "points", `${point}.json`), "utf8")) as { preset: PipelinePreset; dirs: { seed: number; sft: string; dpo: string; measured: "sft" | "dpo" }[] };
    for (const d of p.dirs) {
        const iaDir = path.join(d.measured === "dpo" ? d.dpo : d.sft, "adapter");
        const o = benchEvalOptions(p.preset.eval, "validation", "generic", d.seed);
        // The request list and key exactly as evaluateSubjects builds them for the ablation's validation cell.
        const rng = new Rng(`${o.seed}:eval:${o.scope}`);
        const requests = validation.flatMap((s) => subjectQuestions(s, o, rng).flatMap((q) => Array.from({ length: o.samplesPerQuestion ?? 2 }, () => ({ s, prompt: q.prompt }))));
        const maxNewTokens = iaReportTokens(iaDir);
        const sampling = { temperature: o.temperature ?? 1.0, seed: o.seed, ...(maxNewTokens !== undefined ? { maxNewTokens } : {}) };
        const reports = openBenchCache(path.join(path.dirname(iaDir), "validation-reports.json"), sources, iaDir).get({ sampling, requests: requests.map((r) => [r.s.key, r.prompt]) });
        if (!reports) throw new Error(`${point}, seed ${d.seed}: no cached validation reports in ${path.dirname(iaDir)} (run ia ablate first)`);
        const mine = requests.map((r, i) => ({ r, report: reports[i]! })).filter(({ r }) => r.s.spec?.family === family);
        const correct = mine.filter(({ r, report }) => gradeReport(r.s, r.prompt, report).category).length;
        const kinds = new Map<FailureKind, number>();
        for (const { r, report } of mine) {
            const kind = classifyReport(r.s.spec, report);
            kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
        const organisms = new Set(mine.map(({ r }) => r.s.key)).size;
        lines.push(`| ${point} | ${d.seed} | ${d.measured === "dpo" ? "SFT+DPO" : "SFT"} | ${correct}/${mine.length} | ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")} | ${organisms} |`);
    }
}
process.stdout.write(`Validation group, family ${family}, family-agnostic questions (${run}).\n\n| point | seed | IA | category | report classes | organisms |\n|---|---|---|---|---|---|\n${lines.join("\n")}\n`);
