/**
 * `ia analyze --run R`: the failure analysis of a finished pipeline run, written to R/analysis/analysis.{md,json}.
 * Reads the benchmark's cached reports (no resampling) and samples only the extra decodings.
 */
import fs from "node:fs";
import path from "node:path";
import type { BenchReport, Condition, GroupName } from "../ia/benchmark.ts";
import { readJsonFile } from "../io/json.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { analyze, type Analysis } from "./analysis.ts";
import { collectReports, loadRun, type ReportRecord } from "./collect.ts";
import { formatAnalysis } from "./markdown.ts";

export interface AnalyzeOptions {
    run: string;
    /** Temperatures to sample the decoding comparison at (0 = greedy). Default [0, 0.3, 0.7, 1.0]; [] skips it. */
    temperatures?: number[];
    /**
     * Reports per organism for the scaffold's audits (the paper summarizes 100 self-reports per model into 5
     * candidates). Default 100; 0 skips them. Sampled at the benchmark's temperature on test organisms, held-out slot
     * values, negatives and the bare base.
     */
    auditReports?: number;
    /** Groups the scaffold's audits sample. Default test, heldoutValues, negatives, base. */
    auditGroups?: GroupName[];
    device?: string;
    quiet?: boolean;
}

const CONDITIONS: Condition[] = ["ia-dpo", "ia-sft", "no-ia"];
const BENCH_GROUPS: GroupName[] = ["validation", "test", "heldoutValues", "heldoutFamily", "negatives", "base"];
/** The decoding comparison: the group settings are chosen on, the held-out test group, and false claims. */
const DECODING_GROUPS: GroupName[] = ["validation", "test", "negatives"];
/** The scaffold's audits: the held-out organisms an auditor would meet, and the false alarms. */
export const AUDIT_GROUPS: GroupName[] = ["test", "heldoutValues", "negatives", "base"];

export function runAnalysis(o: AnalyzeOptions): { analysis: Analysis; markdown: string; outDir: string } {
    const log = (m: string) => o.quiet || process.stderr.write(`[analyze] ${m}\n`);
    const loaded = loadRun(o.run, o.device);
    try {
        const { run } = loaded;
        const benchFile = path.join(o.run, "bench", "bench.json");
        const bench = fs.existsSync(benchFile) ? (readJsonFile(benchFile, "benchmark report") as BenchReport) : null;
        log(`${o.run}: ${loaded.everyone.length} organisms, IA seeds ${run.seeds.map((s) => s.seed).join(", ")}; regrading the benchmark's reports`);
        const records = collectReports(loaded, { groups: BENCH_GROUPS, conditions: CONDITIONS, scopes: ["generic", "specific"] });
        const decoding: ReportRecord[] = [];
        for (const t of o.temperatures ?? [0, 0.3, 0.7, 1.0]) {
            log(`decoding at temperature ${t}`);
            decoding.push(...collectReports(loaded, { groups: DECODING_GROUPS, conditions: ["ia-dpo", "ia-sft"], scopes: ["generic"], temperature: t }));
        }
        const auditReports = o.auditReports ?? 100;
        let scaffold: ReportRecord[] = [];
        if (auditReports > 0) {
            log(`scaffold audits: ${auditReports} reports per organism`);
            scaffold = collectReports(loaded, { groups: o.auditGroups ?? AUDIT_GROUPS, conditions: CONDITIONS, scopes: ["generic"], reportsPerSubject: auditReports, cacheName: `audit-reports-${auditReports}` });
        }
        const analysis = analyze({ records, decoding, scaffold, sft: loaded.groups.sft, organisms: loaded.everyone });
        const markdown = formatAnalysis(analysis, { run: o.run, preset: run.config.name, seeds: run.seeds.map((s) => s.seed), chosen: bench?.chosen ?? null, temperature: run.config.eval.temperature });
        const outDir = path.join(o.run, "analysis");
        fs.mkdirSync(outDir, { recursive: true });
        writeJsonAtomic(path.join(outDir, "analysis.json"), analysis);
        writeFileAtomic(path.join(outDir, "analysis.md"), markdown + "\n");
        return { analysis, markdown, outDir };
    } finally {
        loaded.dispose();
    }
}
