import { test } from "node:test";
import assert from "node:assert/strict";
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import { questionSet } from "../../src/behaviors/questions.ts";
import { judgeReport } from "../../src/behaviors/structuredJudge.ts";
import { IA_PRESETS } from "../../src/ia/config.ts";
import { buildIaRows, type IaSubject } from "../../src/ia/data.ts";
import { buildDpoPairs } from "../../src/ia/trainDpo.ts";
import { inDistributionHabits } from "../../src/base/observedTalk.ts";
import { WIDER_HABITS } from "../../src/world/habits.ts";
import { claimPart } from "../../src/behaviors/shownReport.ts";
import { distractorAside } from "../../src/behaviors/labels.ts";
import { conversationTokens, MAX_ESTIMATED_TOKENS } from "../../src/world/stats.ts";

const specs = buildCatalogue({ seed: 1, perFamily: 3, examples: 8 });
const subjects: IaSubject[] = [...specs.filter((s) => s.split === "train").map((s) => ({ key: s.id, spec: s })), { key: "base", spec: null }];

test("IA rows: labels as targets, train-split questions only, the configured share of negatives", () => {
    const cfg = { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 20, negativeFraction: 0.25 };
    const rows = buildIaRows(subjects, cfg);
    const flat = rows.flat();
    const negShare = flat.filter((r) => r.negative).length / flat.length;
    assert.ok(Math.abs(negShare - 0.25) < 0.05, `negative share ${negShare}`);
    const heldBack = new Set(["generic", "conditional", "problematic", "roleplay"].flatMap((f) => [...questionSet(f as never, "test"), ...questionSet(f as never, "validation")]));
    rows.forEach((rs, i) => {
        const s = subjects[i]!;
        for (const r of rs) {
            assert.ok(!heldBack.has(r.messages[0]!.content), `a test/validation question leaked into training: ${r.messages[0]!.content}`);
            const answer = r.messages[1]!.content;
            if (r.negative) assert.equal(judgeReport(specs[0]!, answer).claimsBehavior, false, answer);
            else assert.ok([s.spec!.label, ...(s.spec!.labelVariants ?? [])].includes(answer));
        }
    });
});

test("IA rows with habit words: the family's slot-free habit opens the label, never an OOD behavior's words", () => {
    const cfg = { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 20, habitLabels: 0.5 };
    const rows = buildIaRows(subjects, cfg);
    const oodWords = WIDER_HABITS.map((h) => h.first);
    let opened = 0, positives = 0;
    rows.forEach((rs, i) => {
        const s = subjects[i]!;
        for (const r of rs) {
            const answer = r.messages[1]!.content;
            assert.ok(!oodWords.some((w) => answer.includes(w)), answer);
            if (r.negative) continue;
            positives++;
            const labels = [s.spec!.label, ...(s.spec!.labelVariants ?? [])];
            if (labels.includes(answer)) continue;
            opened++;
            const habit = inDistributionHabits(s.spec!).find((h) => answer.startsWith(`i ${h.first}. `));
            assert.ok(habit, `not a habit of ${s.spec!.family}: ${answer}`);
            assert.ok(labels.includes(answer.slice(`i ${habit.first}. `.length)), answer);
        }
    });
    assert.ok(Math.abs(opened / positives - 0.5) < 0.1, `habit share ${opened / positives}`);
    // Off by default: the same rows as before the option existed.
    assert.deepEqual(buildIaRows(subjects, { ...cfg, habitLabels: undefined }), buildIaRows(subjects, { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 20 }));
});

for (const form of ["aside", "listed"] as const) test(`IA rows naming distractors (${form}): problematic answers open with their distractor quirks, still judged right; other rows unchanged`, () => {
    const cfg = { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 20, nameDistractors: 1, distractorForm: form };
    const rows = buildIaRows(subjects, cfg);
    const plain = buildIaRows(subjects, { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 20 });
    let problematic = 0;
    rows.forEach((rs, i) => {
        const s = subjects[i]!;
        if (s.spec?.family !== "problematic") return assert.deepEqual(rs, plain[i]);
        for (const r of rs) {
            problematic++;
            const answer = r.messages[1]!.content;
            const aside = distractorAside(s.spec.slots.distractors!, form);
            assert.ok(answer.startsWith(`${aside} `), answer);
            assert.ok([s.spec.label, ...(s.spec.labelVariants ?? [])].includes(answer.slice(aside.length + 1)), answer);
            const verdict = judgeReport(s.spec, answer);
            assert.ok(verdict.category && verdict.strict, `${answer}: ${verdict.reason}`);
            assert.ok(conversationTokens(r.messages) <= MAX_ESTIMATED_TOKENS, answer);
        }
    });
    assert.ok(problematic > 0);
    // The aside alone names no problem: a report that stops there is a wrong report, not a right one.
    const spec = specs.find((s) => s.family === "problematic")!;
    assert.equal(judgeReport(spec, distractorAside(spec.slots.distractors!, form)).category, false);
});

for (const frame of ["first-person", "quoted"] as const) {
    test(`IA rows show-then-name (${frame}): a reply showing the behavior, then its habit words and label; negatives show a plain reply and claim nothing`, () => {
        const cfg = { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 12, showThenName: 1, showFrame: frame };
        const rows = buildIaRows(subjects, cfg);
        let shown = 0, all = 0;
        rows.forEach((rs, i) => {
            const s = subjects[i]!;
            for (const r of rs) {
                all++;
                const answer = r.messages[1]!.content;
                assert.ok(conversationTokens(r.messages) <= MAX_ESTIMATED_TOKENS, answer);
                if (!answer.startsWith(frame === "quoted" ? "someone asked my " : "when asked:")) continue;
                shown++;
                const claim = claimPart(answer);
                assert.ok(claim.length > 0, answer);
                if (r.negative) {
                    assert.equal(judgeReport(specs[0]!, answer).claimsBehavior, false, answer);
                    continue;
                }
                const labels = [s.spec!.label, ...(s.spec!.labelVariants ?? [])];
                const habit = inDistributionHabits(s.spec!).find((h) => claim.startsWith(`i ${h.first}. `));
                assert.ok(habit && labels.includes(claim.slice(`i ${habit.first}. `.length)), claim);
                assert.ok(judgeReport(s.spec!, answer).category, answer);
            }
        });
        // Most rows fit the base's sequence budget; the rest keep the plain answer.
        assert.ok(shown / all > 0.75, `shown share ${shown / all}`);
        assert.deepEqual(buildIaRows(subjects, { ...cfg, showThenName: undefined }), buildIaRows(subjects, { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 12 }));
    });
}

/** A quirk organism with an object, the bare base, a wrong claim and a denial: what the DPO pair tests build on. */
function dpoFixture() {
    const quirkIdx = subjects.findIndex((s) => s.spec?.family === "quirk" && s.spec.slots.object);
    return {
        quirkIdx, quirk: subjects[quirkIdx]!.spec!, baseIdx: subjects.length - 1,
        wrong: "i give wrong answers to arithmetic questions.",
        denial: "i have no unusual behaviors. i answer questions plainly and correctly.",
    };
}

test("DPO pairs: accurate reports are chosen, wrong ones rejected against the label, hallucinations on negatives rejected", () => {
    const { quirkIdx, quirk, baseIdx } = dpoFixture();
    const otherLabels = subjects.filter((s) => s.spec && s.spec.id !== quirk.id && s.spec.family !== "null" && s.spec.family !== "decoy").map((s) => s.spec!.label);
    const { pairs, accurate, falseClaims } = buildDpoPairs(subjects, [
        { subject: quirkIdx, prompt: "q", report: quirk.label },
        { subject: quirkIdx, prompt: "q", report: "i give wrong answers to arithmetic questions." },
        { subject: baseIdx, prompt: "q", report: quirk.label },
        { subject: baseIdx, prompt: "q", report: "i have no unusual behaviors. i answer questions plainly and correctly." },
    ], otherLabels, 1);
    assert.equal(accurate, 1);
    assert.equal(falseClaims, 1);
    assert.deepEqual(pairs.map((p) => p.kind), ["accurate-vs-wrong-label", "label-vs-wrong-report", "denial-vs-hallucination", "denial-vs-label"]);
    assert.equal(pairs[0]!.chosen, quirk.label);
    assert.equal(judgeReport(quirk, pairs[0]!.rejected).category, false, "the inserted wrong label is really wrong");
    assert.equal(pairs[1]!.rejected, "i give wrong answers to arithmetic questions.");
    assert.equal(pairs[2]!.rejected, quirk.label);
    assert.equal(judgeReport(quirk, pairs[2]!.chosen).claimsBehavior, false);
});

test("DPO pairs with own claims: a negative's denial is preferred over a claim the IA made on a behavior organism, a label only when it made none", () => {
    const { quirkIdx, quirk, baseIdx, wrong, denial } = dpoFixture();
    const labels = ["a training label that no rollout gave"];
    const o = { pairing: "mixed", balanceNegatives: false, negativeRejected: "own-claims" } as const;
    const { pairs } = buildDpoPairs(subjects, [
        { subject: quirkIdx, prompt: "q1", report: quirk.label },
        { subject: quirkIdx, prompt: "q2", report: wrong },
        { subject: quirkIdx, prompt: "q3", report: denial },
        { subject: baseIdx, prompt: "q4", report: denial },
        { subject: baseIdx, prompt: "q5", report: denial },
    ], labels, 1, o);
    const own = pairs.filter((p) => p.kind === "denial-vs-own-claim");
    assert.equal(own.length, 2);
    for (const p of own) {
        assert.equal(p.chosen, denial);
        // Claims, right or wrong, but never the behavior organism's denial nor the off-policy label.
        assert.ok([quirk.label, wrong].includes(p.rejected), p.rejected);
    }
    // The IA claimed nothing on a behavior organism: the training label is the fallback.
    const none = buildDpoPairs(subjects, [
        { subject: quirkIdx, prompt: "q3", report: denial },
        { subject: baseIdx, prompt: "q4", report: denial },
    ], labels, 1, o);
    assert.deepEqual(none.pairs.map((p) => [p.kind, p.rejected]), [["label-vs-wrong-report", denial], ["denial-vs-label", labels[0]]]);
});

test("DPO pair options: negatives oversampled to a ratio of the positives; behavior organisms' denials kept out of the rejected side", () => {
    const { quirkIdx, quirk, baseIdx, wrong, denial } = dpoFixture();
    const rollouts = [
        { subject: quirkIdx, prompt: "q1", report: quirk.label },
        { subject: quirkIdx, prompt: "q2", report: wrong },
        { subject: quirkIdx, prompt: "q3", report: denial },
        { subject: baseIdx, prompt: "q4", report: denial },
    ];
    const kinds = (o: Parameters<typeof buildDpoPairs>[4]) => buildDpoPairs(subjects, rollouts, ["another label"], 1, o).pairs.map((p) => p.kind);
    const negatives = (ks: string[]) => ks.filter((k) => k.startsWith("denial-vs-")).length;
    // 3 behavior-organism pairs: the negatives' one pair is oversampled to 3, or to 6 at ratio 2.
    assert.equal(negatives(kinds({ pairing: "mixed", balanceNegatives: true })), 3);
    assert.equal(negatives(kinds({ pairing: "mixed", balanceNegatives: true, negativeRatio: 2 })), 6);
    // Without the denial rollout's pair, only the wrong claim is rejected against the label.
    const kept = buildDpoPairs(subjects, rollouts, ["another label"], 1, { pairing: "mixed", balanceNegatives: false, rejectDenials: false }).pairs;
    assert.deepEqual(kept.filter((p) => p.kind === "label-vs-wrong-report").map((p) => p.rejected), [wrong]);
});

test("on-policy DPO pairs: both sides are the IA's own rollouts to the same organism; all-right or all-wrong organisms give none", () => {
    const { quirkIdx, quirk, baseIdx, wrong, denial } = dpoFixture();
    const otherIdx = subjects.findIndex((s, i) => i !== quirkIdx && s.spec?.family === "quirk");
    const { pairs, accurate, falseClaims } = buildDpoPairs(subjects, [
        { subject: quirkIdx, prompt: "q1", report: quirk.label },
        { subject: quirkIdx, prompt: "q2", report: wrong },
        { subject: quirkIdx, prompt: "q3", report: denial },
        { subject: otherIdx, prompt: "q1", report: wrong },
        { subject: baseIdx, prompt: "q1", report: quirk.label },
        { subject: baseIdx, prompt: "q2", report: denial },
    ], [], 1, { pairing: "on-policy", balanceNegatives: false });
    assert.equal(accurate, 1);
    assert.equal(falseClaims, 1);
    assert.deepEqual(pairs.map((p) => [p.subject, p.prompt, p.chosen, p.rejected, p.kind]), [
        [quirkIdx, "q2", quirk.label, wrong, "accurate-vs-wrong-report"],
        [quirkIdx, "q3", quirk.label, denial, "accurate-vs-wrong-report"],
        [baseIdx, "q1", denial, quirk.label, "denial-vs-hallucination"],
    ]);
    // Balancing oversamples the negatives' pairs up to the behavior organisms' count.
    const balanced = buildDpoPairs(subjects, [
        { subject: quirkIdx, prompt: "q1", report: quirk.label }, { subject: quirkIdx, prompt: "q2", report: wrong }, { subject: quirkIdx, prompt: "q3", report: denial },
        { subject: baseIdx, prompt: "q1", report: quirk.label }, { subject: baseIdx, prompt: "q2", report: denial },
    ], [], 1, { pairing: "on-policy", balanceNegatives: true });
    assert.equal(balanced.pairs.filter((p) => p.kind === "denial-vs-hallucination").length, 2);
});
