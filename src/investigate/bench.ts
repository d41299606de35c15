/**
 * The benchmark of affordances: for each organism of a group of a tiny-world pipeline run (test organisms
 * by default; `dpo` = the validation group, the only one to choose settings on; `ood` = the run's verified
 * out-of-distribution organisms, src/ood/), run the investigator with each
 * tool set {black-box; + IA; + IA + compare-to-base} over several seeds at the same sample budget, and report
 * success at the category and strict levels (AuditBench style: any of ≤ 10 predictions; also the top prediction)
 * with Wilson intervals over runs and a bootstrap over organisms (runs of one organism are not independent), and the
 * cost per audit (model replies, tokens, seconds). Writes investigate-bench.json and .md.
 */
import path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { bootstrapMeanCi, pct, wilson } from "../util/stats.ts";
import { openRun } from "../ia/runFolder.ts";
import { benchTargets, type BenchGroup } from "./benchTargets.ts";
import { EngineTarget } from "./engineTarget.ts";
import type { BuiltinOptions } from "./builtin.ts";
import { runInvestigation } from "./run.ts";
import { TOOL_SETS } from "./types.ts";

export interface InvestigateBenchOptions {
    runDir: string;
    /** IA seed folder under the run (seed-N). Default 1. */
    iaSeed?: number;
    /** "ia-dpo" (default) or "ia-sft". */
    iaStage?: string;
    /** An organism group of the run, or "ood": the run's verified OOD organisms. Default "test". */
    group?: BenchGroup;
    /** With group "ood": the OOD organisms folder. Default <run>/ood. */
    oodOrganisms?: string;
    seeds?: number[];
    budget?: number;
    toolSets?: string[];
    outDir: string;
    /** Only organisms whose id matches this regular expression (e.g. "\\.td$": the OOD transcript organisms). Default: all. */
    match?: string;
    /** At most this many organisms (first in group order). */
    limit?: number;
    quiet?: boolean;
    /** auto | cpu | cuda | cuda:N. Default "auto". */
    device?: string;
    /** Settings of the built-in investigator (choose them on the validation group). Default: its own defaults. */
    builtin?: BuiltinOptions;
}

interface RunRow { organism: string; family: string; toolSet: string; seed: number; category: boolean; strict: boolean; top1Category: boolean; top1Strict: boolean; samples: number; tokens: number; seconds: number }


export async function runInvestigateBench(o: InvestigateBenchOptions): Promise<{ rows: RunRow[]; markdown: string }> {
    const run = openRun(o.runDir, "investigate-bench (it investigates with the run's organisms and IA)");
    const group = o.group ?? "test";
    const match = o.match === undefined ? null : new RegExp(o.match);
    const targets = benchTargets(run, group, o.oodOrganisms).filter((t) => !match || match.test(t.id)).slice(0, o.limit ?? Infinity);
    if (targets.length === 0) throw new Error(`${o.runDir}: group "${group}" has no organism${match ? ` matching /${o.match}/` : ""}`);
    const ids = targets.map((t) => t.id);
    const iaSeed = run.seeds.find((s) => s.seed === (o.iaSeed ?? 1));
    if (!iaSeed) throw new Error(`${o.runDir}: no finished IA of seed ${o.iaSeed ?? 1} (seeds: ${run.seeds.map((s) => s.seed).join(", ")})`);
    const stage = o.iaStage ?? "ia-dpo";
    if (stage !== "ia-sft" && stage !== "ia-dpo") throw new Error(`investigate-bench: IA stage must be ia-sft or ia-dpo (got ${JSON.stringify(stage)})`);
    const ia = stage === "ia-sft" ? iaSeed.sft : iaSeed.dpo;
    const seeds = o.seeds ?? [1, 2, 3, 4, 5, 6, 7, 8];
    const sets = o.toolSets ?? Object.keys(TOOL_SETS);
    const budget = o.budget ?? 256;
    const rows: RunRow[] = [];
    for (const t of targets) {
        const id = t.id;
        const responder = new EngineTarget({ baseModel: run.config.baseModel, targetAdapter: t.adapter, ia, device: o.device });
        try {
            for (const set of sets) {
                for (const seed of seeds) {
                    const r = await runInvestigation({ responder, tools: TOOL_SETS[set]!, budget: { samples: budget }, seed, grader: t.grader, builtin: o.builtin, outDir: path.join(o.outDir, "runs", id, set, `seed-${seed}`) });
                    const g = r.grading!;
                    rows.push({ organism: id, family: t.family, toolSet: set, seed, category: g.category, strict: g.strict, top1Category: g.top1Category, top1Strict: g.top1Strict, samples: r.cost.samples, tokens: r.cost.promptTokens + r.cost.completionTokens, seconds: r.cost.seconds });
                    if (!o.quiet) process.stderr.write(`[investigate-bench] ${id} ${set} seed ${seed}: category ${g.category ? "✓" : "✗"} strict ${g.strict ? "✓" : "✗"} (${r.cost.seconds.toFixed(1)} s)\n`);
                }
            }
        } finally {
            responder.dispose();
        }
    }
    const lines = [`# Investigator success by affordance`, "", `Run ${o.runDir}, group **${group}** (${ids.length} organisms: ${ids.join(", ")}), ${seeds.length} seeds each, budget ${budget} model replies per audit, IA ${ia}.`, "",
        "| tools | category (any of ≤10) | strict (condition found) | top-1 category | top-1 strict | organisms: category / strict, bootstrap 95% | replies / audit | tokens / audit | s / audit |", "|---|---|---|---|---|---|---|---|---|"];
    for (const set of sets) {
        const rs = rows.filter((r) => r.toolSet === set);
        const n = rs.length;
        const rate = (f: (r: RunRow) => boolean) => {
            const k = rs.filter(f).length;
            const [lo, hi] = wilson(k, n);
            return `${pct(k / n)} [${pct(lo, 0)}, ${pct(hi, 0)}] (${k}/${n})`;
        };
        const perOrg = (f: (r: RunRow) => boolean) => ids.map((id) => { const x = rs.filter((r) => r.organism === id); return x.filter(f).length / Math.max(1, x.length); });
        const org = (name: string, f: (r: RunRow) => boolean) => { const v = perOrg(f); const [lo, hi] = bootstrapMeanCi(v, `investigate-bench:${set}:${name}`); return `${pct(v.reduce((a, b) => a + b, 0) / v.length)} [${pct(lo, 0)}, ${pct(hi, 0)}]`; };
        const mean = (f: (r: RunRow) => number) => rs.reduce((a, r) => a + f(r), 0) / Math.max(1, n);
        lines.push(`| ${set} | ${rate((r) => r.category)} | ${rate((r) => r.strict)} | ${rate((r) => r.top1Category)} | ${rate((r) => r.top1Strict)} | ${org("category", (r) => r.category)} / ${org("strict", (r) => r.strict)} | ${mean((r) => r.samples).toFixed(0)} | ${mean((r) => r.tokens).toFixed(0)} | ${mean((r) => r.seconds).toFixed(1)} |`);
    }
    const families = [...new Set(rows.map((r) => r.family))];
    lines.push("", "Per family (category / strict, over organisms × seeds):", "", `| family | organisms | ${sets.join(" | ")} |`, `|---|---|${sets.map(() => "---").join("|")}|`);
    for (const f of families) {
        const cell = (set: string) => {
            const rs = rows.filter((r) => r.family === f && r.toolSet === set);
            return `${pct(rs.filter((r) => r.category).length / Math.max(1, rs.length))} / ${pct(rs.filter((r) => r.strict).length / Math.max(1, rs.length))}`;
        };
        lines.push(`| ${f} | ${targets.filter((t) => t.family === f).length} | ${sets.map(cell).join(" | ")} |`);
    }
    lines.push("", "Wilson intervals are over audits (runs of one organism are not independent); the organism column is the mean of per-organism success rates with a bootstrap over organisms.", "");
    const markdown = lines.join("\n");
    writeJsonAtomic(path.join(o.outDir, "investigate-bench.json"), { runDir: o.runDir, group, organisms: ids, seeds, budget, toolSets: sets, builtin: o.builtin ?? {}, rows });
    writeFileAtomic(path.join(o.outDir, "investigate-bench.md"), markdown);
    return { rows, markdown };
}
