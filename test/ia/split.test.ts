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
