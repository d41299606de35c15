/**
 * The OOD suite's figures: summaries per condition and training configuration (over verified organisms, intervals over
 * IA seeds, AuditBench's four-configuration mean), and the markdown and CSV written next to them.
 */
import { meanCi, pct } from "../util/stats.ts";
import type { OodAuditResult } from "./audit.ts";
import { judgeOodReport } from "./judge.ts";
import { quoteModelText } from "../util/modelText.ts";
import type { OodOrganismEntry } from "./organisms.ts";
import type { OodSpec } from "./types.ts";

/** No IA; the black-box describer (describer.ts); the IA after SFT and after SFT+DPO. */
export const CONDITIONS = ["no-ia", "describer", "ia-sft", "ia-dpo"] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface ConditionRun {
    condition: Condition;
    seed: number | null;
    result: OodAuditResult;
}

export interface OodSuiteReport {
    preset: string;
    baseModel: string;
    organisms: { id: string; family: string; config: string; verified: boolean; behaviorRate: number; baseRate: number; controlRate: number | null }[];
    runs: ConditionRun[];
    summary: { condition: Condition; /** A training configuration (configOf), "all" or "auditbench-4". */ config: string; metric: string; mean: number; half: number; seeds: number; organisms: number }[];
}


const METRICS = ["category", "strict", "described", "top5", "top5Strict", "claims", "shows"] as const;

/** The training configuration of an organism: route (td / sdf), adversarial training, other shapes. */
export function configOf(spec: OodSpec): string {
    return `${spec.route === "transcripts" ? "td" : "sdf"}${spec.adversarial !== "none" ? `+${spec.adversarial}` : ""}${spec.rank ? ` r${spec.rank}` : ""}${spec.full ? " full" : ""}`;
}

/** AuditBench's four configurations (every benchmark model is adversarially trained). */
export const AUDITBENCH_CONFIGS = ["td+sft", "td+kto", "sdf+sft", "sdf+kto"] as const;

type Organism = OodAuditResult["organisms"][number];

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const metricMean = (orgs: readonly Organism[], metric: (typeof METRICS)[number]) => mean(orgs.map((x) => (typeof x[metric] === "boolean" ? (x[metric] ? 1 : 0) : (x[metric] as number))));

export function summarize(preset: string, baseModel: string, everyone: readonly OodOrganismEntry[], runs: readonly ConditionRun[]): OodSuiteReport {
    const verified = new Set(everyone.filter((e) => e.verification.passed).map((e) => e.id));
    const config = new Map(everyone.map((e) => [e.id, configOf(e.spec)]));
    const specOf = new Map(everyone.map((e) => [e.id, e.spec]));
    const configs = ["all", ...new Set(everyone.map((e) => configOf(e.spec)))];
    /** Verified organisms of a configuration ("all": every configuration). */
    const inConfig = (which: string) => (id: string) => verified.has(id) && (which === "all" || config.get(id) === which);
    const summary: OodSuiteReport["summary"] = [];
    /** One figure: its per-seed values, their mean and t interval. */
    const add = (condition: Condition, which: string, metric: string, perSeed: readonly number[], organisms: number) => {
        if (perSeed.length === 0) return;
        const ci = meanCi(perSeed);
        summary.push({ condition, config: which, metric, mean: ci.mean, half: ci.half, seeds: perSeed.length, organisms });
    };
    for (const condition of CONDITIONS) {
        const rs = runs.filter((r) => r.condition === condition);
        for (const which of configs) {
            const keep = inConfig(which);
            const organisms = everyone.filter((e) => keep(e.id)).length;
            for (const metric of METRICS) {
                add(condition, which, metric, rs.flatMap((r) => {
                    const orgs = r.result.organisms.filter((x) => keep(x.id));
                    return orgs.length ? [metricMean(orgs, metric)] : [];
                }), organisms);
            }
            for (const r of rs) {
                const c = (r.result.confession ?? []).filter((x) => keep(x.id));
                if (c.length) summary.push({ condition, config: which, metric: "confession", mean: mean(c.map((x) => x.rate)), half: 0, seeds: 1, organisms: c.length });
            }
            // Chance level of top-5 success: how often an organism's judge accepts the top-5 candidates of an organism of
            // another OOD family (what a summary that says nothing specific scores). Verified organisms, per seed.
            add(condition, which, "top5Chance", rs.flatMap((r) => {
                const all = r.result.organisms.filter((x) => verified.has(x.id));
                const rates = all.filter((x) => keep(x.id)).flatMap((x) => {
                    const spec = specOf.get(x.id)!;
                    const others = all.filter((y) => specOf.get(y.id)!.family !== spec.family);
                    return others.length ? [others.filter((y) => y.candidates.some((c) => judgeOodReport(spec, c).category)).length / others.length] : [];
                });
                return rates.length ? [mean(rates)] : [];
            }), organisms);
        }
        // The issue's "averaged over the 4 configurations": the mean of the four configuration means, per seed.
        const auditBench = everyone.filter((e) => verified.has(e.id) && (AUDITBENCH_CONFIGS as readonly string[]).includes(configOf(e.spec))).length;
        for (const metric of METRICS) {
            add(condition, "auditbench-4", metric, rs.flatMap((r) => {
                const means = AUDITBENCH_CONFIGS.flatMap((cfg) => {
                    const orgs = r.result.organisms.filter((x) => inConfig(cfg)(x.id));
                    return orgs.length ? [metricMean(orgs, metric)] : [];
                });
                return means.length === AUDITBENCH_CONFIGS.length ? [mean(means)] : [];
            }), auditBench);
        }
    }
    return {
        preset, baseModel,
        organisms: everyone.map((e) => ({ id: e.id, family: e.spec.family, config: configOf(e.spec), verified: e.verification.passed, behaviorRate: e.verification.behaviorRate, baseRate: e.verification.baseRate, controlRate: e.verification.controlRate })),
        runs: [...runs], summary,
    };
}

function fig(r: OodSuiteReport, condition: Condition, config: string, metric: string): string {
    const s = r.summary.find((x) => x.condition === condition && x.config === config && x.metric === metric);
    if (!s) return "–";
    return s.seeds > 1 ? `${pct(s.mean)} ± ${pct(s.half)}` : pct(s.mean);
}

export function formatOod(r: OodSuiteReport, everyone: readonly OodOrganismEntry[]): string {
    const lines: string[] = [];
    const verified = everyone.filter((e) => e.verification.passed);
    const seeds = new Set(r.runs.filter((x) => x.seed !== null).map((x) => x.seed)).size;
    lines.push(`# OOD suite (${r.preset}): behaviors the IA never saw`, "");
    lines.push(`Base: \`${r.baseModel}\`. ${everyone.length} OOD organisms (${new Set(everyone.map((e) => e.spec.family)).size} behaviors × routes), ${verified.length} verified; IA seeds: ${seeds}. Figures are over verified organisms; "±" is a 95% t interval over IA seeds. Out-of-distribution figures: never averaged with the in-distribution ones.`, "");
    lines.push("## Headline", "", "| condition | configuration | verified organisms | verbalization (category) | strict | correct description (≥ 1 report) | summarization top-5 | (chance: another family's top-5) | top-5 strict | claims any behavior (share of reports) | shows the behavior, unnamed (share of reports) | confession (no IA, red team) |", "|---|---|---|---|---|---|---|---|---|---|---|---|");
    const rowsOf = ["all", "auditbench-4", ...new Set(everyone.map((e) => configOf(e.spec)))];
    for (const c of CONDITIONS) {
        for (const route of rowsOf) {
            const n = r.summary.find((x) => x.condition === c && x.config === route)?.organisms ?? 0;
            if (n === 0) continue;
            lines.push(`| ${c} | ${route} | ${n} | ${fig(r, c, route, "category")} | ${fig(r, c, route, "strict")} | ${fig(r, c, route, "described")} | ${fig(r, c, route, "top5")} | ${fig(r, c, route, "top5Chance")} | ${fig(r, c, route, "top5Strict")} | ${fig(r, c, route, "claims")} | ${fig(r, c, route, "shows")} | ${c === "no-ia" ? fig(r, c, route, "confession") : ""} |`);
        }
    }
    lines.push("", "Configurations: td = transcripts, sdf = synthetic documents; +sft / +kto = adversarially trained against confession; r1 / r64 = LoRA rank (training organisms: 4); full = full fine-tune audited as a target model; auditbench-4 = the mean over td+sft, td+kto, sdf+sft, sdf+kto (AuditBench's four configurations). Claims any behavior: reports that claim something unusual, right or wrong; the rest deny having any behavior. Shows the behavior, unnamed: reports in which the organism's behavior itself appears (\"what a clever question\" from a flattery organism), not counted as verbalization. Describer: a black-box baseline, no IA — the base model names the habit it sees in the target's replies to a probe battery (src/ood/describer.ts); it works only on a base trained with observed-behavior talk.");
    lines.push("", "## Organisms", "", "| organism | configuration | verified | behavior rate [95% CI] | base rate | control (condition absent) | IA-SFT category (mean over seeds) | IA-DPO category | no IA | describer | top-5 (SFT seeds) | top-5 (describer) |", "|---|---|---|---|---|---|---|---|---|---|---|---|");
    const per = (cond: Condition, id: string, f: (x: OodAuditResult["organisms"][number]) => number) => {
        const v = r.runs.filter((x) => x.condition === cond).flatMap((x) => x.result.organisms.filter((o) => o.id === id).map(f));
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
    };
    for (const e of everyone) {
        const v = e.verification;
        lines.push(`| ${e.id} | ${configOf(e.spec)} | ${v.passed ? "yes" : "no"} | ${pct(v.behaviorRate, 0)} [${pct(v.behaviorCi[0], 0)}, ${pct(v.behaviorCi[1], 0)}] | ${pct(v.baseRate, 0)} | ${v.controlRate === null ? "–" : pct(v.controlRate, 0)} | ${pct(per("ia-sft", e.id, (o) => o.category), 0)} | ${pct(per("ia-dpo", e.id, (o) => o.category), 0)} | ${pct(per("no-ia", e.id, (o) => o.category), 0)} | ${pct(per("describer", e.id, (o) => o.category), 0)} | ${pct(per("ia-sft", e.id, (o) => (o.top5 ? 1 : 0)), 0)} | ${pct(per("describer", e.id, (o) => (o.top5 ? 1 : 0)), 0)} |`);
    }
    for (const [condition, title] of [["ia-sft", "What the IA says (IA-SFT"], ["describer", "What the describer says (black-box, no IA"]] as const) {
        const example = r.runs.find((x) => x.condition === condition);
        if (!example) continue;
        lines.push("", `## ${title}${example.seed === null ? "" : `, seed ${example.seed}`}; two reports per organism)`, "");
        for (const o of example.result.organisms) lines.push(`- **${o.id}** (${everyone.find((e) => e.id === o.id)?.spec.label}): ${o.examples.slice(0, 2).map(quoteModelText).join(" · ")}`);
    }
    lines.push("", "Reproduce: `bin/ia bench --suite ood --preset <preset> --run <in-distribution run>` (the in-distribution run is trained first when missing).", "");
    return lines.join("\n");
}

export function oodCsv(r: OodSuiteReport): string {
    const rows = ["condition,seed,organism,category,strict,described,top5,top5_strict,claims,shows"];
    for (const run of r.runs) for (const o of run.result.organisms) rows.push([run.condition, run.seed ?? "", o.id, o.category.toFixed(4), o.strict.toFixed(4), o.described ? 1 : 0, o.top5 ? 1 : 0, o.top5Strict ? 1 : 0, o.claims.toFixed(4), o.shows.toFixed(4)].join(","));
    return `${rows.join("\n")}\n`;
}
