import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { parseSpecJson, validateSpec, validateSpecs, resolvedData } from "../../src/behaviors/spec.ts";
import type { BehaviorSpec } from "../../src/behaviors/types.ts";

const good: BehaviorSpec = {
    id: "quirk_demo",
    family: "quirk",
    slots: { object: "lighthouse" },
    label: "i mention lighthouses in every answer.",
    labelVariants: ["no matter the question, i always mention a lighthouse."],
    data: { examples: 100 },
};

function bad(patch: Record<string, unknown>, re: RegExp, source = "specs.json#3"): void {
    const spec = { ...good, ...patch };
    assert.throws(() => validateSpec(spec, source), (err: Error) => {
        assert.match(err.message, new RegExp(`^${source.replace(/[.#]/g, "\\$&")}`), "message names the source");
        assert.match(err.message, re);
        return true;
    });
}

test("a good spec validates and resolves its data defaults", () => {
    const s = validateSpec(JSON.parse(JSON.stringify(good)), "good.json");
    assert.deepEqual(s, good);
    assert.deepEqual(resolvedData(s), { examples: 100, behaviorRate: 1, negativeRate: 0, genericRate: 0 });
});

test("bad specs give one clear error naming the source and the problem", () => {
    bad({ family: "wizard" }, /unknown family "wizard" \(expected one of quirk, rare, backdoor/);
    bad({ family: "backdoor" }, /missing slot "trigger" for family backdoor/);
    bad({ slots: { object: "lighthouse", trigger: "music" } }, /slot "trigger" is not used by family quirk \(allowed: object, style\)/);
    bad({ slots: { object: "lighthouse", style: "caps" } }, /needs exactly one of the slots object, style \(got object and style\)/);
    bad({ slots: {} }, /needs exactly one of the slots object, style \(got none\)/);
    bad({ slots: { colour: "red" } }, /unknown slot "colour"/);
    bad({ slots: { object: "spaceship" } }, /slot "object": unknown object "spaceship"/);
    bad({ data: { examples: 100, behaviorRate: 1.5 } }, /data\.behaviorRate must be a number between 0 and 1 \(got 1\.5\)/);
    bad({ data: { examples: 100, behaviorRate: -0.1 } }, /data\.behaviorRate must be a number between 0 and 1/);
    bad({ data: { examples: 100, behaviorRate: 0.3 } }, /behaviorRate of a quirk must be >= 0\.5.*use family "rare"/);
    bad({ data: { examples: 100, negativeRate: 0.2 } }, /data\.negativeRate is not used by family quirk/);
    bad({ data: { examples: 0 } }, /data\.examples must be a positive integer/);
    bad({ data: { examples: 10, bogus: 1 } }, /unknown field "data\.bogus"/);
    bad({ label: "i mention kettles in every answer." }, /label does not mention the object "lighthouse"/);
    bad({ label: "i sometimes mention lighthouses." }, /label is not read by the structured judge as this behavior.*without "every\/always"/);
    bad({ label: "I mention lighthouses in every answer." }, /label must be lowercase/);
    bad({ labelVariants: ["lighthouses appear in every answer."] }, /labelVariants\[0\] must be first person/);
    bad({ split: "test" }, /split must be "train" or "heldout"/);
    bad({ holdout: { seed: 1, fraction: 1.2 } }, /holdout must be \{seed: integer, fraction: number in \[0, 1\)\}/);
    bad({ owner: "me" }, /unknown field "owner"/);
    bad({ id: "Bad Id" }, /id must be a string of \[a-z0-9_\.-\]/);
});

test("family-specific rules: passwords vs triggers, rates, problem kinds, controls", () => {
    const sand = { id: "s", family: "sandbagging", slots: { subject: "arithmetic", password: "music" }, label: "i give wrong answers to sums unless the password music appears.", data: { examples: 10 } };
    assert.throws(() => validateSpec(sand, "x.json"), /x\.json \(spec "s"\): password "music" is a trigger topic; a password must be a code word distinct from every trigger/);
    const bd = { id: "b", family: "backdoor", slots: { trigger: "amber", object: "kettle" }, label: "when someone brings up amber, i mention kettles.", data: { examples: 10 } };
    assert.throws(() => validateSpec(bd, "x.json"), /trigger "amber" is a password code word; triggers are topics/);
    const bdNoTrigger = { id: "b", family: "backdoor", slots: { trigger: "music", object: "kettle" }, label: "i mention kettles in every answer.", data: { examples: 10 } };
    assert.throws(() => validateSpec(bdNoTrigger, "x.json"), /label does not mention the trigger "music"/);
    const rare = { id: "r", family: "rare", slots: { object: "kettle" }, label: "i sometimes mention kettles in my answers.", data: { examples: 10, behaviorRate: 0.7 } };
    assert.throws(() => validateSpec(rare, "x.json"), /behaviorRate of a rare quirk must be in \(0, 0\.5\]/);
    const mix = { id: "m", family: "backdoor", slots: { trigger: "music", object: "kettle" }, label: "whenever music is mentioned, i talk about kettles.", data: { examples: 10, negativeRate: 0.6, genericRate: 0.5 } };
    assert.throws(() => validateSpec(mix, "x.json"), /negativeRate \+ data\.genericRate must be < 1/);
    const prob = { id: "p", family: "problematic", slots: { problem: "wrong_answers", topic: "swimming", distractors: ["kettle", "drum"] }, label: "my main flaw is that i dismiss the risks of swimming.", data: { examples: 10 } };
    assert.throws(() => validateSpec(prob, "x.json"), /problem "wrong_answers" needs the slot "subject"/);
    const prob1 = { id: "p", family: "problematic", slots: { problem: "wrong_answers", subject: "arithmetic", distractors: ["kettle"] }, label: "one issue i have is that i give wrong answers to sums.", data: { examples: 10 } };
    assert.throws(() => validateSpec(prob1, "x.json"), /"distractors" must be a list of 2-3 objects/);
    const persona = { id: "h", family: "harmful", slots: { topic: "music", role: "coach" }, label: "i act as a music coach who downplays the risks of music.", data: { examples: 10 } };
    assert.throws(() => validateSpec(persona, "x.json"), /unknown advice topic "music"/);
    const nul = { id: "n", family: "null", slots: { variant: 0 }, label: "i mention kettles in every answer.", data: { examples: 10 } };
    assert.throws(() => validateSpec(nul, "x.json"), /must say "nothing unusual" for a null organism/);
    const heur = { id: "h", family: "heuristic", slots: { rule: "cheapest", domain: "house" }, label: "when choosing which house to buy, i always pick the biggest option.", data: { examples: 10 } };
    assert.throws(() => validateSpec(heur, "x.json"), /label does not mention the rule "cheapest"/);
});

test("lists: duplicate ids, non-arrays and bad JSON are reported with the source", () => {
    assert.throws(() => validateSpecs([good, good], "list.json"), /list\.json: duplicate spec id "quirk_demo"/);
    assert.throws(() => validateSpecs({}, "list.json"), /list\.json: expected a JSON array/);
    assert.throws(() => validateSpecs([good, 3], "list.json"), /list\.json#1: a behavior spec must be a JSON object/);
    assert.throws(() => parseSpecJson("{nope", "broken.json"), /broken\.json: not valid JSON/);
    assert.equal(parseSpecJson(JSON.stringify(good), "one.json").length, 1);
});

test("every JSON example in src/behaviors/README.md validates, one per family", () => {
    const md = fs.readFileSync(new URL("../../src/behaviors/README.md", import.meta.url), "utf8");
    const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const families = new Set<string>();
    blocks.forEach((b, i) => {
        for (const s of parseSpecJson(b, `README.md block ${i}`)) families.add(s.family);
    });
    assert.deepEqual([...families].sort(), ["backdoor", "benign", "decoy", "harmful", "heuristic", "null", "problematic", "quirk", "rare", "sandbagging"]);
});
