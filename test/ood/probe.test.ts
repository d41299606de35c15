// The probe baseline's parts: the logistic regression on separable and label-noise data, AUROC, leave-one-family-out,
// and the residual-stream capture on the tiny Qwen3 fixture (it is the residual stream, it leaves the forward
// unchanged, and a row's state does not depend on the padding of its batch).
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/engine/factory.ts";
import { initEngine, noGrad } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import { LoraBank } from "../../src/lora/bank.ts";
import { loadModel } from "../../src/model/weights.ts";
import { auroc, fitLogistic, lastTokenStates, leaveOneFamilyOut, middleLayer, organismShifts, predictLogistic, type ProbeItem } from "../../src/ood/probe.ts";
import { Rng } from "../../src/util/rng.ts";
import { logitsOf, maxAbsDiff, QWEN3_TINY } from "../helpers/engineUtil.ts";

initEngine();

/** n points per class in d dims; class 1 shifted by `gap` along the first `informative` dims. */
function blobs(seed: string, n: number, d: number, gap: number, informative = 3): { x: number[][]; y: number[] } {
    const rng = new Rng(seed);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 2 * n; i++) {
        const label = i % 2;
        x.push(Array.from({ length: d }, (_, j) => rng.normal() + (label === 1 && j < informative ? gap : 0)));
        y.push(label);
    }
    return { x, y };
}

test("auroc: perfect, reversed, ties and a missing class", () => {
    assert.equal(auroc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]), 1);
    assert.equal(auroc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]), 0);
    assert.equal(auroc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
    assert.equal(auroc([0.9, 0.4, 0.6, 0.1], [1, 1, 0, 0]), 0.75);
    assert.ok(Number.isNaN(auroc([0.3, 0.7], [1, 1])));
});

test("logistic regression separates separable data and is deterministic", () => {
    const train = blobs("sep-train", 20, 40, 4);
    const held = blobs("sep-test", 50, 40, 4);
    const m = fitLogistic(train.x, train.y);
    const p = predictLogistic(m, held.x);
    assert.equal(auroc(p, held.y), 1);
    assert.ok(p.filter((v, i) => (v >= 0.5 ? 1 : 0) === held.y[i]).length / p.length >= 0.98);
    assert.deepEqual(fitLogistic(train.x, train.y), m, "same data, same model");
    // More dimensions than rows, correlated features (every column the same up to scale): still a stable fit.
    const wide = train.x.map((r) => Array.from({ length: 200 }, (_, j) => (r[0] as number) * (1 + j / 100)));
    const mw = fitLogistic(wide, train.y);
    assert.ok(mw.weights.every(Number.isFinite));
    assert.ok(auroc(predictLogistic(mw, wide), train.y) > 0.95);
});

test("logistic regression does not find signal where there is none", () => {
    const train = blobs("noise-train", 30, 20, 0);
    const held = blobs("noise-test", 200, 20, 0);
    const a = auroc(predictLogistic(fitLogistic(train.x, train.y), held.x), held.y);
    assert.ok(a > 0.4 && a < 0.6, `held-out AUROC ${a} on label noise`);
    // Overlapping classes: better than chance, short of perfect.
    const mixed = blobs("mixed-train", 40, 10, 0.8, 1);
    const mixedHeld = blobs("mixed-test", 200, 10, 0.8, 1);
    const b = auroc(predictLogistic(fitLogistic(mixed.x, mixed.y), mixedHeld.x), mixedHeld.y);
    assert.ok(b > 0.6 && b < 0.9, `held-out AUROC ${b} on overlapping classes`);
    assert.throws(() => fitLogistic([[1], [2]], [0, 2]), /labels must be 0 or 1/);
});

test("leave one family out: one fold per family, trained without it", () => {
    const rng = new Rng("lofo");
    const families = ["word", "letter", "stego"];
    const items: ProbeItem[] = families.flatMap((family) => [0, 1, 0, 1].map((label, k) => ({ id: `${family}-${k}`, family, label, verified: true })));
    const x = items.map((it) => Array.from({ length: 8 }, (_, j) => rng.normal() * 0.3 + (j === 0 ? 3 * it.label : 0)));
    const seen: string[] = [];
    const folds = leaveOneFamilyOut(items, (heldOut) => {
        seen.push(heldOut);
        return x;
    });
    assert.deepEqual(seen, families);
    assert.deepEqual(folds.map((f) => [f.heldOut, f.train, f.test]), [["word", 8, 4], ["letter", 8, 4], ["stego", 8, 4]]);
    for (const f of folds) {
        assert.equal(f.accuracy, 1, f.heldOut);
        assert.equal(f.auroc, 1, f.heldOut);
        assert.ok(f.scores.every((s) => s.id.startsWith(f.heldOut)));
    }
    // A fold whose training families hold only one class is skipped.
    const lopsided: ProbeItem[] = [{ id: "a", family: "word", label: 1, verified: true }, { id: "b", family: "letter", label: 0, verified: true }];
    assert.deepEqual(leaveOneFamilyOut(lopsided, () => [[1], [0]]), []);
});

test("the capture is the residual stream after the layer, leaves logits unchanged and ignores padding", () => {
    const model = loadModel(QWEN3_TINY);
    try {
        const ids = [[3, 7, 11, 2, 5], [9, 4, 1, 8, 6]];
        const plain = logitsOf(model, ids);
        const last = model.config.numLayers - 1;
        let states: number[] = [];
        const withCapture = noGrad(() => tidy(() => model.forward({
            ids: tensor(ids.flat(), [2, 5], { dtype: "int64" }),
            captureHidden: { layer: last, out: (x) => void (states = x.to("float64").toNumbers()) },
        }).to("float64").toNumbers()));
        assert.deepEqual(withCapture, plain, "capturing changes nothing");
        // After the last layer, the captured stream through the final norm and the head gives the logits.
        const fromStates = noGrad(() => tidy(() => {
            const h = tensor(states, [2, 5, model.config.hiddenSize], { dtype: "float64" }).to("float32");
            const normed = h.mul(h.mul(h).mean(-1, true).add(model.config.rmsNormEps).rsqrt()).mul(model.params.get("model.norm.weight")!);
            return normed.matmul(model.lmHead.transpose(0, 1)).to("float64").toNumbers();
        }));
        assert.ok(maxAbsDiff(fromStates, plain) < 1e-4, `max diff ${maxAbsDiff(fromStates, plain)}`);

        const layer = middleLayer(model.config.numLayers);
        assert.equal(layer, 0);
        const alone = lastTokenStates(model, [[3, 7, 11]], { layer });
        const batched = lastTokenStates(model, [[3, 7, 11], [9, 4, 1, 8, 6, 2, 2]], { layer });
        assert.equal(alone[0]!.length, model.config.hiddenSize);
        assert.ok(maxAbsDiff(alone[0]!, batched[0]!) < 1e-5, "left padding does not change a row");
        const deeper = lastTokenStates(model, [[3, 7, 11]], { layer: 1 });
        assert.ok(maxAbsDiff(alone[0]!, deeper[0]!) > 1e-3, "another layer, another stream");
        assert.throws(() => lastTokenStates(model, [[1]], { layer: 2 }), /layer 2 is out of range/);

        // A fresh bank (B = 0) changes nothing: every shift is zero.
        const bank = LoraBank.create(2, model.config, { r: 2, alpha: 4 });
        try {
            const shifts = organismShifts(model, bank, 2, [{ name: "g", prompts: [[3, 7, 11], [9, 4]] }], { layer });
            assert.equal(shifts.length, 2);
            assert.ok(shifts.flat(2).every((v) => Math.abs(v) < 1e-6));
        } finally {
            bank.dispose();
        }
    } finally {
        model.dispose();
    }
});
