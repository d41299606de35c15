/**
 * POST a JSON body and parse a JSON answer, retrying what is worth retrying.
 *
 * Retried (one shared budget, `maxRetries`): network errors, per-attempt timeouts, HTTP 408, 409, 429 and 5xx.
 * A `retry-after-ms` or `retry-after` header (seconds or an HTTP date) sets the wait, capped by `maxRetryAfterMs`;
 * otherwise the wait is exponential backoff with jitter drawn from a seeded RNG.
 * Retried on a separate, smaller budget (`maxGarbageRetries`): 2xx bodies that are not JSON or that the caller's
 * `parse` rejects (missing fields), since a proxy hiccup can produce one bad body but a wrong schema never heals.
 * Never retried: other 4xx (400 bad request, 401/403 auth, 404 wrong URL, ...). An `x-should-retry: true|false`
 * response header (sent by OpenAI and Anthropic) overrides the status-based choice.
 * Does not stream, does not follow redirects specially, and never logs headers (API keys stay out of errors).
 */
import { Rng } from "../util/rng.ts";
import { ProviderError, snippet, type ProviderErrorKind } from "./errors.ts";

export interface RetryOptions {
    /** Retries after the first attempt for transient failures (network, timeout, 408/409/429/5xx). Default 4. */
    maxRetries?: number;
    /** Retries for 2xx responses whose body is not JSON or lacks required fields. Default 2. */
    maxGarbageRetries?: number;
    /** Backoff base in ms: retry k (0-based) waits about baseDelayMs * 2^k, jittered to 50–100%. Default 500. */
    baseDelayMs?: number;
    /** Cap on one backoff wait, in ms. Default 30000. */
    maxDelayMs?: number;
    /** Cap on a server-requested retry-after wait, in ms. Default 120000. */
    maxRetryAfterMs?: number;
    /** Per-attempt timeout in ms, covering the response body too. Default 120000. */
    timeoutMs?: number;
    /** Seed of the jitter RNG (the project never uses Math.random). Default "retry-jitter". */
    seed?: number | string;
}

export interface ResolvedRetryOptions {
    maxRetries: number;
    maxGarbageRetries: number;
    baseDelayMs: number;
    maxDelayMs: number;
    maxRetryAfterMs: number;
    timeoutMs: number;
}

export function resolveRetryOptions(o: RetryOptions = {}): ResolvedRetryOptions {
    const r: ResolvedRetryOptions = {
        maxRetries: o.maxRetries ?? 4,
        maxGarbageRetries: o.maxGarbageRetries ?? 2,
        baseDelayMs: o.baseDelayMs ?? 500,
        maxDelayMs: o.maxDelayMs ?? 30_000,
        maxRetryAfterMs: o.maxRetryAfterMs ?? 120_000,
        timeoutMs: o.timeoutMs ?? 120_000,
    };
    for (const [k, v] of Object.entries(r)) {
        if (!Number.isFinite(v) || v < 0) throw new Error(`retry options: ${k} must be a finite number >= 0, got ${v}`);
    }
    if (r.timeoutMs <= 0) throw new Error(`retry options: timeoutMs must be > 0, got ${r.timeoutMs}`);
    return r;
}

export interface PostJsonArgs<T> {
    /** Provider name for error messages. */
    provider: string;
    url: string;
    headers: Record<string, string>;
    body: unknown;
    /** Turns the parsed JSON into a result; throw (with a message saying which field) if it is unusable. */
    parse: (json: unknown) => T;
}

/** Stateful only in its jitter RNG, so one instance per provider gives reproducible wait sequences. */
export class Retrier {
    readonly options: ResolvedRetryOptions;
    private readonly rng: Rng;

    constructor(options: RetryOptions = {}) {
        this.options = resolveRetryOptions(options);
        this.rng = new Rng(options.seed ?? "retry-jitter");
    }

    /** Backoff before retry number `k` (0-based): base * 2^k capped, then jittered into [50%, 100%]. */
    backoffMs(k: number): number {
        const raw = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** k);
        return Math.round(raw * (0.5 + 0.5 * this.rng.next()));
    }

    async postJson<T>(args: PostJsonArgs<T>): Promise<T> {
        const o = this.options;
        let transientRetries = 0;
        let garbageRetries = 0;
        for (let attempt = 1; ; attempt++) {
            const outcome = await attemptOnce(args, o.timeoutMs, attempt);
            if (outcome.ok) return outcome.value;
            const { error, retry, retryAfterMs } = outcome;
            let waitMs: number;
            if (retry === "transient" && transientRetries < o.maxRetries) {
                waitMs = retryAfterMs !== undefined ? Math.min(retryAfterMs, o.maxRetryAfterMs) : this.backoffMs(transientRetries);
                transientRetries++;
            } else if (retry === "garbage" && garbageRetries < o.maxGarbageRetries) {
                waitMs = this.backoffMs(garbageRetries);
                garbageRetries++;
            } else {
                throw error;
            }
            await sleep(waitMs);
        }
    }
}

type Attempt<T> =
    | { ok: true; value: T }
    | { ok: false; error: ProviderError; retry: "transient" | "garbage" | "none"; retryAfterMs?: number };

async function attemptOnce<T>(args: PostJsonArgs<T>, timeoutMs: number, attempt: number): Promise<Attempt<T>> {
    const fail = (kind: ProviderErrorKind, detail: string, extra: { status?: number; body?: string; cause?: unknown } = {}) =>
        new ProviderError({
            provider: args.provider,
            url: args.url,
            kind,
            detail,
            status: extra.status,
            bodySnippet: extra.body !== undefined ? snippet(extra.body) : undefined,
            attempts: attempt,
            cause: extra.cause,
        });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let status: number;
    let text: string;
    let headers: Headers;
    try {
        const res = await fetch(args.url, {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json", ...args.headers },
            body: JSON.stringify(args.body),
            signal: controller.signal,
        });
        status = res.status;
        headers = res.headers;
        text = await res.text();
    } catch (err) {
        if (controller.signal.aborted) {
            return { ok: false, retry: "transient", error: fail("timeout", `no complete response within ${timeoutMs} ms (timed out)`, { cause: err }) };
        }
        return { ok: false, retry: "transient", error: fail("network", `network error: ${describeNetworkError(err)}`, { cause: err }) };
    } finally {
        clearTimeout(timer);
    }

    if (status < 200 || status >= 300) {
        // Both vendors may say explicitly whether a retry can help; that beats our status-code guess.
        const hint = headers.get("x-should-retry");
        const transient = hint === "true" ? true : hint === "false" ? false : status === 408 || status === 409 || status === 429 || status >= 500;
        const what = status === 429 ? "rate limited" : status >= 500 ? "server error" : status === 401 || status === 403 ? "not authorized" : "request rejected";
        return {
            ok: false,
            retry: transient ? "transient" : "none",
            retryAfterMs: transient ? parseRetryAfter(headers) : undefined,
            error: fail("http", transient ? what : `${what} (not retried)`, { status, body: text }),
        };
    }

    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        return { ok: false, retry: "garbage", error: fail("garbage", "response body is not valid JSON", { status, body: text }) };
    }
    try {
        return { ok: true, value: args.parse(json) };
    } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        return { ok: false, retry: "garbage", error: fail("garbage", `unexpected response shape: ${msg}`, { status, body: text, cause: err }) };
    }
}

/** Milliseconds a server asked us to wait, from `retry-after-ms` or `retry-after` (seconds or HTTP date). */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
    const ms = headers.get("retry-after-ms");
    if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
    const ra = headers.get("retry-after");
    if (ra === null || ra.trim() === "") return undefined;
    const secs = Number(ra);
    if (Number.isFinite(secs)) return secs >= 0 ? Math.round(secs * 1000) : undefined;
    const date = Date.parse(ra);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeNetworkError(err: unknown): string {
    if (!(err instanceof Error)) return String(err);
    // Node's fetch wraps the useful part (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) {
        const code = (cause as { code?: unknown }).code;
        return `${err.message} (${typeof code === "string" ? `${code}: ` : ""}${cause.message})`;
    }
    return err.message;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
