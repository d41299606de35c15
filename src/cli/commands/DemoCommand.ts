/**
 * `ia demo` — the whole method on the embedded tiny world: base model, organisms of all 8 families, IA (SFT then
 * DPO), audits of two test organisms, and the benchmark table. Resumable: a rerun reuses finished stages. Ends by
 * printing the path of the HTML report (bench.html; each audit has its audit.html).
 */
import path from "node:path";
import type { CommandModule } from "yargs";
import { runAudit } from "../../ia/audit.ts";
import { runPipeline } from "../../ia/pipeline.ts";
import { pipelinePreset } from "../../ia/presets.ts";
import { writeAuditHtml } from "../../report/auditHtml.ts";
import { writeBenchHtml } from "../../report/benchHtml.ts";
import { formatDuration } from "../../train/progress.ts";
import { deviceOption } from "../validate.ts";

interface Args {
    preset: string;
    run: string;
    cache: string;
    device: string;
}

const DemoCommand: CommandModule<object, Args> = {
    command: "demo",
    describe: "Run the whole pipeline on the embedded tiny world and print audits and the benchmark",
    builder: (y) =>
        y
            .option("preset", { type: "string", default: "demo", group: "Optional:", describe: "demo | large | test" })
            .option("run", { type: "string", default: "runs/demo", group: "Optional:", describe: "Run folder" })
            .option("cache", { type: "string", default: ".cache", group: "Optional:", describe: "Cache of base models and populations" })
            .option("device", deviceOption()) as never,
    handler: async (a) => {
        const t0 = performance.now();
        const r = runPipeline({ preset: pipelinePreset(a.preset), runDir: a.run, cacheDir: a.cache, device: a.device });
        const benchHtml = await writeBenchHtml(path.join(a.run, "bench"));
        // Audit two organisms the IA never saw: one held-out slot value (if any) and one test organism.
        const targets = [...r.groups.heldoutValues.slice(0, 1), ...r.groups.test].slice(0, 2);
        const lastIa = r.iaDirs[r.iaDirs.length - 1]!;
        const sftChosen = r.report.chosen === "ia-sft";
        const ia = sftChosen ? lastIa.sft : lastIa.dpo;
        const auditPages: string[] = [];
        for (const t of targets) {
            const outDir = path.join(a.run, "audits", t.id);
            const out = await runAudit({
                baseModel: r.baseModel, targetAdapter: path.join(r.populationDir, t.adapter), ia, samples: 48, seed: 3, temperature: r.report.temperature,
                groundTruth: t.spec, outDir,
            });
            auditPages.push(await writeAuditHtml(outDir));
            process.stdout.write(`\n## Audit of held-out organism ${t.id} (${t.family}) with ${sftChosen ? "the SFT IA" : "the SFT+DPO IA"} (chosen on validation)\nground truth: "${t.label}"\n`);
            for (const c of out.summary.candidates) process.stdout.write(`  ${c.rank}. ${c.statement}  [${c.reports}/${out.summary.reports} reports]\n`);
            if (out.summary.candidates.length === 0) process.stdout.write("  (no behavior claimed)\n");
            const g = out.grading!;
            const strict = g.method === "llm" ? "" : `, ${(g.strictRate * 100).toFixed(0)}% with its condition`;
            process.stdout.write(`  judged: ${(g.categoryRate * 100).toFixed(0)}% of reports name the right behavior${strict}; top candidate ${g.topCandidateCorrect ? "correct" : "wrong"}\n`);
        }
        process.stdout.write(`\nDemo finished in ${formatDuration((performance.now() - t0) / 1000)}. Benchmark: ${path.join(a.run, "bench", "bench.md")} (JSON/CSV beside it); audits: ${auditPages.join(", ") || path.join(a.run, "audits")}\n`);
        // The last line is the report to open: a self-contained page (plots, sortable tables), no server needed.
        process.stdout.write(`Report: ${benchHtml}\n`);
    },
};
export default DemoCommand;
