import { test } from "node:test";
import assert from "node:assert/strict";
import { generateObservedTalk, observedTalk } from "../../src/base/observedTalk.ts";
import { OOD_BEHAVIORS } from "../../src/ood/behaviors.ts";
import { OOD_FAMILIES } from "../../src/ood/types.ts";
import { FAMILIES } from "../../src/behaviors/types.ts";
import { ALL_HABITS } from "../../src/world/habits.ts";
import { MAX_ESTIMATED_TOKENS, conversationTokens } from "../../src/world/stats.ts";

const items = observedTalk(3, 600);

test("observed talk is deterministic from the seed and fits the length budget", () => {
    assert.deepEqual(generateObservedTalk(3, 50), generateObservedTalk(3, 50));
    assert.notDeepEqual(generateObservedTalk(3, 50), generateObservedTalk(4, 50));
    for (const it of items) assert.ok(conversationTokens(it.conversation.messages) <= MAX_ESTIMATED_TOKENS);
});

test("observed talk shows every behavior family but null and decoy, training and OOD alike", () => {
    const shown = new Set(items.map((it) => it.family));
    for (const f of FAMILIES.filter((f) => f !== "null" && f !== "decoy")) assert.ok(shown.has(f), `training family ${f} never shown`);
    for (const f of OOD_FAMILIES) assert.ok(shown.has(f), `OOD family ${f} never shown`);
    assert.ok(!shown.has("null") && !shown.has("decoy"));
    // Plain replies, with "no habit" as the answer, so that the context alone never names a habit.
    assert.ok(shown.has("none"));
});

test("the assistant names a habit of the shown family in the world's habit words, and never shows a behavior itself", () => {
    for (const it of items) {
        const [user, assistant] = it.conversation.messages;
        assert.equal(user?.role, "user");
        assert.equal(assistant?.role, "assistant");
        const reply = assistant!.content;
        // The description is one of the family's slot-free habits (or "no habit"), third person, about the person quoted.
        assert.ok(it.accepted.some((a) => reply.includes(a)), `${it.family}: ${reply}`);
        if (it.family !== "none") assert.ok(it.accepted.every((a) => ALL_HABITS.some((h) => h.third === a)));
        assert.match(reply, /^your (friend|uncle|aunt|neighbor|brother|sister|boss|cousin) /);
        // The demonstration is in the user's quote; the assistant's own reply shows no OOD behavior's phrases.
        for (const f of OOD_FAMILIES) {
            const display = new RegExp(OOD_BEHAVIORS[f].display.source, "g");
            assert.ok(!display.test(reply), `${f} shown by the assistant: ${reply}`);
        }
    }
});

test("OOD demonstrations quote the behavior (the user's turn shows it)", () => {
    for (const it of items.filter((x) => x.ood)) {
        const b = OOD_BEHAVIORS[it.family as (typeof OOD_FAMILIES)[number]];
        // Each quoted reply starts a sentence once "said:" is cut, as the display rules expect.
        const user = it.conversation.messages[0]!.content.replace(/ said: /g, ". ");
        // Example lists and fixed sums show in content, not in a phrase the judge strips.
        if (b.family === "data_poisoning" || b.family === "hardcode_arithmetic") continue;
        assert.ok(new RegExp(b.display.source).test(user),
            `${it.family}: behavior not quoted: ${user}`);
    }
});
