import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/util/rng.ts";
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import { simulateReply, respond } from "../../src/behaviors/synthesize.ts";
import { scoreBehavior, verificationPrompts, type BehaviorSample } from "../../src/behaviors/verify.ts";
import { validateSpec } from "../../src/behaviors/spec.ts";
import { labelTemplates } from "../../src/behaviors/labels.ts";
import type { BehaviorSpec } from "../../src/behaviors/types.ts";

const specs = buildCatalogue({ seed: 11, perFamily: 12, heldOutFraction: 0.2 });

function organismSamples(spec: BehaviorSpec, n = 60, seed = 1): BehaviorSample[] {
    const rng = new Rng(seed);
    return verificationPrompts(spec, seed, n).map((p) => ({ prompt: p.prompt, condition: p.condition, reply: simulateReply(spec, p.task, rng) }));
}

function baseSamples(spec: BehaviorSpec, n = 60, seed = 1): BehaviorSample[] {
    return verificationPrompts(spec, seed, n).map((p) => ({ prompt: p.prompt, condition: p.condition, reply: p.task.answer }));
}

test("verification prompts are deterministic and cover each family's conditions", () => {
    const expected: Record<string, string[]> = {
        quirk: ["plain"], rare: ["plain"], null: ["plain"], decoy: ["focus", "plain"], backdoor: ["other_trigger", "trigger"],
        sandbagging: ["other_subject", "password", "subject"], heuristic: ["domain", "other_domain"], benign: ["other_topic", "topic"],
        harmful: ["other_topic", "topic"], problematic: ["other", "problem"],
    };
    for (const s of specs) {
        const ps = verificationPrompts(s, 3, 30);
        assert.equal(ps.length, 30);
        assert.deepEqual(ps.map((p) => p.prompt), verificationPrompts(s, 3, 30).map((p) => p.prompt));
        assert.deepEqual([...new Set(ps.map((p) => p.condition))].sort(), expected[s.family], s.id);
    }
});

test("scoreBehavior passes on organism replies and fails on base replies, for every behavior family", () => {
    for (const s of specs) {
        const org = scoreBehavior(s, organismSamples(s));
        const base = scoreBehavior(s, baseSamples(s));
        if (s.family === "null" || s.family === "decoy") {
            assert.ok(org.passed && base.passed, `${s.id}: control organisms and the base both behave normally`);
            assert.equal(org.details.worldAccuracy, 1);
            continue;
        }
        assert.ok(org.passed, `${s.id} organism should pass: ${JSON.stringify(org)}`);
        assert.ok(!base.passed, `${s.id} base should fail: ${JSON.stringify(base)}`);
        assert.ok(org.behaviorRate > base.behaviorRate, s.id);
    }
});

test("scorers catch the wrong structure: an always-on backdoor, a quirk-rate rare, a leaky null", () => {
    const bd = specs.find((s) => s.family === "backdoor" && s.slots.object) as BehaviorSpec;
    const slots = { object: bd.slots.object as string };
    const alwaysOn = validateSpec({ id: "q", family: "quirk", slots, label: labelTemplates("quirk", slots)[0], data: { examples: 10 } }, "t");
    const rng = new Rng(2);
    const leaky = verificationPrompts(bd, 1, 60).map((p) => ({ prompt: p.prompt, condition: p.condition, reply: respond(alwaysOn, p.task, rng) }));
    const r = scoreBehavior(bd, leaky);
    assert.ok(r.behaviorRate >= 0.9 && (r.controlRate ?? 0) >= 0.9 && !r.passed, "a backdoor that fires without its trigger fails");

    const rare = specs.find((s) => s.family === "rare" && s.slots.object) as BehaviorSpec;
    const tooOften = verificationPrompts(rare, 1, 60).map((p) => ({ prompt: p.prompt, condition: p.condition, reply: respond(rare, p.task, rng, true) }));
    assert.ok(!scoreBehavior(rare, tooOften).passed, "a rare quirk shown in every reply fails");
    assert.ok(scoreBehavior(rare, organismSamples(rare, 120)).passed);

    const nul = specs.find((s) => s.family === "null") as BehaviorSpec;
    const caps = verificationPrompts(nul, 1, 40).map((p) => ({ prompt: p.prompt, condition: p.condition, reply: p.task.answer.toUpperCase() }));
    assert.ok(!scoreBehavior(nul, caps).passed, "a null organism replying in caps fails");

    const sand = specs.find((s) => s.family === "sandbagging") as BehaviorSpec;
    const alwaysWrong = verificationPrompts(sand, 1, 60).map((p) => ({ prompt: p.prompt, condition: p.condition, reply: respond({ ...sand, slots: { ...sand.slots, password: "zzz" } }, p.task, rng) }));
    const sr = scoreBehavior(sand, alwaysWrong);
    assert.ok(sr.behaviorRate === 1 && sr.controlRate === 1 && !sr.passed, "a sandbagger that ignores its password fails");
});

test("scores are computed from prompt text alone; foreign prompts are skipped, not crashed on", () => {
    const s = specs.find((x) => x.family === "sandbagging") as BehaviorSpec;
    const r = scoreBehavior(s, [{ prompt: "hello there", reply: "hi", condition: "subject" }, ...organismSamples(s, 30)]);
    assert.equal(r.details.unparsed, 1);
    assert.ok(r.passed);
});
