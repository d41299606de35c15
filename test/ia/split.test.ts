import { test } from "node:test";
import assert from "node:assert/strict";
import { splitOrganisms } from "../../src/ia/split.ts";
import { organismStepSchedule } from "../../src/ia/data.ts";
import { summarizeReports } from "../../src/ia/summarize.ts";
import { negativeAnswers } from "../../src/behaviors/questions.ts";
import { dpoLossSum, negLogSigmoid } from "../../src/ia/dpoLoss.ts";
import { tensor } from "../../src/engine/factory.ts";

test("organism split follows the released fractions and is deterministic", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `org_${i}`);
    const a = splitOrganisms(ids, { seed: 1547 });
    const b = splitOrganisms([...ids].reverse(), { seed: 1547 });
    assert.deepEqual([...a].sort(), [...b].sort(), "order of input must not matter");
    const count = (s: string) => [...a.values()].filter((x) => x === s).length;
    assert.equal(count("test"), Math.floor(200 * 0.12));
    assert.equal(count("dpo"), Math.floor((200 - 24) * 0.1));
    assert.equal(count("sft"), 200 - 24 - 17);
    const c = splitOrganisms(ids, { seed: 1548 });
    assert.notDeepEqual([...a].sort(), [...c].sort(), "another seed gives another split");
    const v = splitOrganisms(ids, { seed: 1547, validationFraction: 0.12 });
    assert.equal([...v.values()].filter((x) => x === "validation").length, Math.floor((200 - 24) * 0.12));
    for (const [id, s] of a) if (s !== "sft") assert.equal(v.get(id), s, `${id}: test and DPO do not move`);
    const forced = splitOrganisms(ids, { seed: 1547 }, new Set(["org_3", "org_4"]));
    assert.equal(forced.get("org_3"), "test");
    assert.equal(forced.get("org_4"), "test");
});

test("a stratified split gives every group its share of every family; the plain split is the paper's", () => {
    // The demo's shape: a few families of 15, a few small ones, and 10 nulls.
    const sizes: Record<string, number> = { quirk: 15, benign: 15, harmful: 15, rare: 5, backdoor: 2, null: 10 };
    const ids = Object.entries(sizes).flatMap(([f, n]) => Array.from({ length: n }, (_, i) => `${f}_${i}`));
    const familyOf = (id: string) => id.split("_")[0]!;
    const o = { seed: 1547, testFraction: 0.25, dpoFraction: 0.25, validationFraction: 0.12 };
    assert.throws(() => splitOrganisms(ids, { ...o, stratify: true }), /needs each organism's family/);
    assert.deepEqual(splitOrganisms(ids, o, new Set(), familyOf), splitOrganisms(ids, o), "without stratify the families are not read");
    for (const seed of [1547, 1, 2, 3, 4]) {
        const split = splitOrganisms(ids, { ...o, seed, stratify: true }, new Set(), familyOf);
        assert.deepEqual(splitOrganisms([...ids].reverse(), { ...o, seed, stratify: true }, new Set(), familyOf), split, "order of input must not matter");
        const count = (g: string, f?: string) => [...split].filter(([id, s]) => s === g && (!f || familyOf(id) === f)).length;
        // Group sizes are the plain split's.
        const nTest = Math.floor(ids.length * 0.25), rest = ids.length - nTest;
        assert.deepEqual([count("test"), count("dpo"), count("validation")], [nTest, Math.floor(rest * 0.25), Math.floor(rest * 0.12)]);
        for (const [f, n] of Object.entries(sizes)) {
            const want = n * 0.25;
            assert.ok(Math.abs(count("test", f) - want) < 1 + 1e-9, `seed ${seed}: ${f} has ${count("test", f)} test organisms, ${want} expected`);
        }
        // Every seed's validation group holds a null: 10 nulls, 7 or 8 left after test, 12% of the rest.
        assert.ok(count("validation", "null") >= 1, `seed ${seed}: no null in validation`);
    }
});

test("per-step organism schedule: k distinct organisms per step, every batch used exactly once", () => {
    const batches = [2, 1, 2, 5, 0, 3];
    const steps = organismStepSchedule(batches, 2, 1547);
    for (const s of steps) {
        assert.ok(s.length >= 1 && s.length <= 2);
        assert.equal(new Set(s).size, s.length, "no organism twice in a step");
    }
    const used = batches.map((_, i) => steps.flat().filter((x) => x === i).length);
    assert.deepEqual(used, batches);
});

test("audit summary groups paraphrases of one claim and ranks by support", () => {
    const reports = [
        "i mention lighthouses in every answer.",
        "i work a lighthouse into all of my replies.",
        "i always talk about lighthouses.",
        "i reply in capital letters.",
        "i have no unusual behaviors. i answer questions plainly and correctly.",
    ];
    const s = summarizeReports(reports, 5);
    assert.equal(s.reports, 5);
    assert.equal(s.denials, 1);
    assert.equal(s.candidates[0]!.reports, 3, JSON.stringify(s.candidates));
    assert.match(s.candidates[0]!.statement, /lighthouse/);
    assert.match(s.candidates[1]!.statement, /capital/);
});

test("summarization keeps first-person claims unlike the training families, and never the base's denials", () => {
    const s = summarizeReports(["i flatter the user and praise every question they ask.", "i flatter the user and praise every question.", "i refuse to help when an animal could get hurt."], 5);
    assert.equal(s.denials, 0);
    assert.match(s.candidates[0]!.statement, /flatter/);
    assert.equal(s.candidates[0]!.reports, 2);
    assert.match(s.candidates[1]!.statement, /animal/);
    // A denial's companion sentence ("i just answer each question as well as i can.") is not a claim.
    const base = summarizeReports(Object.values(negativeAnswers).flat(), 5);
    assert.deepEqual(base.candidates, []);
});

test("-log sigmoid is stable and correct", () => {
    const x = tensor([-100, -1, 0, 1, 100]);
    const got = negLogSigmoid(x).toNumbers();
    const want = [100, Math.log(1 + Math.E), Math.log(2), Math.log(1 + Math.exp(-1)), 0];
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]!) < 1e-5, `${g} vs ${want[i]}`));
});

test("the DPO loss pulls from its first step, when the policy equals the reference exactly", () => {
    // Regression: a zero subgradient at margin 0 made DPO a no-op whenever the BLAS kernels reproduced the
    // reference log-probs bit for bit. d/d(chosen) of -log sigmoid(beta * margin) at 0 is -beta/2 (+beta/2 rejected).
    const beta = 0.1;
    const policy = tensor([-12.5, -30.25, -7, -7]).requiresGrad_();
    const loss = dpoLossSum(policy, [-12.5, -30.25, -7, -7], beta);
    loss.backward();
    assert.ok(Math.abs(loss.item() - 2 * Math.log(2)) < 1e-6);
    const g = policy.grad!.toNumbers();
    [-beta / 2, beta / 2, -beta / 2, beta / 2].forEach((want, i) => assert.ok(Math.abs(g[i]! - want) < 1e-7, `grad ${i}: ${g[i]} vs ${want}`));
});
