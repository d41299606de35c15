/**
 * Reading figures out of a BenchReport for the page: the names shown for conditions and groups, and the 95%
 * interval that goes with a summary figure — the t interval over seeds when there are several, else (one seed, whose
 * t half-width is 0) the Wilson interval over that seed's reports, so no bar is drawn without an interval.
 */
import { summaryFigure, type BenchReport, type Condition, type GroupName, type GroupResult, type SummaryGroup } from "../ia/benchmark.ts";
import type { Aggregate } from "../ia/metrics.ts";

export const CONDITIONS: readonly Condition[] = ["ia-sft", "ia-dpo", "no-ia"];
export const CONDITION_NAMES: Record<Condition, string> = { "ia-dpo": "IA (SFT+DPO)", "ia-sft": "IA (SFT only)", "no-ia": "no IA" };
export const GROUP_NAMES: Record<SummaryGroup, string> = {
    validation: "validation", test: "test organisms", heldoutValues: "held-out values", heldoutFamily: "left-out family",
    negatives: "nulls & decoys", base: "clean base", heldout: "held-out, pooled (test + held-out values)",
};
export type RateMetric = "category" | "strict" | "coverage" | "claims" | "nullClaims";

/** The condition the page's per-family views show: the chosen IA, else (no choice possible) SFT+DPO as bench.md does. */
export function shownCondition(r: BenchReport): Condition {
    return r.chosen ?? "ia-dpo";
}

/** One seed's result for a cell, family-agnostic questions unless `scope` says otherwise. */
export function cellResult(r: BenchReport, seed: string, cond: Condition, group: GroupName, scope: "generic" | "specific" = "generic"): GroupResult | undefined {
    return r.results[seed]?.[cond]?.[group]?.find((x) => x.scope === scope);
}

export interface Interval {
    mean: number;
    lo: number;
    hi: number;
    /** "t" (over seeds) or "wilson" (one seed's reports). */
    kind: "t" | "wilson";
}

export function summaryInterval(r: BenchReport, cond: Condition, group: GroupName, metric: RateMetric): Interval | null {
    const s = summaryFigure(r.summary, cond, group, metric);
    if (!s || s.mean === null || !Number.isFinite(s.mean)) return null;
    if (s.seeds > 1) return { mean: s.mean, lo: s.mean - s.half, hi: s.mean + s.half, kind: "t" };
    const one = Object.keys(r.results).map((seed) => cellResult(r, seed, cond, group)?.overall[metric as keyof Aggregate]).find((x) => typeof x === "object" && x.n > 0);
    const ci: readonly [number, number] = typeof one === "object" ? one.ci95 : [s.mean, s.mean];
    return { mean: s.mean, lo: ci[0], hi: ci[1], kind: "wilson" };
}

/** Groups with any summary figure, in the benchmark's order. */
export function groupsPresent(r: BenchReport, among: readonly GroupName[]): GroupName[] {
    return among.filter((g) => r.summary.some((s) => s.group === g));
}

/** Conditions with any summary figure, in the page's order. */
export function conditionsPresent(r: BenchReport): Condition[] {
    return CONDITIONS.filter((c) => r.summary.some((s) => s.condition === c));
}

/** Seeds in numeric order ("10" after "9"). */
export function seedsOf(r: BenchReport): string[] {
    return Object.keys(r.results).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
}
