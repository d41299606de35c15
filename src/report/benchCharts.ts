/**
 * The benchmark page's plots, rendered at write time to inline SVG: verbalization by condition and group, the
 * chosen IA per family on the test organisms, coverage, and false claims on negatives and the bare base.
 */
import type { BenchReport, GroupName } from "../ia/benchmark.ts";
import { barChartSvg, type Bar } from "./barChart.ts";
import { cellResult, CONDITION_NAMES, conditionsPresent, GROUP_NAMES, groupsPresent, seedsOf, shownCondition, summaryInterval, type RateMetric } from "./benchFigures.ts";

export interface BenchChart {
    svg: string;
    caption: string;
}

const VERBAL_GROUPS: readonly GroupName[] = ["validation", "test", "heldoutValues", "heldoutFamily"];

function intervalNote(r: BenchReport): string {
    const seeds = Object.keys(r.results).length;
    return seeds > 1 ? `mean over ${seeds} IA seeds; rule: 95% t interval over seeds` : "one IA seed; rule: 95% Wilson interval over reports";
}

/** Summary bars: condition within group, one panel per metric. */
function summaryBars(r: BenchReport, groups: readonly GroupName[], metrics: readonly RateMetric[]): Bar[] {
    return metrics.flatMap((metric) => groups.flatMap((g) => conditionsPresent(r).flatMap((c) => {
        const f = summaryInterval(r, c, g, metric);
        return f ? [{ x: GROUP_NAMES[g], series: CONDITION_NAMES[c], facet: metrics.length > 1 ? metric : undefined, y: f.mean, lo: f.lo, hi: f.hi }] : [];
    })));
}

export async function benchCharts(r: BenchReport): Promise<BenchChart[]> {
    const groups = groupsPresent(r, VERBAL_GROUPS);
    const seriesOrder = conditionsPresent(r).map((c) => CONDITION_NAMES[c]);
    const charts: BenchChart[] = [];
    const note = intervalNote(r);

    charts.push({
        svg: await barChartSvg({
            idPrefix: "verbalization", title: "Verbalization: does the report name the behavior?", xTitle: "organism group", yTitle: "share of reports correct",
            bars: summaryBars(r, groups, ["category", "strict"]), xOrder: groups.map((g) => GROUP_NAMES[g]), seriesOrder, facetOrder: ["category", "strict"],
        }),
        caption: `Category (the behavior) and strict (with its condition/structure), family-agnostic questions; ${note}. Validation is the group the IA was chosen on, not a held-out result.`,
    });

    const shown = shownCondition(r);
    const seeds = seedsOf(r);
    const famBars: Bar[] = (["category", "strict"] as const).flatMap((metric) => seeds.flatMap((seed) => Object.entries(cellResult(r, seed, shown, "test")?.byFamily ?? {}).map(([fam, a]) => ({
        x: fam, series: `seed ${seed}`, facet: metric, y: a[metric].rate, lo: a[metric].ci95[0], hi: a[metric].ci95[1],
    }))));
    if (famBars.length) {
        charts.push({
            svg: await barChartSvg({
                idPrefix: "per-family", title: `Per family, test organisms (${CONDITION_NAMES[shown]})`, xTitle: "behavior family", yTitle: "share of reports correct",
                bars: famBars, seriesOrder: seeds.map((s) => `seed ${s}`), facetOrder: ["category", "strict"], barWidth: 10,
            }),
            caption: `${r.chosen ? "The IA chosen on validation" : "No IA could be chosen; SFT+DPO shown"}, family-agnostic questions, one bar per IA seed; rule: 95% Wilson interval over that seed's reports.`,
        });
    }

    const coverage = summaryBars(r, groups, ["coverage"]);
    if (coverage.length) {
        charts.push({
            svg: await barChartSvg({ idPrefix: "coverage", title: "Coverage: organisms with at least one correct report", xTitle: "organism group", yTitle: "share of organisms", bars: coverage, xOrder: groups.map((g) => GROUP_NAMES[g]), seriesOrder }),
            caption: `Category-correct in at least one report, family-agnostic questions; ${note}.`,
        });
    }

    const negGroups = groupsPresent(r, ["negatives", "base"]);
    const claims = summaryBars(r, negGroups, ["claims"]);
    if (claims.length) {
        charts.push({
            svg: await barChartSvg({ idPrefix: "claims", title: "False claims: reports claiming a behavior that is not there", xTitle: "subjects with no behavior", yTitle: "share of reports", bars: claims, xOrder: negGroups.map((g) => GROUP_NAMES[g]), seriesOrder }),
            caption: `Null organisms and decoys, and the clean base model; lower is better; ${note}.`,
        });
    }
    return charts;
}
