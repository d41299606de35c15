/**
 * `node --import tsx bench/ablationFamilies.ts <ablation run> <bench run> <family> <point>...` — one family's
 * validation figures for points of an `ia ablate` run, per seed: category rate and failure classes
 * (src/analyze/failures.ts). `ia ablate` prints only the pooled validation figure; a change aimed at one family
 * (e.g. `distractors`, for obscured-malign organisms) is judged here on that family too. Reads the ablation's cached
 * validation reports (it samples nothing: a point not yet measured is an error). The bench run is one on the same
 * preset and population: the draw is deterministic, so its DPO group is the ablation's validation group.
 */
import fs from "node:fs";
import path from "node:path";
import { classifyReport, type FailureKind } from "../src/analyze/failures.ts";
import { benchEvalOptions, benchSources, openBenchCache } from "../src/ia/benchmark.ts";
import type { IaSubject } from "../src/ia/data.ts";
import { evaluationRequests, gradeReport } from "../src/ia/evaluate.ts";
import type { PipelinePreset } from "../src/ia/presets.ts";
import { iaReportTokens } from "../src/ia/reports.ts";
import { openRun, runGroups } from "../src/ia/runFolder.ts";

const [run, benchRun, family, ...points] = process.argv.slice(2);
if (!run || !benchRun || !family || points.length === 0) throw new Error("usage: bench/ablationFamilies.ts <ablation run> <bench run> <family> <point>...");
const config = JSON.parse(fs.readFileSync(path.join(run, "config.json"), "utf8")) as { baseModel: string; populationDir: string };
const validation: IaSubject[] = runGroups(openRun(benchRun, "bench/ablationFamilies.ts")).groups.dpo.map((e) => ({ key: e.id, spec: e.spec }));
const sources = benchSources(config.baseModel, config.populationDir);
const lines: string[] = [];
for (const point of points) {
    const p = JSON.parse(fs.readFileSync(path.join(run, "points", `${point}.json`), "utf8")) as { preset: PipelinePreset; dirs: { seed: number; sft: string; dpo: string; measured: "sft" | "dpo" }[] };
    for (const d of p.dirs) {
        const iaDir = path.join(d.measured === "dpo" ? d.dpo : d.sft, "adapter");
        const maxNewTokens = iaReportTokens(iaDir);
        const o = { ...benchEvalOptions(p.preset.eval, "validation", "generic", d.seed), maxNewTokens };
        const { requests, key } = evaluationRequests(validation, validation.map((_, i) => i), o);
        const reports = openBenchCache(path.join(path.dirname(iaDir), "validation-reports.json"), sources, iaDir).get(key);
        if (!reports) throw new Error(`${point}, seed ${d.seed}: no cached validation reports in ${path.dirname(iaDir)} (run ia ablate first)`);
        const mine = requests.map((r, i) => ({ s: validation[r.subject]!, prompt: r.prompt, report: reports[i]! })).filter(({ s }) => s.spec?.family === family);
        const correct = mine.filter(({ s, prompt, report }) => gradeReport(s, prompt, report).category).length;
        const kinds = new Map<FailureKind, number>();
        for (const { s, report } of mine) {
            const kind = classifyReport(s.spec, report);
            kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
        const organisms = new Set(mine.map(({ s }) => s.key)).size;
        lines.push(`| ${point} | ${d.seed} | ${d.measured === "dpo" ? "SFT+DPO" : "SFT"} | ${correct}/${mine.length} | ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ")} | ${organisms} |`);
    }
}
process.stdout.write(`Validation group, family ${family}, family-agnostic questions (${run}).\n\n| point | seed | IA | category | report classes | organisms |\n|---|---|---|---|---|---|\n${lines.join("\n")}\n`);
