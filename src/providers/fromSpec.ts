/**
 * Turns a provider spec string into a ready provider, with the response cache inside and the cost meter outside
 * (so cache hits are metered as free):
 *
 *   openai:<model>[@<baseUrl>]      OpenAI Chat Completions, e.g. "openai:gpt-4o-mini",
 *                                   "openai:Qwen/Qwen3-8B@http://127.0.0.1:8000/v1" (a vLLM server)
 *   anthropic:<model>[@<baseUrl>]   Anthropic Messages, e.g. "anthropic:claude-sonnet-4-5"
 *   local:<model dir>[+<adapter dir>...]   a local model through the project's own engine (src/providers/localModel.ts)
 *
 * The model is everything between the first ":" and an "@http(s)://" suffix, so ids containing ":" or "/" work.
 */
import path from "node:path";
import { AnthropicProvider } from "./anthropic.ts";
import { ResponseCache, withCache } from "./cache.ts";
import { CostMeter, withMeter } from "./meter.ts";
import { LocalModelProvider } from "./localModel.ts";
import { OpenAICompatibleProvider } from "./openaiCompatible.ts";
import type { RetryOptions } from "./retry.ts";
import type { ChatProvider } from "./types.ts";

export type ProviderKind = "openai" | "anthropic" | "local";

export interface ProviderSpec {
    kind: ProviderKind;
    model: string;
    /** Absent: the vendor's default endpoint. */
    baseUrl?: string;
}

export interface ProviderFromSpecOptions {
    /** Response cache folder, or false for no cache. Default ".cache/providers" under the current directory. */
    cacheDir?: string | false;
    /** Meter to record into (share one across teacher and judge for a combined bill). Default: a new CostMeter. */
    meter?: CostMeter;
    /** Retry, backoff and timeout settings. Default: see `RetryOptions`. */
    retry?: RetryOptions;
    /** API key, overriding the environment variable. Default: OPENAI_API_KEY / ANTHROPIC_API_KEY from `env`. */
    apiKey?: string;
    /** Environment to read API keys from. Default: process.env. */
    env?: Record<string, string | undefined>;
}

export interface ConfiguredProvider extends ChatProvider {
    readonly spec: ProviderSpec;
    readonly meter: CostMeter;
    /** Null when caching is off. */
    readonly cache: ResponseCache | null;
}

const KINDS: readonly ProviderKind[] = ["openai", "anthropic", "local"];

export function parseProviderSpec(spec: string): ProviderSpec {
    const s = spec.trim();
    const colon = s.indexOf(":");
    if (colon <= 0) throw new Error(`provider spec ${JSON.stringify(spec)}: expected "<kind>:<model>[@<baseUrl>]" with kind one of ${KINDS.join(", ")}`);
    const kind = s.slice(0, colon);
    if (!(KINDS as readonly string[]).includes(kind)) {
        throw new Error(`provider spec ${JSON.stringify(spec)}: unknown kind ${JSON.stringify(kind)}; expected one of ${KINDS.join(", ")}`);
    }
    let rest = s.slice(colon + 1);
    let baseUrl: string | undefined;
    const at = /@(https?:\/\/\S+)$/.exec(rest);
    if (at) {
        baseUrl = at[1];
        rest = rest.slice(0, at.index);
    } else if (rest.includes("@")) {
        throw new Error(`provider spec ${JSON.stringify(spec)}: text after "@" must be an http(s) URL`);
    }
    if (!rest) throw new Error(`provider spec ${JSON.stringify(spec)}: model is empty`);
    return baseUrl === undefined ? { kind: kind as ProviderKind, model: rest } : { kind: kind as ProviderKind, model: rest, baseUrl };
}

export function providerFromSpec(spec: string, opts: ProviderFromSpecOptions = {}): ConfiguredProvider {
    const parsed = parseProviderSpec(spec);
    const common = { model: parsed.model, baseUrl: parsed.baseUrl, apiKey: opts.apiKey, env: opts.env, retry: opts.retry };
    let base: ChatProvider;
    try {
        if (parsed.kind === "local") {
            const [dir, ...adapters] = parsed.model.split("+");
            base = new LocalModelProvider(dir as string, adapters);
        } else {
            base = parsed.kind === "openai" ? new OpenAICompatibleProvider(common) : new AnthropicProvider(common);
        }
    } catch (err) {
        throw new Error(`provider spec ${JSON.stringify(spec)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const cacheDir = opts.cacheDir ?? path.join(".cache", "providers");
    const cache = cacheDir === false ? null : new ResponseCache(cacheDir);
    const meter = opts.meter ?? new CostMeter();
    const wrapped = withMeter(cache ? withCache(base, cache) : base, meter);
    return { name: wrapped.name, model: wrapped.model, complete: (req) => wrapped.complete(req), spec: parsed, meter, cache };
}
