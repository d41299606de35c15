/**
 * Commands that use several LLMs (an audit's summarizer and judge; a real-organism build's teacher and judge) name
 * each by its option. Here: building them with one shared cost meter, and checking them reachable before any work —
 * one tiny uncached request each (a cached answer would prove nothing about the server now), metered like every other
 * call — so a wrong URL, port or key fails in seconds instead of after an hour of GPU work. A `local:` provider is not
 * called (that would load a second copy of its model into this process); its folders are checked instead. Errors name
 * the option (`--<role>`) and the provider spec.
 */
import fs from "node:fs";
import path from "node:path";
import { CostMeter } from "./meter.ts";
import { parseProviderSpec, providerFromSpec, type ConfiguredProvider, type ProviderFromSpecOptions } from "./fromSpec.ts";

/** Builds one provider per role given (a bad spec or a missing API key throws here, naming the option). */
export function openRoleProviders<R extends string>(specs: Partial<Record<R, string>>, opts: Omit<ProviderFromSpecOptions, "meter"> = {}): { providers: Partial<Record<R, ConfiguredProvider>>; meter: CostMeter } {
    const meter = new CostMeter();
    const providers: Partial<Record<R, ConfiguredProvider>> = {};
    for (const [role, spec] of Object.entries(specs) as [R, string | undefined][]) {
        if (spec === undefined) continue;
        try {
            providers[role] = providerFromSpec(spec, { ...opts, meter });
        } catch (e) {
            throw new Error(`--${role} ${spec}: ${(e as Error).message}`, { cause: e });
        }
    }
    return { providers, meter };
}

/**
 * One uncached call to each provider given; throws naming the option and the provider when one does not answer.
 * @param notDone what the caller had not yet done, for the message ("nothing was sampled or written").
 */
export async function checkRolesReachable(specs: Partial<Record<string, string>>, meter: CostMeter, notDone: string, opts: Omit<ProviderFromSpecOptions, "meter" | "cacheDir"> = {}): Promise<void> {
    for (const [role, spec] of Object.entries(specs)) {
        if (spec === undefined) continue;
        const parsed = parseProviderSpec(spec);
        if (parsed.kind === "local") {
            const [model, ...adapters] = parsed.model.split("+");
            const missing = [path.join(model ?? "", "config.json"), ...adapters].find((f) => !fs.existsSync(f));
            if (missing) throw new Error(`--${role} ${spec}: ${missing} does not exist, so ${notDone}`);
            continue;
        }
        const probe = providerFromSpec(spec, { ...opts, meter, cacheDir: false });
        try {
            await probe.complete({ messages: [{ role: "user", content: "Reply with the single word: ok" }], maxTokens: 16, temperature: 0 });
        } catch (e) {
            throw new Error(`--${role} ${spec}: the ${role} did not answer a test request, so ${notDone}: ${(e as Error).message}`, { cause: e });
        }
    }
}
