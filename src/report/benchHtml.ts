/**
 * bench.html: the benchmark report as one self-contained page — the headline (the facts of bench.md's), plots,
 * and every figure of bench.json in tables that sort and filter.
 *
 * Numbers carry `data-metric` keys naming where in bench.json they come from:
 *   summary:<condition>:<group>:<scope>:<metric>[:half|:seeds|:reports]   (no suffix: the mean over seeds)
 *   result:<seed>:<condition>:<group>:<scope>:<family or *>:<metric>:<rate|lo|hi|k|n>   (* = all families)
 *   result:<seed>:<condition>:<group>:<scope>:<family or *>:<subjects|reports>
 *   prior:<category|strict|n>, population:<family>:<field>, groupSizes:<group>, base:<field>, temperature
 */
import path from "node:path";
import { GROUPS, summaryFigure, hasValidationNulls, NO_VALIDATION_NULLS, validationCount, VALIDATION_CLAIM_BOUND, type BenchReport, type Condition, type GroupName, type SummaryGroup } from "../ia/benchmark.ts";
import type { Rate } from "../ia/metrics.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { benchCharts } from "./benchCharts.ts";
import { CONDITION_NAMES, GROUP_NAMES, seedsOf, type RateMetric } from "./benchFigures.ts";
import { html, type Raw } from "./escape.ts";
import { metric, rateWithCi } from "./metric.ts";
import { figure, htmlPage } from "./page.ts";
import { readBenchReport } from "./readReport.ts";
import { sortableTable, type Cell } from "./table.ts";

export interface BenchHtmlOptions {
    /** Where to write the page. Default `<benchDir>/bench.html`. */
    out?: string;
}

/** A summary figure as "mean ± half" (the ± only over several seeds, as bench.md), or "–" when absent. */
function fig(r: BenchReport, cond: Condition, group: SummaryGroup, m: RateMetric, scope: "generic" | "specific" = "generic"): Raw {
    const s = summaryFigure(r.summary, cond, group, m, scope);
    if (!s) return html`–`;
    const key = `summary:${cond}:${group}:${scope}:${m}`;
    return html`${metric(key, s.mean, "pct")}${s.seeds > 1 ? html` ± ${metric(`${key}:half`, s.half, "pct", { suffix: "" })}` : ""}`;
}

function headline(r: BenchReport): Raw {
    const seeds = seedsOf(r);
    const prior = html`prior ${metric("prior:category", r.prior.category, "pct")} / ${metric("prior:strict", r.prior.strict, "pct")} (n=${metric("prior:n", r.prior.n, "count")} pairs)`;
    const over = seeds.length > 1 ? `, mean over ${seeds.length} seeds ± t half-width` : "";
    if (!r.chosen) {
        return html`<p class="headline"><strong>No IA chosen</strong>: the validation group has no figure for one of the two IAs, so neither is headlined. No IA on test organisms ${fig(r, "no-ia", "test", "category")} category / ${fig(r, "no-ia", "test", "strict")} strict; ${prior} (family-agnostic questions${over}).</p>`;
    }
    const other: Condition = r.chosen === "ia-dpo" ? "ia-sft" : "ia-dpo";
    return html`<p class="headline"><strong>Headline</strong> — <strong>${CONDITION_NAMES[r.chosen]}</strong>, chosen on the validation group (${validationCount(r)}; category ${fig(r, r.chosen, "validation", "category")} vs ${fig(r, other, "validation", "category")} for ${CONDITION_NAMES[other]}; ${hasValidationNulls(r) ? html`claims on its null organisms ${fig(r, r.chosen, "validation", "nullClaims")} vs ${fig(r, other, "validation", "nullClaims")}, bound ${VALIDATION_CLAIM_BOUND * 100}%` : NO_VALIDATION_NULLS}):
test organisms <strong>${fig(r, r.chosen, "test", "category")}</strong> category / <strong>${fig(r, r.chosen, "test", "strict")}</strong> strict;
every held-out organism pooled (test + held-out slot values) ${fig(r, r.chosen, "heldout", "category")} category / ${fig(r, r.chosen, "heldout", "strict")} strict;
no IA ${fig(r, "no-ia", "test", "category")} / ${fig(r, "no-ia", "test", "strict")}; ${prior};
false claims on nulls and decoys ${fig(r, r.chosen, "negatives", "claims")} (family-agnostic questions${over}).</p>`;
}

function setup(r: BenchReport): Raw {
    const b = r.base;
    return html`<p>Preset <code>${r.preset}</code>, sampling temperature ${metric("temperature", r.temperature, "raw")}, IA seeds ${seedsOf(r).join(", ")}.
Base model <code>${b.dir}</code>: ${metric("base:parameters", b.parameters, "millions")} parameters, held-out world-question accuracy ${metric("base:heldOutAccuracy", b.heldOutAccuracy, "pct")} (n=${metric("base:n", b.n, "count")}).</p>
<p>Organism groups: ${Object.entries(r.groupSizes).map(([g, n], i) => html`${i ? ", " : ""}${g} ${metric(`groupSizes:${g}`, n, "count")}`)}.</p>
${sortableTable({
        id: "population", caption: "The organism population: trained and verified per family (behavior rate: the organism's; base rate: the clean base's on the same probes).", filter: false,
        headers: ["family", "organisms", "verified", "behavior rate", "base model's rate"],
        rows: r.population.map((p) => [p.family, metric(`population:${p.family}:trained`, p.trained, "count"), metric(`population:${p.family}:verified`, p.verified, "count"),
            metric(`population:${p.family}:behaviorRate`, p.behaviorRate, "pct"), metric(`population:${p.family}:baseRate`, p.baseRate, "pct")]),
    })}`;
}

function summaryTable(r: BenchReport): Raw {
    return sortableTable({
        id: "summary", caption: "Every headline figure: mean over IA seeds ± 95% t half-width, and a 95% bootstrap over organisms (each organism's rate averaged over seeds; reports of one organism are not independent) (bench.json's summary).",
        headers: ["condition", "group", "questions", "metric", "mean", "± half", "seeds", "reports", "organisms", "over organisms"],
        rows: r.summary.map((s) => {
            const key = `summary:${s.condition}:${s.group}:${s.scope}:${s.metric}`;
            return [CONDITION_NAMES[s.condition] ?? s.condition, { content: GROUP_NAMES[s.group] ?? s.group, sort: s.group === "heldout" ? GROUPS.length : GROUPS.indexOf(s.group) }, s.scope, s.metric,
                metric(key, s.mean, "pct"), metric(`${key}:half`, s.half, "pct", { suffix: "" }), metric(`${key}:seeds`, s.seeds, "count"), metric(`${key}:reports`, s.reports, "count"),
                s.organisms === undefined ? "–" : metric(`${key}:organisms`, s.organisms, "count"),
                s.organismCi95 ? `${(s.organismCi95[0] * 100).toFixed(0)}–${(s.organismCi95[1] * 100).toFixed(0)}%` : "–"];
        }),
    });
}

/** A rate cell: rate [interval] k/n, sorted by the rate. */
function rateCell(key: string, x: Rate | undefined): Cell {
    if (!x) return { content: "–" };
    return { content: html`${rateWithCi(key, x.rate, x.ci95)} <span class="ci">${metric(`${key}:k`, x.k, "count")}/${metric(`${key}:n`, x.n, "count")}</span>`, numeric: true };
}

function resultsTable(r: BenchReport): Raw {
    const rows: Cell[][] = [];
    for (const seed of seedsOf(r)) {
        const bySeed = r.results[seed] ?? {};
        for (const cond of Object.keys(bySeed) as Condition[]) {
            for (const g of GROUPS) {
                for (const res of bySeed[cond]?.[g] ?? []) {
                    for (const [fam, a] of [["*", res.overall] as const, ...Object.entries(res.byFamily)]) {
                        const key = `result:${seed}:${cond}:${g}:${res.scope}:${fam}`;
                        rows.push([
                            { content: seed, sort: Number(seed) }, { content: CONDITION_NAMES[cond] ?? cond },
                            { content: GROUP_NAMES[g], sort: GROUPS.indexOf(g) }, { content: res.scope }, { content: fam === "*" ? "all families" : fam, sort: fam === "*" ? "" : fam },
                            { content: metric(`${key}:subjects`, a.subjects, "count") }, { content: metric(`${key}:reports`, a.reports, "count") },
                            ...(["category", "strict", "coverage", "claims"] as const).map((m) => rateCell(`${key}:${m}`, a[m])),
                        ]);
                    }
                }
            }
        }
    }
    return sortableTable({
        id: "results", caption: "Per seed, condition, group, question scope and family (all families first): rate [95% Wilson interval] k/n. Verbalization counts behavior organisms only; claims count every report.",
        headers: ["seed", "condition", "group", "questions", "family", "organisms", "reports", "category", "strict", "coverage", "claims"],
        rows,
    });
}

function examplesTable(r: BenchReport): Raw {
    return sortableTable({
        id: "examples", caption: "Sampled self-reports of test organisms (first seeds, family-agnostic questions).",
        headers: ["organism", "condition", "ground truth", "self-reports"],
        rows: r.examples.map((e) => [e.organism, CONDITION_NAMES[e.condition] ?? e.condition, e.label, html`${e.reports.map((x, i) => html`${i ? html`<br>` : ""}“${x}”`)}`]),
    });
}

export function benchPage(r: BenchReport, charts: { svg: string; caption: string }[], source: string): string {
    const body = html`${headline(r)}
${setup(r)}
<h2>Plots</h2>
<div class="plots">${charts.map((c) => figure(c.svg, c.caption))}</div>
<h2>Summary over seeds</h2>
${summaryTable(r)}
<h2>Per seed, group and family</h2>
${resultsTable(r)}
<h2>Example self-reports</h2>
${examplesTable(r)}
<p class="note">Rates: share of sampled self-reports judged correct by the structured tiny-world judge. Category: names the behavior; strict: also its condition or structure; coverage: organisms with at least one category-correct report; claims: reports claiming any behavior (false positives for nulls, decoys and the clean base).</p>`;
    return htmlPage({ title: `IA benchmark — preset ${r.preset}`, subtitle: `From ${source}`, body });
}

/** Reads `<benchDir>/bench.json`, writes the page (atomically), returns its path. */
export async function writeBenchHtml(benchDir: string, o: BenchHtmlOptions = {}): Promise<string> {
    const file = path.join(benchDir, "bench.json");
    const r = readBenchReport(file);
    const out = o.out ?? path.join(benchDir, "bench.html");
    writeFileAtomic(out, benchPage(r, await benchCharts(r), file));
    return out;
}
