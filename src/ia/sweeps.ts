/**
 * Scaling sweeps on the tiny world, each point a full IA training run on the shared (cached) population:
 *  - families: IAs trained on 1, 3, 5, 7 behavior families (a seeded order; the 8th family is always held out),
 *    measured on the left-out family and on in-distribution test organisms;
 *  - organisms: IAs trained on 25%, 50%, 100% of the SFT organisms;
 *  - base: the whole pipeline (population included) on each base-model size preset, the same catalogue.
 * Every figure is a mean over the preset's IA seeds with a t interval, for the SFT IA, the SFT+DPO IA and no IA.
 * Writes sweep.json, sweep.md and the scaling curve sweep.svg.
 */
import path from "node:path";
import { BEHAVIOR_FAMILIES } from "../behaviors/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { curveSvg, type CurvePoint } from "../plots/curve.ts";
import { Rng } from "../util/rng.ts";
import { meanCi } from "../util/stats.ts";
import type { BenchReport, Condition, GroupName } from "./benchmark.ts";
import { runPipeline } from "./pipeline.ts";
import type { PipelinePreset } from "./presets.ts";

interface SweepOptions {
    preset: PipelinePreset;
    runDir: string;
    cacheDir: string;
    device?: string;
}

/** Mean over IA seeds ± t half-width; `reports` summed over seeds. */
export interface SeedFigure {
    mean: number;
    half: number;
    seeds: number;
    reports: number;
}

export interface SweepPoint {
    label: string;
    /** The swept quantity (families, SFT organisms, parameters). */
    x: number;
    sftOrganisms: number;
    trainFamilies?: string[];
    /** Figures by "<condition> <group> <metric>", e.g. "ia-sft test category". */
    figures: Record<string, SeedFigure | null>;
    /** Base sweep only. */
    base?: { name: string; parameters: number; accuracy: number; verified: number; trained: number };
}

const CONDITIONS: Condition[] = ["ia-sft", "ia-dpo", "no-ia"];
const NAMES: Record<Condition, string> = { "ia-dpo": "IA (SFT+DPO)", "ia-sft": "IA (SFT only)", "no-ia": "no IA" };

/** One figure over seeds, family-agnostic questions; `family` narrows a group to one family's organisms. */
export function seedFigure(r: BenchReport, cond: Condition, group: GroupName, metric: "category" | "strict" | "claims", family?: string): SeedFigure | null {
    const per = Object.values(r.results).flatMap((bySeed) => {
        const res = bySeed[cond]?.[group]?.find((x) => x.scope === "generic");
        const a = family ? res?.byFamily[family] : res?.overall;
        return a && a[metric].n > 0 ? [a[metric]] : [];
    });
    if (per.length === 0) return null;
    const { mean, half } = meanCi(per.map((x) => x.rate));
    return { mean, half, seeds: per.length, reports: per.reduce((s, x) => s + x.n, 0) };
}

function figuresOf(r: BenchReport, heldOut?: string): SweepPoint["figures"] {
    const out: SweepPoint["figures"] = {};
    for (const c of CONDITIONS) {
        out[`${c} test category`] = seedFigure(r, c, "test", "category");
        out[`${c} test strict`] = seedFigure(r, c, "test", "strict");
        if (heldOut) out[`${c} heldoutFamily category`] = seedFigure(r, c, "heldoutFamily", "category", heldOut);
        if (c !== "no-ia") out[`${c} negatives claims`] = seedFigure(r, c, "negatives", "claims");
    }
    return out;
}

const fmt = (x: SeedFigure | null | undefined) => (x ? `${(x.mean * 100).toFixed(1)}%${x.seeds > 1 ? ` ± ${(x.half * 100).toFixed(1)}` : ""}` : "–");

function table(points: readonly SweepPoint[], keys: string[], extra: { head: string; cell: (p: SweepPoint) => string }[] = []): string {
    const title = (k: string) => {
        const [c, ...rest] = k.split(" ");
        return `${NAMES[c as Condition]}: ${rest.join(" ").replace("heldoutFamily", "left-out family").replace("negatives claims", "null/decoy claims")}`;
    };
    return [
        `| point | ${extra.map((e) => e.head).join(" | ")}${extra.length ? " | " : ""}SFT organisms | ${keys.map(title).join(" | ")} |`,
        `|---|${extra.map(() => "---|").join("")}---|${keys.map(() => "---").join("|")}|`,
        ...points.map((p) => `| ${p.label} | ${extra.map((e) => e.cell(p)).join(" | ")}${extra.length ? " | " : ""}${p.sftOrganisms} | ${keys.map((k) => fmt(p.figures[k])).join(" | ")} |`),
        "",
    ].join("\n");
}

/** The scaling curve: one line per condition, the figure `metricKey` ("test category") against the point's x. */
async function writeCurve(runDir: string, points: readonly SweepPoint[], metricKey: string, o: { title: string; xTitle: string; xScale?: "linear" | "log" }): Promise<void> {
    const curve: CurvePoint[] = points.flatMap((p) => CONDITIONS.flatMap((c) => {
        const f = p.figures[`${c} ${metricKey}`];
        return f ? [{ series: NAMES[c], x: p.x, y: f.mean, lo: f.mean - f.half, hi: f.mean + f.half }] : [];
    }));
    writeFileAtomic(path.join(runDir, "sweep.svg"), await curveSvg({ ...o, yTitle: "verbalization (category), mean over seeds ± 95% t", points: curve }));
}

function finish(runDir: string, json: unknown, text: string): void {
    writeJsonAtomic(path.join(runDir, "sweep.json"), json);
    writeFileAtomic(path.join(runDir, "sweep.md"), text);
    process.stdout.write(text + "\n");
}

const seedsNote = (p: PipelinePreset) => `family-agnostic questions; mean over ${p.seeds.length} IA seed(s) ± t 95% half-width`;

export async function runFamilySweep(o: SweepOptions): Promise<SweepPoint[]> {
    const order = new Rng(`${o.preset.ia.split.seed}:family-order`).shuffle(BEHAVIOR_FAMILIES);
    const heldOut = order[order.length - 1] as string;
    const points: SweepPoint[] = [];
    for (const n of [1, 3, 5, 7]) {
        const preset = structuredClone(o.preset);
        preset.ia.trainFamilies = order.slice(0, n);
        preset.ia.heldOutFamily = heldOut;
        const r = runPipeline({ preset, runDir: path.join(o.runDir, `families-${n}`), cacheDir: o.cacheDir, device: o.device, quiet: false });
        points.push({ label: `${n} famil${n === 1 ? "y" : "ies"} (${order.slice(0, n).join(", ")})`, x: n, sftOrganisms: r.groups.sft.length, trainFamilies: order.slice(0, n), figures: figuresOf(r.report, heldOut) });
    }
    const keys = CONDITIONS.map((c) => `${c} heldoutFamily category`).concat(CONDITIONS.map((c) => `${c} test category`), ["ia-sft negatives claims", "ia-dpo negatives claims"]);
    finish(o.runDir, { sweep: "families", heldOut, points }, `# Family-diversity sweep (left-out family: ${heldOut}; ${seedsNote(o.preset)})\n\n${table(points, keys)}`);
    await writeCurve(o.runDir, points, "heldoutFamily category", { title: `Left-out family (${heldOut}) vs families in IA training`, xTitle: "behavior families in IA training" });
    return points;
}

export async function runOrganismSweep(o: SweepOptions): Promise<SweepPoint[]> {
    const full = runPipeline({ preset: o.preset, runDir: path.join(o.runDir, "organisms-100"), cacheDir: o.cacheDir, device: o.device });
    const total = full.groups.sft.length;
    const points: SweepPoint[] = [];
    for (const frac of [0.25, 0.5]) {
        const preset = structuredClone(o.preset);
        preset.ia.sftLimit = Math.max(1, Math.round(total * frac));
        const r = runPipeline({ preset, runDir: path.join(o.runDir, `organisms-${frac * 100}`), cacheDir: o.cacheDir, device: o.device });
        points.push({ label: `${frac * 100}% of SFT organisms`, x: r.groups.sft.length, sftOrganisms: r.groups.sft.length, figures: figuresOf(r.report) });
    }
    points.push({ label: "100% of SFT organisms", x: total, sftOrganisms: total, figures: figuresOf(full.report) });
    const keys = CONDITIONS.map((c) => `${c} test category`).concat(CONDITIONS.map((c) => `${c} test strict`), ["ia-sft negatives claims", "ia-dpo negatives claims"]);
    finish(o.runDir, { sweep: "organisms", points }, `# Organism-count sweep (preset ${o.preset.name}; the same test organisms at every point; ${seedsNote(o.preset)})\n\n${table(points, keys)}`);
    await writeCurve(o.runDir, points, "test category", { title: `Test organisms vs SFT organisms (preset ${o.preset.name})`, xTitle: "SFT organisms in IA training" });
    return points;
}

export async function runBaseSweep(o: SweepOptions & { bases: string[] }): Promise<SweepPoint[]> {
    const points: SweepPoint[] = [];
    for (const name of o.bases) {
        const preset = structuredClone(o.preset);
        preset.base.preset = name;
        const r = runPipeline({ preset, runDir: path.join(o.runDir, `base-${name}`), cacheDir: o.cacheDir, device: o.device });
        points.push({
            label: name, x: r.report.base.parameters, sftOrganisms: r.groups.sft.length, figures: figuresOf(r.report),
            base: {
                name, parameters: r.report.base.parameters, accuracy: r.report.base.heldOutAccuracy,
                verified: r.report.population.reduce((n, f) => n + f.verified, 0), trained: r.report.population.reduce((n, f) => n + f.trained, 0),
            },
        });
    }
    const keys = CONDITIONS.map((c) => `${c} test category`).concat(CONDITIONS.map((c) => `${c} test strict`), ["ia-sft negatives claims", "ia-dpo negatives claims"]);
    const extra = [
        { head: "parameters", cell: (p: SweepPoint) => `${((p.base?.parameters ?? 0) / 1e6).toFixed(2)}M` },
        { head: "base accuracy", cell: (p: SweepPoint) => `${((p.base?.accuracy ?? NaN) * 100).toFixed(1)}%` },
        { head: "organisms verified / trained", cell: (p: SweepPoint) => `${p.base?.verified} / ${p.base?.trained}` },
    ];
    finish(o.runDir, { sweep: "base", points }, `# Base-size sweep (preset ${o.preset.name}; each base has its own population and test organisms; ${seedsNote(o.preset)})\n\n${table(points, keys, extra)}`);
    await writeCurve(o.runDir, points, "test category", { title: `Test organisms vs base size (preset ${o.preset.name})`, xTitle: "base parameters", xScale: "log" });
    return points;
}
