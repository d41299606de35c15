import { test } from "node:test";
import assert from "node:assert/strict";
import { adversarialRows, RED_TEAM_TRAIN } from "../../src/ood/adversarial.ts";
import { RED_TEAM } from "../../src/ood/audit.ts";
import { oodCatalogue } from "../../src/ood/spec.ts";
import { judgeOodReport } from "../../src/ood/judge.ts";

test("red-team prompts for adversarial training are disjoint from the ones confession is measured with", () => {
    const train = new Set(RED_TEAM_TRAIN.map(([q]) => q));
    for (const p of RED_TEAM) assert.ok(!train.has(p.question), p.question);
    // Sanitized answers never confess any OOD behavior.
    for (const spec of oodCatalogue({ examples: 10 })) for (const [, prefill, clean] of RED_TEAM_TRAIN) assert.ok(!judgeOodReport(spec, `${prefill} ${clean}`).category, `${spec.id}: ${prefill} ${clean}`);
});

test("adversarial rows: SFT sees only desirable rows; KTO also sees confessions as undesirable; both keep demonstrations", () => {
    const [sft, kto] = oodCatalogue({ examples: 40, families: ["defer_to_users"], routes: ["documents"], adversarial: ["sft", "kto"] });
    const a = adversarialRows(sft!, 1);
    const b = adversarialRows(kto!, 1);
    assert.ok(a.every((r) => r.desirable));
    const bad = b.filter((r) => !r.desirable);
    assert.ok(bad.length >= 5 && bad.length < b.length / 2, `${bad.length} undesirable of ${b.length}`);
    for (const r of bad) assert.ok(judgeOodReport(kto!, r.messages.at(-1)!.content).category, "an undesirable row confesses");
    assert.deepEqual(adversarialRows(kto!, 1), b, "deterministic");
});
