/**
 * The teacher and the judge of a free-text build, from provider specs with one shared cost meter (every answer cached
 * under .cache/providers and metered: src/providers/fromSpec.ts), and checked reachable before any work: one tiny
 * uncached request each, so a wrong URL, port or key fails in seconds, naming the option and the spec, with nothing
 * written. A `local:` provider is not called (that would load a second model into this process); its folders are
 * checked instead.
 */
import fs from "node:fs";
import path from "node:path";
import { CostMeter } from "../providers/meter.ts";
import { parseProviderSpec, providerFromSpec, type ConfiguredProvider, type ProviderFromSpecOptions } from "../providers/fromSpec.ts";

export type Role = "teacher" | "judge";

export interface BuildProviders {
    teacher: ConfiguredProvider;
    judge: ConfiguredProvider;
    meter: CostMeter;
}

export function openProviders(specs: Record<Role, string>, opts: Omit<ProviderFromSpecOptions, "meter"> = {}): BuildProviders {
    const meter = new CostMeter();
    const make = (role: Role) => {
        try {
            return providerFromSpec(specs[role], { ...opts, meter });
        } catch (e) {
            throw new Error(`--${role} ${specs[role]}: ${(e as Error).message}`, { cause: e });
        }
    };
    return { teacher: make("teacher"), judge: make("judge"), meter };
}

/** Checks the roles given (a rerun that only verifies needs no teacher). */
export async function checkReachable(specs: Partial<Record<Role, string>>, meter: CostMeter, opts: Omit<ProviderFromSpecOptions, "meter" | "cacheDir"> = {}): Promise<void> {
    for (const role of ["teacher", "judge"] as const) {
        const spec = specs[role];
        if (spec === undefined) continue;
        const parsed = parseProviderSpec(spec);
        if (parsed.kind === "local") {
            const [model, ...adapters] = parsed.model.split("+");
            const missing = [path.join(model ?? "", "config.json"), ...adapters].find((f) => !fs.existsSync(f));
            if (missing) throw new Error(`--${role} ${spec}: ${missing} does not exist, so nothing was built or written`);
            continue;
        }
        const probe = providerFromSpec(spec, { ...opts, meter, cacheDir: false });
        try {
            await probe.complete({ messages: [{ role: "user", content: "Reply with the single word: ok" }], maxTokens: 16, temperature: 0 });
        } catch (e) {
            throw new Error(`--${role} ${spec}: the ${role} did not answer a test request, so nothing was built or written: ${(e as Error).message}`, { cause: e });
        }
    }
}
