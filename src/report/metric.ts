/**
 * A number shown on a report page that comes from a JSON artifact. Each carries `data-metric` (a key naming where
 * in the JSON it comes from), `data-value` (the JSON number exactly as JSON.stringify writes it, so a test can
 * compare page and file without rounding) and `data-unit` (how the shown text relates to the value).
 */
import { html, type Raw } from "./escape.ts";

/**
 * pct: a rate in [0, 1] shown as a percentage with one decimal (the "%" is optional: interval ends and ± half-widths
 * are shown in points); count: an integer shown as is; millions: a parameter count shown as "1.23M"; raw: shown
 * exactly as JSON writes it; bool: "yes" / "no".
 */
export type Unit = "pct" | "count" | "millions" | "raw" | "bool";

export interface MetricOptions {
    /** Text after a pct or millions figure. Default "%" for pct, "M" for millions, none otherwise. */
    suffix?: string;
    /** Decimals of a pct figure. Default 1. */
    digits?: number;
}

/** What the page shows for a value no JSON number stands for: NaN is written to JSON as null. */
export const MISSING = "n/a";

export function formatValue(value: unknown, unit: Unit, o: MetricOptions = {}): string {
    if (unit === "bool") return value === true ? "yes" : value === false ? "no" : MISSING;
    if (typeof value !== "number" || !Number.isFinite(value)) return MISSING;
    switch (unit) {
        case "pct": return `${(value * 100).toFixed(o.digits ?? 1)}${o.suffix ?? "%"}`;
        case "millions": return `${(value / 1e6).toFixed(2)}${o.suffix ?? "M"}`;
        case "count": return `${value}${o.suffix ?? ""}`;
        case "raw": return `${JSON.stringify(value)}${o.suffix ?? ""}`;
    }
}

/** `<span data-metric=… data-value=… data-unit=…>shown</span>`. */
export function metric(key: string, value: unknown, unit: Unit, o: MetricOptions = {}): Raw {
    // undefined (a field absent from the file) is shown as missing and recorded as null, as JSON would write it.
    const json = JSON.stringify(value ?? null);
    return html`<span data-metric="${key}" data-value="${json}" data-unit="${unit}">${formatValue(value, unit, o)}</span>`;
}

/** A rate with its interval: "14.6% [7.2–27.2]"; `key` prefixes the keys of the three numbers (`:rate`, `:lo`, `:hi`). */
export function rateWithCi(key: string, rate: number | null, ci: readonly [number | null, number | null] | undefined): Raw {
    if (rate === null || !Number.isFinite(rate)) return metric(`${key}:rate`, rate, "pct");
    return html`${metric(`${key}:rate`, rate, "pct")} <span class="ci">[${metric(`${key}:lo`, ci?.[0], "pct", { suffix: "" })}–${metric(`${key}:hi`, ci?.[1], "pct", { suffix: "" })}]</span>`;
}
