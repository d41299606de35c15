/**
 * Small statistics helpers for honest reporting: Wilson score intervals for rates, means with t-based
 * intervals across seeds, and a bootstrap over units (organisms) when reports of one unit are not independent.
 */
import { Rng } from "./rng.ts";

/** Wilson score 95% interval for k successes out of n (z = 1.96). [0, 1] when n = 0. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
    if (n === 0) return [0, 1];
    const p = k / n;
    const denom = 1 + (z * z) / n;
    const center = (p + (z * z) / (2 * n)) / denom;
    const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
    return [Math.max(0, center - half), Math.min(1, center + half)];
}

/** Mean and 95% interval half-width over values (t distribution; 0 half-width for a single value). */
export function meanCi(values: readonly number[]): { mean: number; half: number; n: number } {
    const n = values.length;
    if (n === 0) return { mean: NaN, half: NaN, n };
    const mean = values.reduce((a, b) => a + b, 0) / n;
    if (n === 1) return { mean, half: 0, n };
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const t = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262][n - 2] ?? 1.96;
    return { mean, half: (t * sd) / Math.sqrt(n), n };
}

/**
 * Percentile-bootstrap 95% interval of the mean of `values` (one value per unit, e.g. each organism's rate):
 * resamples units, not the reports inside them. Seeded, so a report is reproducible. [0, 1] with no values.
 */
export function bootstrapMeanCi(values: readonly number[], seed: string, reps = 2000): [number, number] {
    if (values.length === 0) return [0, 1];
    const rng = new Rng(seed);
    const means: number[] = [];
    for (let r = 0; r < reps; r++) {
        let s = 0;
        for (let i = 0; i < values.length; i++) s += values[rng.int(values.length)]!;
        means.push(s / values.length);
    }
    means.sort((a, b) => a - b);
    return [means[Math.floor(0.025 * reps)]!, means[Math.floor(0.975 * reps)]!];
}

export function pct(x: number, digits = 1): string {
    return `${(x * 100).toFixed(digits)}%`;
}

/** Spearman's rank correlation (average ranks for ties); NaN with fewer than 3 pairs or a constant side. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
    const n = Math.min(xs.length, ys.length);
    if (n < 3) return NaN;
    const ranks = (v: readonly number[]) => {
        const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
        const r = new Array<number>(v.length);
        for (let i = 0; i < order.length;) {
            let j = i;
            while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
            for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
            i = j + 1;
        }
        return r;
    };
    const rx = ranks(xs.slice(0, n)), ry = ranks(ys.slice(0, n));
    const mean = (n + 1) / 2;
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < n; i++) {
        const dx = rx[i]! - mean, dy = ry[i]! - mean;
        sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
    }
    return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}
