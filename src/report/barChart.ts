/**
 * Grouped bar charts of rates with interval rules, rendered by Vega-Lite to inline SVG: bars grouped along x, one
 * bar per series within a group, optionally one panel per facet value side by side.
 */
import type { TopLevelSpec } from "vega-lite";
import { vegaLiteSvg } from "./svg.ts";

export interface Bar {
    /** The group along x ("test"). */
    x: string;
    /** The bar within the group and its colour ("IA (SFT only)"). */
    series: string;
    /** The panel ("category"); all bars in one panel when no bar has one. */
    facet?: string;
    /** Rate in [0, 1]; lo/hi the interval drawn over it (clamped to [0, 1]). */
    y: number;
    lo: number;
    hi: number;
}

export interface BarChartOptions {
    title: string;
    xTitle: string;
    yTitle: string;
    bars: readonly Bar[];
    /** Orders of x groups, series and facets. Default: first appearance in `bars`. */
    xOrder?: string[];
    seriesOrder?: string[];
    facetOrder?: string[];
    /** Width of one bar in pixels. Default 14. */
    barWidth?: number;
    /** Plot height in pixels. Default 200. */
    height?: number;
    /** Prefix of the SVG's ids: unique on the page. */
    idPrefix: string;
}

const uniq = (xs: readonly string[]) => [...new Set(xs)];

export async function barChartSvg(o: BarChartOptions): Promise<string> {
    // Missing figures (JSON null for NaN) have no bar rather than a bar at 0.
    const values = o.bars.filter((b) => Number.isFinite(b.y)).map((b) => ({
        ...b, facet: b.facet ?? "", lo: Math.max(0, Number.isFinite(b.lo) ? b.lo : b.y), hi: Math.min(1, Number.isFinite(b.hi) ? b.hi : b.y),
    }));
    const xOrder = o.xOrder ?? uniq(o.bars.map((b) => b.x));
    const seriesOrder = o.seriesOrder ?? uniq(o.bars.map((b) => b.series));
    const facetOrder = o.facetOrder ?? uniq(values.map((b) => b.facet));
    const x = { field: "x", type: "nominal" as const, title: o.xTitle, sort: xOrder, axis: { labelAngle: xOrder.some((s) => s.length > 8) ? -30 : 0 } };
    const xOffset = { field: "series", type: "nominal" as const, sort: seriesOrder };
    const color = { field: "series", type: "nominal" as const, title: null, sort: seriesOrder, legend: { orient: "bottom" as const, columns: 3 } };
    const layer = [
        { mark: { type: "bar" as const }, encoding: { x, xOffset, color, y: { field: "y", type: "quantitative" as const, title: o.yTitle, axis: { format: ".0%" }, scale: { domain: [0, 1] } } } },
        { mark: { type: "rule" as const, color: "#333" }, encoding: { x, xOffset, y: { field: "lo", type: "quantitative" as const }, y2: { field: "hi" } } },
    ];
    // With xOffset, Vega-Lite's width step is one bar (the offset band), not one group.
    const inner = { width: { step: o.barWidth ?? 14 }, height: o.height ?? 200 };
    const faceted = facetOrder.length > 1 || (facetOrder[0] ?? "") !== "";
    const spec: TopLevelSpec = faceted
        ? { title: o.title, data: { values }, facet: { column: { field: "facet", type: "nominal", title: null, sort: facetOrder } }, spec: { ...inner, layer }, config: { view: { stroke: "#ddd" } } }
        : { title: o.title, data: { values }, ...inner, layer, config: { view: { stroke: "#ddd" } } };
    return vegaLiteSvg(spec, o.idPrefix);
}
