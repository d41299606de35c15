/**
 * Line charts with interval bars, rendered to a self-contained SVG by Vega-Lite (compiled to Vega and rendered
 * headless in Node: no browser, no canvas, no network). Used for the scaling curves written next to sweep.md.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface CurvePoint {
    /** The line this point belongs to ("IA (SFT only)"). */
    series: string;
    x: number;
    /** Rates in [0, 1]; lo/hi the interval drawn as a bar. */
    y: number;
    lo: number;
    hi: number;
}

export interface CurveOptions {
    title: string;
    xTitle: string;
    yTitle: string;
    /** Default "linear"; "log" for parameter counts. */
    xScale?: "linear" | "log";
    points: readonly CurvePoint[];
}

export async function curveSvg(o: CurveOptions): Promise<string> {
    // A log scale has no zero; Vega-Lite warns when one is given.
    const scale = o.xScale === "log" ? { type: "log" as const } : { type: "linear" as const, zero: false, nice: true };
    const x = { field: "x", type: "quantitative" as const, title: o.xTitle, scale };
    const color = { field: "series", type: "nominal" as const, title: null };
    const spec: TopLevelSpec = {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: o.title,
        width: 420,
        height: 260,
        data: { values: o.points.filter((p) => Number.isFinite(p.y)).map((p) => ({ ...p, lo: Math.max(0, p.lo), hi: Math.min(1, p.hi) })) },
        layer: [
            { mark: { type: "line", point: true }, encoding: { x, y: { field: "y", type: "quantitative", title: o.yTitle, axis: { format: ".0%" }, scale: { domain: [0, 1] } }, color } },
            { mark: { type: "rule" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color } },
        ],
    };
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
    try {
        return await view.toSVG();
    } finally {
        view.finalize();
    }
}
