/**
 * Plots as inline SVG. Vega numbers its clip paths and gradients with counters of its own ("clip1"), so two plots
 * inlined in one page — or one rendered in another process, like a sweep's sweep.svg — would share ids and clip
 * each other; every id is given a per-plot prefix. An SVG read from disk is inlined only when it can load or run
 * nothing.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/** Prefixes every id and every reference to one (`url(#…)`, `href="#…"`) with `prefix`. */
export function scopeSvgIds(svg: string, prefix: string): string {
    return svg
        .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
        .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
        .replace(/\b((?:xlink:)?href)="#([^"]+)"/g, (_, attr: string, id: string) => `${attr}="#${prefix}-${id}"`);
}

/** Renders a Vega-Lite spec headless (no browser, no canvas) to an SVG element ready to inline. */
export async function vegaLiteSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
    const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
    try {
        return scopeSvgIds(await view.toSVG(), idPrefix);
    } finally {
        view.finalize();
    }
}

/**
 * An SVG file's text as an inline element, or null when it is not one plain SVG: scripts, foreign content, event
 * handlers and references to anything outside the document are refused (the page's policy would block them anyway,
 * with console errors).
 */
export function inlineSvg(text: string, idPrefix: string): string | null {
    const body = text.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?/i, "").trim();
    if (!/^<svg[\s>]/.test(body) || !body.endsWith("</svg>")) return null;
    if (/<script|<foreignObject|<iframe|<image|\son\w+\s*=|javascript:|@import/i.test(body)) return null;
    // Any URL outside the document (the SVG namespace declarations are names, not loads).
    const urls = [...body.matchAll(/(?:href|src)\s*=\s*"([^"]*)"|url\(\s*['"]?([^'")]*)/gi)].map((m) => m[1] ?? m[2] ?? "");
    if (urls.some((u) => !u.startsWith("#"))) return null;
    return scopeSvgIds(body, idPrefix);
}
