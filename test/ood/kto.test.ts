// The KTO objective: values and gradients against hand-computed ones, the sign of the push on desirable and
// undesirable rows, z0 outside the graph, finiteness for huge log-ratios, autograd vs finite differences, and a
// nonzero gradient where training starts (policy = reference, z0 = 0; the zero-subgradient bug DPO once had).
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/engine/factory.ts";
import { initEngine } from "../../src/engine/runtime.ts";
import { ktoClassWeights, ktoLoss, ktoLossValue, ktoReferencePoint } from "../../src/ood/ktoLoss.ts";
import { gradcheck, randnF64 } from "../helpers/gradcheck.ts";

initEngine(2);

const close = (got: number, want: number, tol: number, what: string) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want}`);

// r = policy - reference = [2, -1, 0, 1]; beta 0.1, z0 0.5, lambdaD 2, lambdaU 1:
//   row 0 (D): 2 * (1 - sigmoid(0.1 * (2 - 0.5)))    = 2 * 0.46257015465625
//   row 1 (U): 1 * (1 - sigmoid(0.1 * (0.5 - -1)))   = 0.46257015465625
//   row 2 (D): 2 * (1 - sigmoid(0.1 * (0 - 0.5)))    = 2 * 0.51249739648421
//   row 3 (U): 1 * (1 - sigmoid(0.1 * (0.5 - 1)))    = 0.51249739648421
// d/dp: -lambdaD * beta * sigmoid'(x) for D rows, +lambdaU * beta * sigmoid'(x) for U rows,
// with beta * sigmoid'(0.15) = 0.0248599006677543 and beta * sigmoid'(-0.05) = 0.0249843815081116.
const POLICY = [-10, -20, -5, -8];
const REFERENCE = [-12, -19, -5, -9];
const DESIRABLE = [true, false, true, false];
const OPTS = { beta: 0.1, lambdaD: 2, lambdaU: 1 };
const WANT_LOSS = 2.9252026534213824;
const WANT_GRAD = [-2 * 0.0248599006677543, 0.0248599006677543, -2 * 0.0249843815081116, 0.0249843815081116];

test("KTO loss and gradient equal the hand-computed values; the number version agrees", () => {
    close(ktoLossValue(POLICY, REFERENCE, DESIRABLE, 0.5, OPTS), WANT_LOSS, 1e-12, "ktoLossValue");
    const policy = tensor(POLICY, [4], { dtype: "float64" }).requiresGrad_();
    const r = ktoLoss(policy, REFERENCE, DESIRABLE, 0.5, OPTS);
    close(r.loss.item(), WANT_LOSS, 1e-12, "ktoLoss");
    r.loss.backward();
    const g = policy.grad!.toNumbers();
    WANT_GRAD.forEach((w, i) => close(g[i]!, w, 1e-12, `grad ${i}`));
    // Diagnostics: mean beta * r per class.
    close(r.rewardDesirable, 0.1 * (2 + 0) / 2, 1e-12, "rewardDesirable");
    close(r.rewardUndesirable, 0.1 * (-1 + 1) / 2, 1e-12, "rewardUndesirable");
    assert.equal(r.z0, 0.5);
    assert.equal(r.nDesirable, 2);
    assert.equal(r.nUndesirable, 2);
});

test("KTO defaults: beta 0.1, lambdaD = lambdaU = 1; float32 policy agrees with the number version", () => {
    const policy = tensor(POLICY);
    const want = ktoLossValue(POLICY, REFERENCE, DESIRABLE, 0.5, { beta: 0.1, lambdaD: 1, lambdaU: 1 });
    close(ktoLoss(policy, REFERENCE, DESIRABLE, 0.5).loss.item(), want, 1e-6, "defaults");
    close(ktoLossValue(POLICY, REFERENCE, DESIRABLE, 0.5), want, 0, "number version defaults");
    const r = ktoLoss(policy, REFERENCE, [true, true, true, true], 0);
    assert.ok(Number.isNaN(r.rewardUndesirable), "no undesirable rows: NaN mean reward");
});

test("gradient descent pushes desirable rows up and undesirable rows down, for any r and z0", () => {
    const policy = tensor([-3, 4, -50, 50, 0.2, -0.2], [6], { dtype: "float64" }).requiresGrad_();
    const desirable = [true, true, true, false, false, false];
    for (const z0 of [0, 0.3, 7]) {
        const loss = ktoLoss(policy, [0, 0, 0, 0, 0, 0], desirable, z0, { beta: 0.5 }).loss;
        loss.backward();
        const g = policy.grad!;
        g.toNumbers().forEach((v, i) => {
            if (desirable[i]) assert.ok(v < 0, `z0 ${z0}: desirable row ${i} gradient ${v} should be < 0`);
            else assert.ok(v > 0, `z0 ${z0}: undesirable row ${i} gradient ${v} should be > 0`);
        });
        g.zero_();
        g.dispose();
    }
});

test("nonzero gradient where training starts: policy = reference bit for bit and z0 = 0", () => {
    // The loss is lambda * sigmoid(-/+ beta * r), so d/dp at r = 0 is -/+ lambda * beta / 4, never 0.
    const beta = 0.1;
    const logps = [-12.5, -30.25, -7, -7];
    const policy = tensor(logps).requiresGrad_();
    const z0 = ktoReferencePoint(logps, logps);
    assert.equal(z0, 0);
    const r = ktoLoss(policy, logps, [true, false, false, true], z0, { beta });
    close(r.loss.item(), 4 * 0.5, 1e-6, "loss at r = 0");
    r.loss.backward();
    const g = policy.grad!.toNumbers();
    [-beta / 4, beta / 4, beta / 4, -beta / 4].forEach((w, i) => close(g[i]!, w, 1e-7, `grad ${i}`));
});

test("z0 carries no gradient: the mismatched-pair policy log-probs stay out of the graph", () => {
    const mismatched = tensor([-9, -11, -4], [3], { dtype: "float64" }).requiresGrad_();
    const z0 = ktoReferencePoint(mismatched, [-10, -12, -5]);
    close(z0, 1, 1e-12, "z0 = mean(policy - reference)");
    const policy = tensor(POLICY, [4], { dtype: "float64" }).requiresGrad_();
    const loss = ktoLoss(policy, REFERENCE, DESIRABLE, z0).loss;
    loss.backward();
    assert.equal(mismatched.grad, null, "a gradient reached the z0 inputs");
    assert.ok(policy.grad !== null);
    // Clamped at 0: a negative KL estimate becomes 0.
    assert.equal(ktoReferencePoint([-10, -10], [-9, -9.5]), 0);
    assert.throws(() => ktoReferencePoint([], []), /no mismatched pairs/);
    assert.throws(() => ktoReferencePoint([1, 2], [1]), /2 policy log-probs but 1 reference/);
    assert.throws(() => ktoReferencePoint([Infinity], [0]), /not finite/);
});

test("loss and gradient stay finite for huge |r| (float32 and float64)", () => {
    for (const dtype of ["float32", "float64"] as const) {
        const logps = [-1e6, 1e6, -1e4, 1e4, -1e6, 1e6];
        const policy = tensor(logps, [6], { dtype }).requiresGrad_();
        const desirable = [true, true, true, false, false, false];
        const r = ktoLoss(policy, [0, 0, 0, 0, 0, 0], desirable, 3, { beta: 1 });
        const loss = r.loss.item();
        assert.ok(Number.isFinite(loss), `${dtype}: loss ${loss}`);
        // Saturated rows: desirable with r -> -inf and undesirable with r -> +inf cost lambda each, the others 0.
        close(loss, 4, 1e-6, `${dtype}: saturated loss`);
        close(ktoLossValue(logps, [0, 0, 0, 0, 0, 0], desirable, 3, { beta: 1 }), 4, 1e-12, "number version saturated");
        r.loss.backward();
        for (const v of policy.grad!.toNumbers()) assert.ok(Number.isFinite(v), `${dtype}: gradient ${v}`);
        assert.ok(Number.isFinite(r.rewardDesirable) && Number.isFinite(r.rewardUndesirable));
    }
});

test("autograd gradient of the KTO loss matches finite differences", () => {
    const reference = [-3, 1.5, -0.25, 2, 0.75, -1, 4, -2.5];
    const desirable = [true, false, true, true, false, false, true, false];
    const policy = randnF64([8], 7, 3);
    for (const [z0, o] of [[0, { beta: 0.1 }], [0.8, { beta: 1, lambdaD: 1.3, lambdaU: 0.7 }]] as const) {
        const rep = gradcheck(`kto z0=${z0}`, ([p]) => ktoLoss(p!, reference, desirable, z0, o).loss, [policy], { eps: 1e-5, atol: 1e-9, rtol: 1e-6 });
        assert.equal(rep.checked, 8);
    }
});

test("bad inputs are refused with the reason", () => {
    const p = tensor([-1, -2]);
    assert.throws(() => ktoLoss(p, [-1], [true, false], 0), /2 policy log-probs but 1 reference/);
    assert.throws(() => ktoLoss(p, [-1, -2], [true], 0), /1 desirable flags/);
    assert.throws(() => ktoLoss(p, [-1, -2], [true, false], -0.1), /z0 must be a finite number >= 0/);
    assert.throws(() => ktoLoss(p, [-1, -2], [true, false], NaN), /z0 must be/);
    assert.throws(() => ktoLoss(p, [-1, -2], [true, false], 0, { beta: 0 }), /beta must be a positive/);
    assert.throws(() => ktoLoss(p, [-1, -2], [true, false], 0, { lambdaU: -1 }), /lambdaU must be/);
    assert.throws(() => ktoLoss(p, [-1, NaN], [true, false], 0), /reference log-prob of row 1/);
    assert.throws(() => ktoLoss(tensor([], [0]), [], [], 0), /no rows/);
    assert.throws(() => ktoLoss(tensor([-1, -2], [1, 2]), [-1, -2], [true, false], 0), /1-d/);
});

test("class weights put lambdaD * nD / (lambdaU * nU) in [1, 4/3], as near 1 as possible", () => {
    assert.deepEqual(ktoClassWeights(8, 8), { lambdaD: 1, lambdaU: 1 });
    assert.deepEqual(ktoClassWeights(9, 8), { lambdaD: 1, lambdaU: 1 }, "9/8 is already in range");
    for (const [nD, nU] of [[1, 10], [3, 7], [10, 1], [100, 3], [8, 8], [5, 4]] as const) {
        const { lambdaD, lambdaU } = ktoClassWeights(nD, nU);
        const ratio = (lambdaD * nD) / (lambdaU * nU);
        assert.ok(ratio >= 1 - 1e-12 && ratio <= 4 / 3 + 1e-12, `${nD}/${nU}: ratio ${ratio}`);
    }
    close(ktoClassWeights(1, 10).lambdaD, 10, 1e-12, "minority desirable up-weighted to parity");
    close(ktoClassWeights(10, 1).lambdaD, 4 / 30, 1e-12, "majority desirable down-weighted to 4/3");
    assert.throws(() => ktoClassWeights(0, 3), /both classes/);
});
