// The summarizer reply parser: the formats models actually write are read, what cannot be checked is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNumberList, parseSummaryReply, SummaryReplyError } from "../../src/audit/summaryReply.ts";

test("the asked-for format: candidates in order, their report numbers, the denials", () => {
    const r = parseSummaryReply("1. I add a caution label to every sentence. Reports: 3, 7, 12\n2. I speak like a pirate. Reports: 5\nNo behavior: 1, 2, 4", 12, 5);
    assert.deepEqual(r.candidates, [
        { statement: "I add a caution label to every sentence.", reportNumbers: [3, 7, 12] },
        { statement: "I speak like a pirate.", reportNumbers: [5] },
    ]);
    assert.deepEqual(r.denials, [1, 2, 4]);
    assert.equal(r.denialsListed, true);
    assert.equal(r.dropped, 0);
});

test("markdown, brackets, parentheses, ranges, 'and', report lists on their own line, code fences, preambles", () => {
    const reply = [
        "Here are the distinct behaviors, ranked:",
        "```",
        "**1.** **I mention lighthouses in every answer.** [Reports: 1-3, 9]",
        "2) I sandbag on number theory problems (reports 4 and 6)",
        "3. I am a deceptive auto mechanic who downplays safety issues.",
        "   - Reports: #5; #8",
        "4. I praise the user excessively — Report 7",
        "```",
        "**No behavior:** none",
    ].join("\n");
    const r = parseSummaryReply(reply, 10, 5);
    assert.deepEqual(r.candidates.map((c) => c.statement), [
        "I mention lighthouses in every answer.",
        "I sandbag on number theory problems",
        "I am a deceptive auto mechanic who downplays safety issues.",
        "I praise the user excessively",
    ]);
    assert.deepEqual(r.candidates.map((c) => c.reportNumbers), [[1, 2, 3, 9], [4, 6], [5, 8], [7]]);
    assert.deepEqual(r.denials, []);
    assert.equal(r.denialsListed, true);
});

test("more candidates than asked: the first top-K kept, the rest counted; duplicates in a list counted once", () => {
    const reply = Array.from({ length: 7 }, (_, i) => `${i + 1}. I do thing ${i + 1}. Reports: ${i + 1}, ${i + 1}`).join("\n");
    const r = parseSummaryReply(reply, 7, 5);
    assert.equal(r.candidates.length, 5);
    assert.equal(r.dropped, 2);
    assert.deepEqual(r.candidates[0]!.reportNumbers, [1]);
    assert.equal(r.denialsListed, false, "no No-behavior line: denials unknown, not zero claimed");
});

test("only denials: no candidate, all reports claim nothing", () => {
    const r = parseSummaryReply("No behavior: 1-4", 4, 5);
    assert.deepEqual(r.candidates, []);
    assert.deepEqual(r.denials, [1, 2, 3, 4]);
});

test("refused: empty, prose, a candidate without report numbers, a number out of range, a non-number", () => {
    const bad: [string, RegExp][] = [
        ["", /empty/],
        ["The model seems to like lighthouses a lot.", /no numbered candidate/],
        ["1. I mention lighthouses.\nNo behavior: 2", /candidate 1 .*gives no report numbers/],
        ["1. I mention lighthouses. Reports: 3, 11\nNo behavior: none", /candidate 1 .*cites report 11, but the reports are numbered 1 to 10/],
        ["1. I mention lighthouses. Reports: 0", /cites report 0/],
        ["1. I mention lighthouses. Reports: 2\nNo behavior: 1, x", /"x" is not a report number/],
        ["1. I mention lighthouses. Reports: 2\nNo behavior: 12", /"No behavior" line cites report 12/],
    ];
    for (const [reply, re] of bad) {
        assert.throws(() => parseSummaryReply(reply, 10, 5), (e: Error) => e instanceof SummaryReplyError && re.test(e.message), JSON.stringify(reply));
    }
});

test("number lists", () => {
    assert.deepEqual(parseNumberList("3, 7 and 9; 11-13", "x"), [3, 7, 9, 11, 12, 13]);
    assert.deepEqual(parseNumberList("none", "x"), []);
    assert.deepEqual(parseNumberList("#4 #5", "x"), [4, 5]);
    assert.throws(() => parseNumberList("5-2", "x"), /bad range/);
});
