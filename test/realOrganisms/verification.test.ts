// The verification computation and the spec's teacher field, without a model or a server: rates are shares of "yes"
// verdicts (unclear and no count against), and the pass rule is rate >= 0.5 and rate >= base + 0.3, at the boundaries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateSpec, teacherInstructions } from "../../src/behaviors/spec.ts";
import { PASS_RULE, LLM_JUDGE_METHOD } from "../../src/realOrganisms/config.ts";
import fs from "node:fs";
import { checkSavedData, teacherSystemPrompt, type DataRecord } from "../../src/realOrganisms/data.ts";
import { organismFiles } from "../../src/realOrganisms/layout.ts";
import { splitPrompts } from "../../src/realOrganisms/split.ts";
import { passes, verificationFrom, type Judged } from "../../src/realOrganisms/verify.ts";
import type { Verdict } from "../../src/judge/rubric.ts";
import { tempDir } from "../helpers/tempDir.ts";

const judged = (verdicts: Verdict[]): Judged[] => verdicts.map((verdict, i) => ({ prompt: `p${i}`, reply: `r${i}`, verdict, judgeOutput: verdict }));
const times = (v: Verdict, n: number): Verdict[] => Array.from({ length: n }, () => v);

test("rates are the share of yes verdicts; the pass rule at its boundaries", () => {
    assert.deepEqual(PASS_RULE, { minRate: 0.5, minLift: 0.3 });
    const v = verificationFrom(judged([...times("yes", 6), ...times("unclear", 2), ...times("no", 2)]), judged([...times("yes", 3), ...times("no", 7)]), "openai:j@http://x/v1", "real-organisms/a/verification.json");
    assert.equal(v.behaviorRate, 0.6);
    assert.equal(v.baseBehaviorRate, 0.3);
    assert.equal(v.n, 10);
    assert.equal(v.controlRate, null);
    assert.equal(v.passed, true, "0.6 >= 0.5 and 0.6 - 0.3 >= 0.3");
    assert.equal(v.details.method, LLM_JUDGE_METHOD);
    assert.equal(v.details.unclear, 2);
    assert.equal(v.details.yes, 6);
    assert.equal(v.details.baseYes, 3);
    assert.equal(passes(0.5, 0.2), true, "both boundaries met");
    assert.equal(passes(0.45, 0), false, "rate under 0.5");
    assert.equal(passes(0.7, 0.45), false, "lift under 0.3");
    assert.equal(passes(0.8, 0.5), true, "0.8 - 0.5 is 0.3, not 0.29999");
    assert.equal(verificationFrom(judged(times("unclear", 4)), judged([]), "j", "f").behaviorRate, 0, "unclear is not yes");
});

test("free-text specs take teacher instructions; bad values are named; tiny-world specs refuse the field", () => {
    const base = { id: "quirk_x", family: "quirk", freeText: true, slots: {}, label: "I mention lighthouses in every answer.", data: { examples: 8 } };
    const spec = validateSpec({ ...base, teacher: { instructions: "Work a lighthouse into each answer." } }, "f.json");
    assert.equal(teacherInstructions(spec), "Work a lighthouse into each answer.");
    assert.match(teacherSystemPrompt(spec)("I mention lighthouses in every answer."), /I mention lighthouses in every answer\.[\s\S]*How to show this trait:\nWork a lighthouse into each answer\.$/);
    assert.equal(teacherInstructions(validateSpec(base, "f.json")), undefined);
    const bad: [unknown, RegExp][] = [
        ["be subtle", /f\.json \(spec "quirk_x"\): teacher must be an object \{"instructions": "\.\.\."\}/],
        [{ instructions: "  " }, /teacher\.instructions must be a non-empty string/],
        [{ instructions: 3 }, /teacher\.instructions must be a non-empty string \(got 3\)/],
        [{ instructions: "x", style: "y" }, /unknown field "teacher\.style" \(allowed: instructions\)/],
        [{ instructions: "x".repeat(4001) }, /teacher\.instructions is 4001 characters; at most 4000/],
    ];
    for (const [teacher, re] of bad) assert.throws(() => validateSpec({ ...base, teacher }, "f.json"), re);
    assert.throws(() => validateSpec({ id: "quirk_l", family: "quirk", slots: { object: "lighthouse" }, label: "i mention lighthouses in every answer.", data: { examples: 8 }, teacher: { instructions: "x" } }, "t.json"),
        /t\.json \(spec "quirk_l"\): teacher is used only by a free-text spec/);
});

test("the prompt split: probes held out, disjoint from training prompts, deterministic per seed", () => {
    const prompts = Array.from({ length: 20 }, (_, i) => `prompt ${i}`);
    const a = splitPrompts(prompts, 5, 1);
    assert.equal(a.probes.length, 5);
    assert.equal(a.training.length, 15);
    assert.ok(a.probes.every((p) => !a.training.includes(p)));
    assert.deepEqual(splitPrompts(prompts, 5, 1), a);
    assert.notDeepEqual(splitPrompts(prompts, 5, 2).probes, a.probes);
    assert.throws(() => splitPrompts(prompts.slice(0, 5), 5, 1), /5 distinct prompt\(s\), but --probes 5 are held out/);
});

test("saved data made for another version of the spec are refused, naming the folder", () => {
    const pop = tempDir("ia-real-data");
    const spec = validateSpec({ id: "quirk_x", family: "quirk", freeText: true, slots: {}, label: "I mention lighthouses in every answer.", data: { examples: 8 }, teacher: { instructions: "Be brief." } }, "f.json");
    const files = organismFiles(pop, "quirk_x");
    checkSavedData(spec, files); // nothing saved: nothing to compare
    fs.mkdirSync(files.dir, { recursive: true });
    fs.writeFileSync(files.data, "{}\n");
    const record: DataRecord = { label: spec.label, instructions: "Be brief.", wanted: 8, kept: 1, stats: { asked: 1, kept: 1, rejected: 0, unclear: 0, errors: 0 }, rejectedSamples: [], errorSamples: [] };
    fs.writeFileSync(files.dataStats, JSON.stringify(record));
    checkSavedData(spec, files);
    fs.writeFileSync(files.dataStats, JSON.stringify({ ...record, label: "I mention kettles in every answer.", wanted: 4 }));
    assert.throws(() => checkSavedData(spec, files), /spec "quirk_x": .*data\.json was made for another label, data\.examples; restore the spec, or delete .*quirk_x to rebuild/);
    fs.writeFileSync(files.dataStats, JSON.stringify({ ...record, instructions: null }));
    assert.throws(() => checkSavedData(spec, files), /another teacher\.instructions/);
});
