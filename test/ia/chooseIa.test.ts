import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseIa, hasValidationNulls, type BenchReport } from "../../src/ia/benchmark.ts";

// Validation figures only: the choice must never read a test group.
function summary(v: { dpo: [number, number?]; sft: [number, number?] }, testFigures = { dpo: 0.9, sft: 0.1 }): BenchReport["summary"] {
    const row = (condition: "ia-dpo" | "ia-sft", group: "validation" | "test", metric: string, mean: number) =>
        ({ condition, group, scope: "generic" as const, metric, mean, half: 0, seeds: 3, reports: 100, organisms: 10, organismCi95: null });
    const out: BenchReport["summary"] = [row("ia-dpo", "test", "category", testFigures.dpo), row("ia-sft", "test", "category", testFigures.sft)];
    for (const [cond, [cat, claims]] of [["ia-dpo", v.dpo], ["ia-sft", v.sft]] as const) {
        out.push(row(cond, "validation", "category", cat));
        if (claims !== undefined) out.push(row(cond, "validation", "nullClaims", claims));
    }
    return out;
}

test("chooseIa: the IA that names more, among those under the false-claim bound on validation nulls", () => {
    assert.equal(chooseIa(summary({ dpo: [0.1, 0.0], sft: [0.15, 0.53] })), "ia-dpo", "SFT names more but claims on half the nulls");
    assert.equal(chooseIa(summary({ dpo: [0.1, 0.02], sft: [0.15, 0.04] })), "ia-sft", "both under the bound: category decides");
    assert.equal(chooseIa(summary({ dpo: [0.2, 0.3], sft: [0.15, 0.2] })), "ia-sft", "neither under the bound: the one claiming less");
    assert.equal(chooseIa(summary({ dpo: [0.2, 0.0], sft: [0.2, 0.0] })), "ia-dpo", "ties go to the full method");
});

test("chooseIa: no null organism on validation falls back to category; a missing figure chooses nothing", () => {
    assert.equal(chooseIa(summary({ dpo: [0.1], sft: [0.15] })), "ia-sft");
    assert.equal(chooseIa(summary({ dpo: [NaN, 0], sft: [0.15, 0] })), null);
    // The headline then says it chose on category alone rather than printing an empty claim figure.
    const report = (s: BenchReport["summary"]) => ({ chosen: chooseIa(s), summary: s }) as unknown as BenchReport;
    assert.equal(hasValidationNulls(report(summary({ dpo: [0.1], sft: [0.15] }))), false);
    assert.equal(hasValidationNulls(report(summary({ dpo: [0.1, 0.0], sft: [0.15, 0.0] }))), true);
});

test("chooseIa ignores the test groups", () => {
    const v = { dpo: [0.1, 0.0] as [number, number], sft: [0.15, 0.01] as [number, number] };
    assert.equal(chooseIa(summary(v, { dpo: 0.9, sft: 0.1 })), chooseIa(summary(v, { dpo: 0.1, sft: 0.9 })));
});
