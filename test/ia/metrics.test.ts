import assert from "node:assert/strict";
import { test } from "node:test";
import type { SubjectResult } from "../../src/ia/evaluate.ts";
import { aggregate, aggregateOrganisms, perOrganism } from "../../src/ia/metrics.ts";
import { Rng } from "../../src/util/rng.ts";

function subjects(seed: number): SubjectResult[] {
    const rng = new Rng(seed);
    return Array.from({ length: 9 }, (_, i) => {
        const negative = i % 4 === 3;
        const n = 1 + Math.floor(rng.next() * 12);
        return {
            key: `o${i}`, family: negative ? "null" : "quirk", negative,
            reports: Array.from({ length: n }, () => {
                const category = !negative && rng.next() < 0.4;
                return { prompt: "q", report: "r", category, strict: category && rng.next() < 0.5, claims: category || rng.next() < 0.2 };
            }),
        };
    });
}

test("aggregateOrganisms recovers aggregate() from per-organism rates, so pooled groups count reports, not organisms", () => {
    for (const seed of [1, 2, 3]) {
        const rs = subjects(seed);
        const a = aggregate(rs);
        const b = aggregateOrganisms(perOrganism(rs));
        for (const m of ["category", "strict", "coverage", "claims"] as const) assert.deepEqual([b[m].k, b[m].n], [a[m].k, a[m].n], `${m}, seed ${seed}`);
        assert.equal(b.reports, a.reports);
    }
    // Two groups pooled = the aggregate of their union.
    const [x, y] = [subjects(4), subjects(5).map((s) => ({ ...s, key: `${s.key}b` }))];
    assert.deepEqual(aggregateOrganisms([...perOrganism(x), ...perOrganism(y)]).category, aggregate([...x, ...y]).category);
});
