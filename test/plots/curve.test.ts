// The scaling curves: a self-contained SVG rendered headless (no browser, no network), with the title, axis titles
// and one legend entry per series; and the sweep figures' mean and interval over seeds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { curveSvg } from "../../src/plots/curve.ts";
import { seedFigure } from "../../src/ia/sweeps.ts";
import type { BenchReport } from "../../src/ia/benchmark.ts";
import { meanCi } from "../../src/util/stats.ts";

test("curveSvg renders a standalone SVG with every series, title and axis", async () => {
    const svg = await curveSvg({
        title: "Held-out test organisms vs SFT organisms", xTitle: "SFT organisms", yTitle: "verbalization",
        points: [
            { series: "IA (SFT only)", x: 28, y: 0.2, lo: 0.1, hi: 0.3 },
            { series: "IA (SFT only)", x: 90, y: 0.45, lo: 0.4, hi: 0.5 },
            { series: "no IA", x: 28, y: 0.05, lo: -0.02, hi: 0.1 },
            { series: "no IA", x: 90, y: 0.06, lo: 0.01, hi: 0.11 },
        ],
    });
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const text of ["Held-out test organisms vs SFT organisms", "SFT organisms", "verbalization", "IA (SFT only)", "no IA"]) assert.ok(svg.includes(text), text);
    assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(svg), "no external references");
    // Two lines (one per series) and four interval rules.
    assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 2);
    assert.equal((svg.match(/aria-roledescription="rule mark"/g) ?? []).length, 4);
});

test("seedFigure: mean and t interval over seeds, reports summed, a family narrowed to its organisms", () => {
    const agg = (k: number, n: number) => ({ rate: k / n, k, n, ci95: [0, 1] as [number, number] });
    const cell = (k: number, n: number, famK: number) => ({
        scope: "generic" as const,
        overall: { subjects: 2, reports: n, category: agg(k, n), strict: agg(0, n), coverage: agg(1, 2), claims: agg(k, n) },
        byFamily: { quirk: { subjects: 1, reports: n / 2, category: agg(famK, n / 2), strict: agg(0, n / 2), coverage: agg(1, 1), claims: agg(famK, n / 2) } },
    });
    const report = { results: { "1": { "ia-sft": { test: [cell(4, 20, 3)] } }, "2": { "ia-sft": { test: [cell(8, 20, 5)] } }, "3": { "ia-sft": { test: [cell(6, 20, 4)] } } } } as unknown as BenchReport;
    const f = seedFigure(report, "ia-sft", "test", "category")!;
    const want = meanCi([0.2, 0.4, 0.3]);
    assert.ok(Math.abs(f.mean - want.mean) < 1e-12 && Math.abs(f.half - want.half) < 1e-12);
    assert.equal(f.seeds, 3);
    assert.equal(f.reports, 60);
    assert.ok(Math.abs(seedFigure(report, "ia-sft", "test", "category", "quirk")!.mean - 0.4) < 1e-12);
    assert.equal(seedFigure(report, "ia-dpo", "test", "category"), null);
});
