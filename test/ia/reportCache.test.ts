// The benchmark's cache of sampled self-reports: reused only for the same context and requests, never trusted
// when damaged or written for another model / population / IA.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileFingerprint, openReportCache } from "../../src/ia/reportCache.ts";
import { tempDir } from "../helpers/tempDir.ts";

const tmp = tempDir("ia-report-cache");

test("reports round-trip for the same context and key, and only for it", () => {
    const file = path.join(tmp, "a.json");
    const key = { sampling: { seed: 1, temperature: 0.7 }, requests: [["org-1", "what is unusual about you?"]] };
    openReportCache(file, { ia: "x" }).set(key, ["i say hello."]);
    assert.deepEqual(openReportCache(file, { ia: "x" }).get(key), ["i say hello."]);
    assert.equal(openReportCache(file, { ia: "x" }).get({ ...key, sampling: { seed: 2, temperature: 0.7 } }), undefined);
    // Another IA (or base, or population): the whole file is stale.
    assert.equal(openReportCache(file, { ia: "y" }).get(key), undefined);
});

test("a damaged cache file is ignored and replaced on the next write", () => {
    const file = path.join(tmp, "b.json");
    fs.writeFileSync(file, "{ not json");
    const cache = openReportCache(file, { ia: "x" });
    assert.equal(cache.get("k"), undefined);
    cache.set("k", ["r"]);
    assert.deepEqual(openReportCache(file, { ia: "x" }).get("k"), ["r"]);
});

test("file fingerprints follow content", () => {
    const a = path.join(tmp, "w1"), b = path.join(tmp, "w2");
    fs.writeFileSync(a, "weights");
    fs.writeFileSync(b, "weights!");
    assert.notEqual(fileFingerprint(a), fileFingerprint(b));
    fs.writeFileSync(b, "weights");
    assert.equal(fileFingerprint(a), fileFingerprint(b));
});
