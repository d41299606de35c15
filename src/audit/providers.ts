/**
 * The audit's LLMs — the summarizer and the J.2 judge — built from provider specs with one shared cost meter, and
 * checked reachable before the audit samples anything. Sampling a real model's self-reports can take an hour of
 * GPU time; a judge with a wrong URL, port or key should fail in seconds, not after that hour.
 *
 * The probe is one tiny uncached request per provider (a cached answer would prove nothing about the server now),
 * metered like every other call. A `local:` provider is not called (that would load a second copy of its model into
 * this process); its folders are checked instead. Errors name the option and the provider spec.
 */
import fs from "node:fs";
import path from "node:path";
import { CostMeter, type MeterRow, type MeterTotals } from "../providers/meter.ts";
import { parseProviderSpec, providerFromSpec, type ConfiguredProvider, type ProviderFromSpecOptions } from "../providers/fromSpec.ts";

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
    const meter = new CostMeter();
    const out: AuditProviders = { meter };
    for (const role of ["summarizer", "judge"] as const) {
        const spec = specs[role];
        if (spec === undefined) continue;
        try {
            out[role] = providerFromSpec(spec, { ...opts, meter });
        } catch (e) {
            throw new Error(`--${role} ${spec}: ${(e as Error).message}`, { cause: e });
        }
    }
    return out;
}

/** One uncached call to each provider; throws naming the option and the provider when one does not answer. */
export async function checkReachable(specs: Partial<Record<AuditRole, string>>, meter: CostMeter, opts: Omit<ProviderFromSpecOptions, "meter" | "cacheDir"> = {}): Promise<void> {
    for (const role of ["summarizer", "judge"] as const) {
        const spec = specs[role];
        if (spec === undefined) continue;
        const parsed = parseProviderSpec(spec);
        if (parsed.kind === "local") {
            const [model, ...adapters] = parsed.model.split("+");
            const missing = [path.join(model ?? "", "config.json"), ...adapters].find((f) => !fs.existsSync(f));
            if (missing) throw new Error(`--${role} ${spec}: ${missing} does not exist, so nothing was sampled or written`);
            continue;
        }
        const probe = providerFromSpec(spec, { ...opts, meter, cacheDir: false });
        try {
            await probe.complete({ messages: [{ role: "user", content: "Reply with the single word: ok" }], maxTokens: 16, temperature: 0 });
        } catch (e) {
            throw new Error(`--${role} ${spec}: the ${role} did not answer a test request, so nothing was sampled or written: ${(e as Error).message}`, { cause: e });
        }
    }
}

/** The meter's totals and rows, dollars rounded to a millionth (float sums otherwise print as 0.0011250000000000001). */
export function auditCost(meter: CostMeter): AuditCost {
    const usd = (x: number) => Math.round(x * 1e6) / 1e6;
    return { totals: { ...meter.totals(), costUsd: usd(meter.totals().costUsd) }, rows: meter.rows().map((r) => ({ ...r, costUsd: r.costUsd === null ? null : usd(r.costUsd) })) };
}
