// IA groups are drawn over the whole catalogue before verification, so machines whose BLAS kernels verify
// different organisms still agree on every organism's role; empty groups stop the run with the counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import { checkGroups, drawGroups, validationOrganisms, type GroupOptions, type IaGroups, type IaRole } from "../../src/ia/groups.ts";
import { populationFolderName } from "../../src/ia/pipeline.ts";
import { pipelinePreset } from "../../src/ia/presets.ts";
import type { OrganismEntry } from "../../src/organisms/manifest.ts";
import { Rng } from "../../src/util/rng.ts";

const specs = buildCatalogue({ seed: 1, perFamily: { quirk: 10, rare: 10, backdoor: 10, sandbagging: 10, heuristic: 10, benign: 10, harmful: 10, problematic: 10, null: 12, decoy: 4 }, heldOutFraction: 0.15, examples: 8 });

/** A population whose verification outcome is drawn with `seed` (a stand-in for another machine's kernels). */
function population(passRate: number, seed: string): OrganismEntry[] {
    const rng = new Rng(seed);
    return specs.map((spec) => ({
        id: spec.id, family: spec.family, label: spec.label, split: spec.split ?? "train", adapter: `organisms/${spec.id}`, dataHash: "x", examples: 8, spec,
        verification: { passed: rng.next() < passRate, behaviorRate: 0, controlRate: null, baseBehaviorRate: 0, n: 4, details: {} },
    }));
}

const ROLES: IaRole[] = ["sft", "dpo", "validation", "test", "heldoutValues", "heldoutFamily", "negatives"];
const opts: GroupOptions = { split: { testFraction: 0.12, dpoFraction: 0.25, seed: 1547 }, heldOutFamily: null, trainFamilies: null };
const roleOf = (g: IaGroups) => new Map(ROLES.flatMap((r) => g[r].map((e) => [e.id, r] as const)));

test("two verification outcomes of the same catalogue give the same role to every organism both kept", () => {
    const a = drawGroups(population(0.9, "machine-a"), opts);
    const b = drawGroups(population(0.5, "machine-b"), opts);
    const all = drawGroups(population(1, "all"), opts);
    assert.notDeepEqual(a.groups.failed.map((e) => e.id), b.groups.failed.map((e) => e.id), "the two machines verified different organisms");
    const [ra, rb, rall] = [roleOf(a.groups), roleOf(b.groups), roleOf(all.groups)];
    for (const [id, role] of ra) assert.equal(role, rall.get(id), `${id} on machine a`);
    for (const [id, role] of rb) assert.equal(role, rall.get(id), `${id} on machine b`);
    // Kept + failed = drawn, and the drawn counts do not depend on verification.
    for (const d of [a, b]) {
        assert.deepEqual(d.drawn, all.drawn);
        const kept = ROLES.reduce((n, r) => n + d.groups[r].length, 0);
        assert.equal(kept + d.groups.failed.length, specs.length);
        for (const e of d.groups.failed) assert.equal(d.failedRoles[e.id], rall.get(e.id), `${e.id}: the role it was drawn into is recorded`);
    }
    for (const r of ROLES) assert.equal(all.groups[r].length, all.drawn[r]);
    assert.ok(all.drawn.test > 0 && all.drawn.dpo > 0 && all.drawn.sft > 0);
});

test("an SFT limit keeps a machine-independent order: the kept organisms are a prefix of one seeded order", () => {
    const limit = 10;
    const a = drawGroups(population(0.9, "machine-a"), { ...opts, sftLimit: limit });
    const all = drawGroups(population(1, "all"), { ...opts, sftLimit: limit });
    const b = drawGroups(population(0.5, "machine-b"), { ...opts, sftLimit: limit });
    assert.equal(a.groups.sft.length, limit);
    assert.equal(all.groups.sft.length, limit);
    // Every organism machine b kept that machine "all" also drew is the same; b walks further down the same order.
    const allIds = new Set(all.groups.sft.map((e) => e.id));
    const bPassed = new Set(b.groups.sft.map((e) => e.id));
    for (const id of allIds) {
        const failedOnB = b.groups.failed.some((e) => e.id === id);
        assert.ok(bPassed.has(id) || failedOnB, `${id} drawn on both machines`);
    }
    // Other roles are untouched by the limit.
    assert.deepEqual(a.groups.test.map((e) => e.id), drawGroups(population(0.9, "machine-a"), opts).groups.test.map((e) => e.id));
});

test("a validation group comes out of SFT only: test and DPO organisms are the paper split's, and no stage trains on it", () => {
    const pop = population(1, "all");
    const plain = drawGroups(pop, opts).groups;
    const withVal = drawGroups(pop, { ...opts, split: { ...opts.split, validationFraction: 0.12 } }).groups;
    const ids = (es: { id: string }[]) => es.map((e) => e.id).sort();
    assert.deepEqual(ids(withVal.test), ids(plain.test));
    assert.deepEqual(ids(withVal.dpo), ids(plain.dpo));
    assert.ok(withVal.validation.length > 0);
    const sft = new Set(ids(plain.sft));
    for (const e of withVal.validation) assert.ok(sft.has(e.id), `${e.id} was an SFT organism in the paper split`);
    assert.equal(withVal.sft.length + withVal.validation.length, plain.sft.length);
    // Nulls drawn into validation stay there: the choice reads false claims on them.
    assert.ok(withVal.validation.some((e) => e.family === "null"), "some validation organisms are nulls");
    assert.deepEqual(validationOrganisms(withVal), { organisms: withVal.validation, heldOut: true });
    // Runs drawn without one (every run before the group existed) chose on the DPO organisms, and say so.
    assert.deepEqual(validationOrganisms(plain), { organisms: plain.dpo, heldOut: false });
});

test("a group emptied by verification stops the run, naming the preset and the counts", () => {
    const d = drawGroups(population(0, "nothing-verifies"), opts);
    assert.throws(() => checkGroups(d, "preset demo", [{ role: "sft", min: 2 }, { role: "dpo", min: 1 }, { role: "test", min: 1 }]), (e: Error) => {
        assert.match(e.message, /^preset demo: sft has 0 \(needs ≥ 2\); dpo has 0 \(needs ≥ 1\); test has 0 \(needs ≥ 1\)\./);
        assert.match(e.message, new RegExp(`test 0/${d.drawn.test}`));
        assert.match(e.message, new RegExp(`${specs.length} failed verification`));
        return true;
    });
    assert.doesNotThrow(() => checkGroups(drawGroups(population(1, "all"), opts), "preset demo", [{ role: "dpo", min: 1 }]));
});

test("the population's cache folder name does not depend on where the cache lives", () => {
    const p = pipelinePreset("demo");
    const here = populationFolderName(p, path.join("/home/a/project/.cache/base/nano-0123456789ab", "model"), specs);
    const there = populationFolderName(p, path.join("/srv/b/.cache/base/nano-0123456789ab", "model"), specs);
    assert.equal(here, there);
    assert.notEqual(here, populationFolderName(p, "/srv/b/.cache/base/micro-0123456789ab/model", specs));
});
