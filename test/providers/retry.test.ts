import { test } from "node:test";
import assert from "node:assert/strict";
import { Retrier, parseRetryAfter, resolveRetryOptions } from "../../src/providers/retry.ts";
import { ProviderError } from "../../src/providers/errors.ts";
import { startServer } from "./fakeServers.ts";

test("parseRetryAfter reads retry-after-ms, seconds and HTTP dates", () => {
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "2" })), 2000);
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "0.5" })), 500);
    assert.equal(parseRetryAfter(new Headers({ "retry-after-ms": "150", "retry-after": "9" })), 150);
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now), 3000);
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "soon" })), undefined);
    assert.equal(parseRetryAfter(new Headers()), undefined);
});

test("backoff grows exponentially, is capped, jittered into [50%, 100%], and reproducible from the seed", () => {
    const a = new Retrier({ baseDelayMs: 100, maxDelayMs: 1000, seed: 7 });
    const b = new Retrier({ baseDelayMs: 100, maxDelayMs: 1000, seed: 7 });
    const seqA = [0, 1, 2, 3, 4, 5].map((k) => a.backoffMs(k));
    const seqB = [0, 1, 2, 3, 4, 5].map((k) => b.backoffMs(k));
    assert.deepEqual(seqA, seqB);
    seqA.forEach((d, k) => {
        const raw = Math.min(1000, 100 * 2 ** k);
        assert.ok(d >= raw / 2 && d <= raw, `retry ${k}: ${d} not in [${raw / 2}, ${raw}]`);
    });
});

test("invalid retry options are rejected with the field name", () => {
    assert.throws(() => resolveRetryOptions({ maxRetries: -1 }), /maxRetries/);
    assert.throws(() => resolveRetryOptions({ timeoutMs: 0 }), /timeoutMs/);
    assert.equal(resolveRetryOptions().maxRetries, 4);
});

test("x-should-retry overrides the status-based choice", async () => {
    const s = await startServer((_, i) =>
        i === 0 ? { status: 400, headers: { "x-should-retry": "true" }, body: { error: "try again" } } : { status: 503, headers: { "x-should-retry": "false" }, body: { error: "give up" } },
    );
    try {
        const r = new Retrier({ baseDelayMs: 1, maxRetries: 5 });
        await assert.rejects(r.postJson({ provider: "t", url: s.url, headers: {}, body: {}, parse: (j) => j }), (e: unknown) => {
            assert.ok(e instanceof ProviderError);
            assert.equal(e.status, 503);
            assert.equal(e.attempts, 2);
            assert.match(e.message, /server error \(not retried\)/);
            return true;
        });
        assert.equal(s.requests.length, 2);
    } finally {
        await s.close();
    }
});
