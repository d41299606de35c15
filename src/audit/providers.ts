/**
 * The audit's LLMs — the summarizer and the J.2 judge — with one shared cost meter, checked reachable before the
 * audit samples anything (src/providers/roles.ts): sampling a real model's self-reports can take an hour of GPU time.
 */
import type { CostMeter, MeterRow, MeterTotals } from "../providers/meter.ts";
import type { ConfiguredProvider, ProviderFromSpecOptions } from "../providers/fromSpec.ts";
import { checkRolesReachable, openRoleProviders } from "../providers/roles.ts";

export type AuditRole = "summarizer" | "judge";

export interface AuditProviders {
    summarizer?: ConfiguredProvider;
    judge?: ConfiguredProvider;
    meter: CostMeter;
}

export interface AuditCost {
    totals: MeterTotals;
    rows: MeterRow[];
}

/** Builds the providers (a bad spec or a missing API key throws here, naming the option). */
export function openAuditProviders(specs: Partial<Record<AuditRole, string>>, opts: Omit<ProviderFromSpecOptions, "meter"> = {}): AuditProviders {
    const { providers, meter } = openRoleProviders(specs, opts);
    return { ...providers, meter };
}

/** One uncached call to each provider; throws naming the option and the provider when one does not answer. */
export function checkReachable(specs: Partial<Record<AuditRole, string>>, meter: CostMeter, opts: Omit<ProviderFromSpecOptions, "meter" | "cacheDir"> = {}): Promise<void> {
    // Summarizer first, then the judge: the order the options are documented in.
    return checkRolesReachable({ summarizer: specs.summarizer, judge: specs.judge }, meter, "nothing was sampled or written", opts);
}

/** The meter's totals and rows, dollars rounded to a millionth (float sums otherwise print as 0.0011250000000000001). */
export function auditCost(meter: CostMeter): AuditCost {
    const usd = (x: number) => Math.round(x * 1e6) / 1e6;
    return { totals: { ...meter.totals(), costUsd: usd(meter.totals().costUsd) }, rows: meter.rows().map((r) => ({ ...r, costUsd: r.costUsd === null ? null : usd(r.costUsd) })) };
}
