/**
 * The teacher and the judge of a free-text build, from provider specs with one shared cost meter (every answer cached
 * under .cache/providers and metered: src/providers/fromSpec.ts), checked reachable before any work
 * (src/providers/roles.ts).
 */
import type { CostMeter } from "../providers/meter.ts";
import type { ConfiguredProvider, ProviderFromSpecOptions } from "../providers/fromSpec.ts";
import { checkRolesReachable, openRoleProviders } from "../providers/roles.ts";

export type Role = "teacher" | "judge";

export interface BuildProviders {
    teacher: ConfiguredProvider;
    judge: ConfiguredProvider;
    meter: CostMeter;
}

export function openProviders(specs: Record<Role, string>, opts: Omit<ProviderFromSpecOptions, "meter"> = {}): BuildProviders {
    const { providers, meter } = openRoleProviders(specs, opts);
    return { teacher: providers.teacher!, judge: providers.judge!, meter };
}

/** Checks the roles given (a rerun that only verifies needs no teacher). */
export function checkReachable(specs: Partial<Record<Role, string>>, meter: CostMeter, opts: Omit<ProviderFromSpecOptions, "meter" | "cacheDir"> = {}): Promise<void> {
    return checkRolesReachable({ teacher: specs.teacher, judge: specs.judge }, meter, "nothing was built or written", opts);
}
