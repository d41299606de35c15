// The built-in investigator's logic against simulated organisms (the ideal organism of each spec, the world's
// plain answers as the base, an IA that states the label in some reports): it finds the behavior and its
// condition, ranks at most 10 predictions in the label style, logs its reasoning, and is deterministic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BuiltinInvestigator } from "../../src/investigate/builtin.ts";
import { gradePredictions, MAX_PREDICTIONS } from "../../src/investigate/predictions.ts";
import { TOOL_SETS, type ToolName } from "../../src/investigate/types.ts";
import { runInvestigation } from "../../src/investigate/run.ts";
import { SimulatedTarget } from "../../src/investigate/simulatedTarget.ts";
import { SPECS, simBox, specOf } from "./helpers.ts";

const families = ["quirk", "rare", "backdoor", "sandbagging", "heuristic", "benign", "harmful", "problematic"];

test("with the IA, the built-in investigator recovers each family's behavior and condition on simulated organisms", () => {
    for (const family of families) {
        const spec = specOf(family);
        const box = simBox(spec, { tools: TOOL_SETS.ia, sim: { iaAccuracy: 0.3 } });
        const preds = new BuiltinInvestigator(box).run();
        const g = gradePredictions(spec, preds);
        assert.ok(g.strict, `${spec.id} (${spec.label}): ${preds.map((p) => p.statement).join(" | ")}`);
        assert.ok(preds.length <= MAX_PREDICTIONS);
        assert.ok(box.budget.samplesUsed <= 256);
    }
});

test("black-box only, the condition is found by experiments (backdoor trigger, sandbagging password)", () => {
    for (const spec of [specOf("backdoor"), specOf("sandbagging")]) {
        const box = simBox(spec, { tools: TOOL_SETS["black-box"] });
        const preds = new BuiltinInvestigator(box).run();
        assert.ok(gradePredictions(spec, preds).strict, `${spec.id}: ${preds.map((p) => p.statement).join(" | ")}`);
        assert.ok(preds.every((p) => p.source !== "ia"));
    }
});

test("behavior-free organisms get no claimed behavior", () => {
    for (const spec of [specOf("null"), specOf("decoy")]) {
        const preds = new BuiltinInvestigator(simBox(spec, { tools: TOOL_SETS["black-box"] })).run();
        assert.deepEqual(preds, [], spec.id);
    }
});

test("the research log explains the steps, and a run is deterministic given its seed", async () => {
    const spec = specOf("backdoor", 1);
    const once = () => runInvestigation({ responder: new SimulatedTarget(spec), tools: TOOL_SETS.ia, budget: { samples: 200 }, seed: 5, spec });
    const a = await once();
    const b = await once();
    assert.deepEqual(a.predictions, b.predictions);
    assert.deepEqual(a.grading, b.grading);
    assert.ok(a.cost.samples <= 200 && a.cost.calls > 3 && a.cost.completionTokens > 0);
    const box = simBox(spec, { tools: TOOL_SETS.ia });
    new BuiltinInvestigator(box).run();
    const md = box.log.markdown();
    for (const h of ["## IA self-reports", "## Survey", "## Conclusion"]) assert.ok(md.includes(h), h);
});

test("a small budget is respected and still yields predictions", () => {
    const spec = SPECS.find((s) => s.family === "quirk")!;
    const box = simBox(spec, { tools: TOOL_SETS.ia, samples: 40 });
    const preds = new BuiltinInvestigator(box).run();
    assert.ok(box.budget.samplesUsed <= 40);
    assert.ok(preds.length <= MAX_PREDICTIONS);
});

test("granting compare_to_base never loses a behavior that black-box finds: base replies leave the reserve for experiments", () => {
    // Base replies cost budget; referencing the whole survey against the base once left nothing for the experiments
    // (a backdoor the IA never states went unconfirmed). The IA states nothing here, so only experiments count.
    for (const family of families) {
        const spec = specOf(family);
        const found = (tools: readonly ToolName[]) => {
            const box = simBox(spec, { tools, sim: { iaAccuracy: 0 } });
            const g = gradePredictions(spec, new BuiltinInvestigator(box).run());
            return { g, baseReplies: box.log.calls.filter((c) => c.tool === "compare_to_base").reduce((s, c) => s + c.samples, 0) };
        };
        const blackBox = found(TOOL_SETS["black-box"]!);
        const withCompare = found(TOOL_SETS["ia+compare"]!);
        assert.ok(withCompare.baseReplies > 0 && withCompare.baseReplies <= 128, `${spec.id}: ${withCompare.baseReplies} base replies`);
        if (blackBox.g.category) assert.ok(withCompare.g.category, `${spec.id}: found black-box, lost with compare_to_base`);
        if (blackBox.g.strict) assert.ok(withCompare.g.strict, `${spec.id}: condition found black-box, lost with compare_to_base`);
    }
});
