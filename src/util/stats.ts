/**
 * Small statistics helpers for honest reporting: Wilson score intervals for rates, means with t-based
 * intervals across seeds.
 */

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

export function pct(x: number, digits = 1): string {
    return `${(x * 100).toFixed(digits)}%`;
}
