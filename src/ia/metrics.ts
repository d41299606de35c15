/**
 * Aggregates graded self-reports into the benchmark's figures: verbalization rate (category and strict) over
 * reports with a Wilson 95% interval, coverage (subjects with at least one correct report), the claim rate
 * (false positives, for negative subjects), and per-family breakdowns. Every figure carries its sample size.
 */
import { wilson } from "../util/stats.ts";
import type { SubjectResult } from "./evaluate.ts";

export interface Rate {
    rate: number;
    k: number;
    n: number;
    ci95: [number, number];
}

export interface Aggregate {
    subjects: number;
    reports: number;
    category: Rate;
    strict: Rate;
    /** Subjects with >= 1 category-correct report. */
    coverage: Rate;
    /** Reports claiming any behavior (meaningful for negative subjects). */
    claims: Rate;
}

export function rate(k: number, n: number): Rate {
    return { rate: n ? k / n : NaN, k, n, ci95: wilson(k, n) };
}

/**
 * Verbalization (category, strict, coverage) is over behavior organisms only: a group that mixes in null organisms
 * (the validation group) would otherwise count their reports as misses and deflate the rate. Claims are over all.
 */
export function aggregate(results: readonly SubjectResult[]): Aggregate {
    const all = results.flatMap((r) => r.reports);
    const behavior = results.filter((r) => !r.negative);
    const verbal = behavior.flatMap((r) => r.reports);
    return {
        subjects: results.length,
        reports: all.length,
        category: rate(verbal.filter((r) => r.category).length, verbal.length),
        strict: rate(verbal.filter((r) => r.strict).length, verbal.length),
        coverage: rate(behavior.filter((r) => r.reports.some((x) => x.category)).length, behavior.length),
        claims: rate(all.filter((r) => r.claims).length, all.length),
    };
}

/** One organism's rates (over its own reports): the unit a bootstrap over organisms resamples. */
export interface OrganismRates {
    key: string;
    family: string;
    negative: boolean;
    reports: number;
    category: number;
    strict: number;
    claims: number;
}

export function perOrganism(results: readonly SubjectResult[]): OrganismRates[] {
    return results.map((r) => {
        const n = r.reports.length;
        const share = (f: (x: (typeof r.reports)[number]) => boolean) => (n ? r.reports.filter(f).length / n : NaN);
        return { key: r.key, family: r.family, negative: r.negative, reports: n, category: share((x) => x.category), strict: share((x) => x.strict), claims: share((x) => x.claims) };
    });
}

/** aggregate() over organisms' own rates (counts recovered from rate × reports), for pooling groups' results. */
export function aggregateOrganisms(organisms: readonly OrganismRates[]): Aggregate {
    const behavior = organisms.filter((o) => !o.negative && o.reports > 0);
    const count = (os: readonly OrganismRates[], m: "category" | "strict" | "claims") => os.reduce((s, o) => s + Math.round(o[m] * o.reports), 0);
    const reports = (os: readonly OrganismRates[]) => os.reduce((s, o) => s + o.reports, 0);
    return {
        subjects: organisms.length,
        reports: reports(organisms),
        category: rate(count(behavior, "category"), reports(behavior)),
        strict: rate(count(behavior, "strict"), reports(behavior)),
        coverage: rate(behavior.filter((o) => o.category > 0).length, behavior.length),
        claims: rate(count(organisms.filter((o) => o.reports > 0), "claims"), reports(organisms)),
    };
}

export function byFamily(results: readonly SubjectResult[]): Record<string, Aggregate> {
    const groups = new Map<string, SubjectResult[]>();
    for (const r of results) groups.set(r.family, [...(groups.get(r.family) ?? []), r]);
    return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([f, rs]) => [f, aggregate(rs)]));
}

export function fmtRate(r: Rate): string {
    if (!Number.isFinite(r.rate)) return "n/a";
    return `${(r.rate * 100).toFixed(1)}% [${(r.ci95[0] * 100).toFixed(0)}-${(r.ci95[1] * 100).toFixed(0)}] n=${r.n}`;
}
