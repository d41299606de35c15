/**
 * sweep.html: a scaling sweep as a page — its curve (the sweep's own sweep.svg when there is a plain one, else the
 * same curve rendered from sweep.json) and every figure of every point in a table that sorts and filters.
 *
 * Numbers carry `data-metric` keys naming where in sweep.json they come from:
 *   point:<index>:<x|sftOrganisms>, point:<index>:base:<field>, point:<index>:figure:<figure key>:<mean|half|seeds|reports>
 */
import fs from "node:fs";
import path from "node:path";
import type { Condition } from "../ia/benchmark.ts";
import type { SweepPoint } from "../ia/sweeps.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { curveSvg, type CurvePoint } from "../plots/curve.ts";
import { CONDITION_NAMES, CONDITIONS } from "./benchFigures.ts";
import { html, type Raw } from "./escape.ts";
import { metric } from "./metric.ts";
import { figure, htmlPage } from "./page.ts";
import { readSweepFile, type SweepFile } from "./readReport.ts";
import { scopeSvgIds, inlineSvg } from "./svg.ts";
import { sortableTable, type Cell } from "./table.ts";

export interface SweepHtmlOptions {
    /** Where to write the page. Default `<sweepDir>/sweep.html`. */
    out?: string;
}

const TITLES: Record<SweepFile["sweep"], string> = { families: "Family-diversity sweep", organisms: "Organism-count sweep", base: "Base-size sweep" };

/** "ia-sft heldoutFamily category" → "IA (SFT only): left-out family category". */
function figureTitle(key: string): string {
    const [c, ...rest] = key.split(" ");
    const name = CONDITION_NAMES[c as Condition] ?? c;
    return `${name}: ${rest.join(" ").replace("heldoutFamily", "left-out family").replace("negatives claims", "null/decoy claims")}`;
}

/** Figure keys in first-appearance order over the points. */
function figureKeys(points: readonly SweepPoint[]): string[] {
    return [...new Set(points.flatMap((p) => Object.keys(p.figures)))];
}

function figureCell(key: string, f: SweepPoint["figures"][string] | undefined): Cell {
    if (!f) return { content: html`–`, sort: "" };
    return {
        content: html`${metric(`${key}:mean`, f.mean, "pct")}${f.seeds > 1 ? html` ± ${metric(`${key}:half`, f.half, "pct", { suffix: "" })}` : ""}
<span class="ci">(${metric(`${key}:seeds`, f.seeds, "count")} seed${f.seeds === 1 ? "" : "s"}, ${metric(`${key}:reports`, f.reports, "count")} reports)</span>`,
        numeric: true,
    };
}

function pointsTable(s: SweepFile): Raw {
    const keys = figureKeys(s.points);
    const withBase = s.points.some((p) => p.base);
    return sortableTable({
        id: "points", caption: "Every point of the sweep: mean over IA seeds ± 95% t half-width, family-agnostic questions.",
        headers: ["point", "x", "SFT organisms", ...(withBase ? ["parameters", "base accuracy", "verified", "trained"] : []), ...(s.points.some((p) => p.trainFamilies) ? ["training families"] : []), ...keys.map(figureTitle)],
        rows: s.points.map((p, i) => {
            const k = `point:${i}`;
            return [
                { content: p.label, sort: i }, metric(`${k}:x`, p.x, "raw"), metric(`${k}:sftOrganisms`, p.sftOrganisms, "count"),
                ...(withBase ? [metric(`${k}:base:parameters`, p.base?.parameters, "millions"), metric(`${k}:base:accuracy`, p.base?.accuracy, "pct"), metric(`${k}:base:verified`, p.base?.verified, "count"), metric(`${k}:base:trained`, p.base?.trained, "count")] : []),
                ...(s.points.some((q) => q.trainFamilies) ? [(p.trainFamilies ?? []).join(", ")] : []),
                ...keys.map((key) => figureCell(`${k}:figure:${key}`, p.figures[key])),
            ];
        }),
    });
}

/** The sweep's curve as sweep.ts draws it: one line per condition, the headline figure against x. */
async function renderCurve(s: SweepFile): Promise<string> {
    const metricKey = s.sweep === "families" ? "heldoutFamily category" : "test category";
    const points: CurvePoint[] = s.points.flatMap((p) => CONDITIONS.flatMap((c) => {
        const f = p.figures[`${c} ${metricKey}`];
        return f && Number.isFinite(f.mean) ? [{ series: CONDITION_NAMES[c], x: p.x, y: f.mean, lo: f.mean - f.half, hi: f.mean + f.half }] : [];
    }));
    const xTitle = s.sweep === "families" ? "behavior families in IA training" : s.sweep === "organisms" ? "SFT organisms in IA training" : "base parameters";
    const title = s.sweep === "families" ? `Left-out family${s.heldOut ? ` (${s.heldOut})` : ""} vs families in IA training` : `Test organisms vs ${s.sweep === "organisms" ? "SFT organisms" : "base size"}`;
    const svg = await curveSvg({ title, xTitle, yTitle: "verbalization (category), mean over seeds ± 95% t", xScale: s.sweep === "base" ? "log" : "linear", points });
    return scopeSvgIds(svg, "curve");
}

export function sweepPage(s: SweepFile, plot: { svg: string; caption: string }, source: string): string {
    const body = html`<p>${s.points.length} points${s.heldOut ? html`; left-out family <strong>${s.heldOut}</strong> (never in any point's IA training)` : ""}. Each point is a full IA training run; figures are means over the IA seeds with t intervals.</p>
<div class="plots">${figure(plot.svg, plot.caption)}</div>
<h2>Points</h2>
${pointsTable(s)}`;
    return htmlPage({ title: TITLES[s.sweep], subtitle: `From ${source}`, body });
}

/** Reads `<sweepDir>/sweep.json` (and sweep.svg when present), writes the page (atomically), returns its path. */
export async function writeSweepHtml(sweepDir: string, o: SweepHtmlOptions = {}): Promise<string> {
    const file = path.join(sweepDir, "sweep.json");
    const s = readSweepFile(file);
    const svgFile = path.join(sweepDir, "sweep.svg");
    const own = fs.existsSync(svgFile) ? inlineSvg(fs.readFileSync(svgFile, "utf8"), "sweep") : null;
    const plot = own
        ? { svg: own, caption: `The sweep's scaling curve (${svgFile}).` }
        : { svg: await renderCurve(s), caption: `The scaling curve, drawn from sweep.json${fs.existsSync(svgFile) ? ` (${svgFile} is not a plain SVG and was not inlined)` : ""}.` };
    const out = o.out ?? path.join(sweepDir, "sweep.html");
    writeFileAtomic(out, sweepPage(s, plot, file));
    return out;
}
