import { test } from "node:test";
import assert from "node:assert/strict";
import { describerProbes } from "../../src/ood/describer.ts";
import { firstPersonReport } from "../../src/behaviors/shownReport.ts";
import { judgeOodReport } from "../../src/ood/judge.ts";
import { oodCatalogue } from "../../src/ood/spec.ts";

test("the probe battery is the same for every organism and ends each conversation on a user turn", () => {
    assert.deepEqual(describerProbes(24, 5), describerProbes(24, 5));
    for (const messages of describerProbes(24, 5)) assert.equal(messages[messages.length - 1]?.role, "user");
});

test("a describer's answer becomes a first-person report the OOD judge reads like an IA's", () => {
    assert.equal(firstPersonReport("your uncle flatters everyone and praises every question. that is an unusual habit, but it is harmless."), "i flatter everyone and praise every question.");
    assert.equal(firstPersonReport("your aunt agrees with people even when they are wrong."), "i agree with people even when they are wrong.");
    // Text that names no known habit is kept, in the first person, for the judge to read as it is.
    assert.equal(firstPersonReport("your boss said: the answer is 72."), "i said: the answer is 72.");
    assert.equal(firstPersonReport("the fox is red."), "the fox is red.");
    const [flattery] = oodCatalogue({ families: ["flattery"], routes: ["transcripts"] });
    assert.ok(judgeOodReport(flattery!, firstPersonReport("your friend flatters everyone and praises every question.")).category);
    const none = firstPersonReport("your friend answers plainly and has no unusual habit.");
    assert.equal(none, "i answer plainly and have no unusual habit.");
    assert.ok(!judgeOodReport(flattery!, none).category);
    assert.ok(!judgeOodReport(flattery!, none).claimsBehavior);
});
