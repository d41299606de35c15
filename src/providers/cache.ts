/**
 * On-disk response cache: one JSON file per request under `<dir>/<key[0..2]>/<key>.json`, written atomically,
 * keyed by sha256 of (provider name, model, normalized request). Re-running a stage therefore costs nothing for
 * requests already answered, and the files double as a record of every prompt and answer.
 *
 * The key includes `sampleIndex` unless temperature is exactly 0, so asking for samples 0..n-1 at temperature > 0
 * caches n different answers, while at temperature 0 repeats share one. Requests at the server's default
 * temperature (undefined) count as sampled.
 * A file that cannot be read back (truncated by hand, wrong key) is a miss and gets overwritten: the cache is a
 * derived artifact and re-asking is always safe. No eviction, no locking between processes (last writer wins,
 * and both wrote a valid answer).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { writeJsonAtomic } from "../io/atomic.ts";
import type { ChatProvider, CompletionRequest, CompletionResult } from "./types.ts";

const CACHE_FORMAT_VERSION = 1;

interface CacheRecord {
    version: number;
    key: string;
    provider: string;
    model: string | null;
    request: NormalizedRequest;
    result: Omit<CompletionResult, "cached">;
    createdAt: string;
}

interface NormalizedRequest {
    system?: string;
    messages: { role: string; content: string }[];
    maxTokens?: number;
    temperature?: number;
    stop?: string[];
    sampleIndex?: number;
}

/** The parts of a request that change the answer, in a fixed key order. */
export function normalizeRequest(req: CompletionRequest): NormalizedRequest {
    return {
        system: req.system,
        messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
        maxTokens: req.maxTokens,
        temperature: req.temperature,
        stop: req.stop && req.stop.length > 0 ? [...req.stop] : undefined,
        sampleIndex: req.temperature === 0 ? undefined : (req.sampleIndex ?? 0),
    };
}

export function cacheKey(provider: string, model: string | undefined, req: CompletionRequest): string {
    const canonical = JSON.stringify({ v: CACHE_FORMAT_VERSION, provider, model: model ?? null, request: normalizeRequest(req) });
    return createHash("sha256").update(canonical).digest("hex");
}

function isTokenCount(n: unknown): boolean {
    return typeof n === "number" && Number.isFinite(n) && n >= 0;
}

export class ResponseCache {
    /** @param dir Root folder of the cache; created on first write. */
    constructor(readonly dir: string) {
        if (!dir) throw new Error("response cache: `dir` must be a non-empty path");
    }

    fileFor(key: string): string {
        return path.join(this.dir, key.slice(0, 2), `${key}.json`);
    }

    get(key: string): CompletionResult | undefined {
        const file = this.fileFor(key);
        let raw: string;
        try {
            raw = fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
        try {
            const rec = JSON.parse(raw) as Partial<CacheRecord>;
            const r = rec.result;
            if (rec.key !== key || !r || typeof r.text !== "string" || typeof r.model !== "string" || !r.usage) return undefined;
            // Token counts feed the cost meter: a damaged record is a miss, not NaN dollars.
            if (!isTokenCount(r.usage.inputTokens) || !isTokenCount(r.usage.outputTokens)) return undefined;
            return { text: r.text, model: r.model, usage: { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens }, cached: true };
        } catch {
            return undefined;
        }
    }

    set(key: string, provider: string, model: string | undefined, req: CompletionRequest, result: CompletionResult): void {
        const rec: CacheRecord = {
            version: CACHE_FORMAT_VERSION,
            key,
            provider,
            model: model ?? null,
            request: normalizeRequest(req),
            result: { text: result.text, usage: result.usage, model: result.model },
            createdAt: new Date().toISOString(),
        };
        writeJsonAtomic(this.fileFor(key), rec);
    }
}

/**
 * Wraps a provider so answered requests are served from `cache` (with `cached: true`). Identical requests in
 * flight at the same time share one network call.
 */
export function withCache(inner: ChatProvider, cache: ResponseCache): ChatProvider {
    const inFlight = new Map<string, Promise<CompletionResult>>();
    return {
        name: inner.name,
        model: inner.model,
        async complete(req: CompletionRequest): Promise<CompletionResult> {
            const key = cacheKey(inner.name, inner.model, req);
            const hit = cache.get(key);
            if (hit) return hit;
            const pending = inFlight.get(key);
            if (pending) return { ...(await pending), cached: true };
            const call = (async () => {
                const result = await inner.complete(req);
                cache.set(key, inner.name, inner.model, req, result);
                return result;
            })();
            inFlight.set(key, call);
            try {
                return await call;
            } finally {
                inFlight.delete(key);
            }
        },
    };
}
