/**
 * Scaling sweeps on the tiny world, each point a full IA training run on the shared (cached) population:
 *  - families: IAs trained on 1, 3, 5, 7 behavior families (a seeded order; the 8th family is always held out),
 *    measured on the held-out family and on in-distribution test organisms;
 *  - organisms: IAs trained on 25%, 50%, 100% of the SFT organisms;
 *  - base: the whole pipeline (population included) on each base-model size preset, the same catalogue.
 * Prints one table per sweep and writes sweep.json.
 */
import path from "node:path";
import { BEHAVIOR_FAMILIES } from "../behaviors/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { Rng } from "../util/rng.ts";
import { summaryFigure, type BenchReport, type Condition, type GroupName } from "./benchmark.ts";
import { runPipeline } from "./pipeline.ts";
import type { PipelinePreset } from "./presets.ts";

interface SweepOptions {
    preset: PipelinePreset;
    runDir: string;
    cacheDir: string;
    device?: string;
}

interface SweepPoint {
    label: string;
    trainFamilies?: string[];
    sftOrganisms: number;
    heldoutFamily: { category: number; strict: number; reports: number } | null;
    test: { category: number; strict: number; reports: number } | null;
    /** The same questions without the IA, on the same organisms. */
    noIa: { heldoutFamily: { category: number; strict: number; reports: number } | null; test: { category: number; strict: number; reports: number } | null };
    nullClaims: number | null;
}

/**
 * One sweep point's figures (IA SFT+DPO, generic questions, first seed). `heldOut`: the family measured as held out —
 * only its organisms count, so every point is measured on the same organisms (families merely outside a point's
 * training set are also test-only, but they differ from point to point).
 */
function point(label: string, r: BenchReport, sftOrganisms: number, trainFamilies?: string[], heldOut?: string): SweepPoint {
    const first = Object.values(r.results)[0];
    const res = (group: "test" | "heldoutFamily" | "negatives", cond: "ia-dpo" | "no-ia" = "ia-dpo") => first?.[cond]?.[group]?.find((x) => x.scope === "generic");
    const fig = (a: { category: { rate: number; n: number }; strict: { rate: number } } | undefined) => (a ? { category: a.category.rate, strict: a.strict.rate, reports: a.category.n } : null);
    const held = (cond: "ia-dpo" | "no-ia") => {
        const r = res("heldoutFamily", cond);
        return fig(heldOut ? r?.byFamily[heldOut] : r?.overall);
    };
    return {
        label, trainFamilies, sftOrganisms,
        heldoutFamily: held("ia-dpo"),
        test: fig(res("test")?.overall),
        noIa: { heldoutFamily: held("no-ia"), test: fig(res("test", "no-ia")?.overall) },
        nullClaims: res("negatives")?.overall.claims.rate ?? null,
    };
}

function table(title: string, points: SweepPoint[]): string {
    const f = (x: { category: number; strict: number; reports: number } | null) => (x ? `${(x.category * 100).toFixed(1)}% / ${(x.strict * 100).toFixed(1)}% (n=${x.reports})` : "–");
    return [
        `## ${title}`, "",
        "| point | SFT organisms | held-out family: category / strict | (no IA) | test organisms: category / strict | (no IA) | null/decoy claims |",
        "|---|---|---|---|---|---|---|",
        ...points.map((p) => `| ${p.label} | ${p.sftOrganisms} | ${f(p.heldoutFamily)} | ${f(p.noIa.heldoutFamily)} | ${f(p.test)} | ${f(p.noIa.test)} | ${p.nullClaims === null ? "–" : `${(p.nullClaims * 100).toFixed(1)}%`} |`),
        "",
    ].join("\n");
}

export function runFamilySweep(o: SweepOptions): SweepPoint[] {
    const order = new Rng(`${o.preset.ia.split.seed}:family-order`).shuffle(BEHAVIOR_FAMILIES);
    const heldOut = order[order.length - 1] as string;
    const points: SweepPoint[] = [];
    for (const n of [1, 3, 5, 7]) {
        const preset = structuredClone(o.preset);
        preset.ia.trainFamilies = order.slice(0, n);
        preset.ia.heldOutFamily = heldOut;
        const r = runPipeline({ preset, runDir: path.join(o.runDir, `families-${n}`), cacheDir: o.cacheDir, device: o.device, quiet: false });
        points.push(point(`${n} famil${n === 1 ? "y" : "ies"} (${order.slice(0, n).join(", ")})`, r.report, r.groups.sft.length, order.slice(0, n), heldOut));
    }
    const text = `# Family-diversity sweep (held-out family: ${heldOut}; IA SFT+DPO, family-agnostic questions)\n\n` + table("Families in IA training", points);
    writeJsonAtomic(path.join(o.runDir, "sweep.json"), { sweep: "families", heldOut, points });
    writeFileAtomic(path.join(o.runDir, "sweep.md"), text);
    process.stdout.write(text + "\n");
    return points;
}

export function runOrganismSweep(o: SweepOptions): SweepPoint[] {
    const full = runPipeline({ preset: o.preset, runDir: path.join(o.runDir, "organisms-100"), cacheDir: o.cacheDir, device: o.device });
    const total = full.groups.sft.length;
    const points: SweepPoint[] = [];
    for (const frac of [0.25, 0.5]) {
        const preset = structuredClone(o.preset);
        preset.ia.sftLimit = Math.max(1, Math.round(total * frac));
        const r = runPipeline({ preset, runDir: path.join(o.runDir, `organisms-${frac * 100}`), cacheDir: o.cacheDir, device: o.device });
        points.push(point(`${frac * 100}% of SFT organisms`, r.report, r.groups.sft.length));
    }
    points.push(point("100% of SFT organisms", full.report, total));
    const text = "# Organism-count sweep (IA SFT+DPO, family-agnostic questions)\n\n" + table("SFT organisms", points);
    writeJsonAtomic(path.join(o.runDir, "sweep.json"), { sweep: "organisms", points });
    writeFileAtomic(path.join(o.runDir, "sweep.md"), text);
    process.stdout.write(text + "\n");
    return points;
}

interface BasePoint {
    base: string;
    parameters: number;
    /** Held-out world accuracy of the base itself. */
    baseAccuracy: number;
    verified: number;
    trained: number;
    sftOrganisms: number;
    /** Mean over IA seeds (± t half-width) of the benchmark summary's figure, or null if absent. */
    figures: Record<string, { mean: number; half: number; seeds: number } | null>;
}

const BASE_FIGURES: [string, Condition, GroupName, string][] = [
    // [key, condition, group, metric] — family-agnostic questions throughout.
    ["test category", "ia-dpo", "test", "category"],
    ["test strict", "ia-dpo", "test", "strict"],
    ["no-IA test category", "no-ia", "test", "category"],
    ["no-IA test strict", "no-ia", "test", "strict"],
    ["held-out values category", "ia-dpo", "heldoutValues", "category"],
    ["held-out values strict", "ia-dpo", "heldoutValues", "strict"],
    ["null/decoy claims", "ia-dpo", "negatives", "claims"],
];

export function runBaseSweep(o: SweepOptions & { bases: string[] }): BasePoint[] {
    const points: BasePoint[] = [];
    for (const base of o.bases) {
        const preset = structuredClone(o.preset);
        preset.base.preset = base;
        const r = runPipeline({ preset, runDir: path.join(o.runDir, `base-${base}`), cacheDir: o.cacheDir, device: o.device });
        const figures: BasePoint["figures"] = {};
        for (const [key, condition, group, metric] of BASE_FIGURES) {
            const s = summaryFigure(r.report.summary, condition, group, metric);
            figures[key] = s ? { mean: s.mean, half: s.half, seeds: s.seeds } : null;
        }
        points.push({
            base, parameters: r.report.base.parameters, baseAccuracy: r.report.base.heldOutAccuracy,
            verified: r.report.population.reduce((n, f) => n + f.verified, 0), trained: r.report.population.reduce((n, f) => n + f.trained, 0),
            sftOrganisms: r.groups.sft.length, figures,
        });
    }
    const f = (x: { mean: number; half: number; seeds: number } | null) => (x ? `${(x.mean * 100).toFixed(1)}%${x.seeds > 1 ? ` ± ${(x.half * 100).toFixed(1)}` : ""}` : "–");
    const text = [
        `# Base-size sweep (preset ${o.preset.name}; IA SFT+DPO, family-agnostic questions; mean over ${o.preset.seeds.length} IA seed(s))`, "",
        `| base | parameters | base accuracy | organisms verified / trained | SFT organisms | ${BASE_FIGURES.map(([k]) => k).join(" | ")} |`,
        `|---|---|---|---|---|${BASE_FIGURES.map(() => "---").join("|")}|`,
        ...points.map((p) => `| ${p.base} | ${(p.parameters / 1e6).toFixed(2)}M | ${(p.baseAccuracy * 100).toFixed(1)}% | ${p.verified} / ${p.trained} | ${p.sftOrganisms} | ${BASE_FIGURES.map(([k]) => f(p.figures[k] ?? null)).join(" | ")} |`),
        "",
    ].join("\n");
    writeJsonAtomic(path.join(o.runDir, "sweep.json"), { sweep: "base", points });
    writeFileAtomic(path.join(o.runDir, "sweep.md"), text);
    process.stdout.write(text + "\n");
    return points;
}
