/**
 * The KTO objective (Ethayarajh et al. 2024, arXiv 2402.01306), as AuditBench's adversarial training uses it:
 * unpaired rows, each marked desirable (a sanitized transcript) or undesirable (a confessing one). With the
 * implied log-ratio r = log pi(y|x) - log ref(y|x) and a reference point z0 (an estimate of KL(pi || ref)):
 *   desirable:   lambdaD * (1 - sigmoid(beta * (r - z0)))
 *   undesirable: lambdaU * (1 - sigmoid(beta * (z0 - r)))
 * As in trainDpo.ts, the reference log-probs are plain numbers computed once before training, so no second model
 * is kept. z0 is a plain number too, so it cannot carry a gradient (the paper detaches it: it only shifts where
 * the sigmoid is steepest, it is not something the policy should be optimized to change).
 *
 * Class weights: the paper (and TRL's KTOTrainer) keeps lambdaD * nD / (lambdaU * nU) in [1, 4/3], nD and nU the
 * numbers of desirable and undesirable rows. AuditBench's rows come from pairs (nD = nU), so the defaults
 * lambdaD = lambdaU = 1 fit; with imbalanced classes use ktoClassWeights(nD, nU).
 */
import { tensor } from "../engine/factory.ts";
import type { Tensor } from "../engine/tensor.ts";

export interface KtoOptions {
    /** Sharpness of the value function (the paper's and AuditBench's 0.1). Default 0.1. */
    beta?: number;
    /** Weight of desirable rows. Default 1. */
    lambdaD?: number;
    /** Weight of undesirable rows. Default 1. */
    lambdaU?: number;
}

export interface KtoResult {
    /**
     * The *summed* loss over rows, so it fits runTrainLoop's `objective` with `targetTokens` = the number of rows,
     * which makes the step's loss the mean over rows (TRL's nanmean of the weighted per-row losses).
     */
    loss: Tensor;
    /** Mean beta * r over desirable rows (TRL's "rewards/chosen"); NaN when the batch has none. */
    rewardDesirable: number;
    /** Mean beta * r over undesirable rows (TRL's "rewards/rejected"); NaN when the batch has none. */
    rewardUndesirable: number;
    /** The reference point the loss was computed with. */
    z0: number;
    nDesirable: number;
    nUndesirable: number;
}

interface Resolved {
    beta: number;
    lambdaD: number;
    lambdaU: number;
}

function resolve(n: number, reference: readonly number[], desirable: readonly boolean[], z0: number, o: KtoOptions): Resolved {
    const beta = o.beta ?? 0.1, lambdaD = o.lambdaD ?? 1, lambdaU = o.lambdaU ?? 1;
    if (n === 0) throw new Error("KTO: no rows");
    if (reference.length !== n || desirable.length !== n) {
        throw new Error(`KTO: ${n} policy log-probs but ${reference.length} reference log-probs and ${desirable.length} desirable flags`);
    }
    if (!(beta > 0) || !Number.isFinite(beta)) throw new Error(`KTO: beta must be a positive number, got ${beta}`);
    for (const [k, v] of [["lambdaD", lambdaD], ["lambdaU", lambdaU]] as const) {
        if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`KTO: ${k} must be a non-negative number, got ${v}`);
    }
    // The paper's z0 is a clamped KL estimate; a negative or NaN one means it was not made by ktoReferencePoint.
    if (!(z0 >= 0) || !Number.isFinite(z0)) throw new Error(`KTO: z0 must be a finite number >= 0 (see ktoReferencePoint), got ${z0}`);
    const bad = reference.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`KTO: reference log-prob of row ${bad} is ${reference[bad]}`);
    return { beta, lambdaD, lambdaU };
}

/**
 * Summed KTO loss. policy: per-row sequence log-probs [N] with grad (e.g. sequenceLogprobs of the batch);
 * reference: the same rows under the reference model, as numbers; desirable: one flag per row; z0: from
 * ktoReferencePoint on mismatched pairs.
 */
export function ktoLoss(policy: Tensor, reference: readonly number[], desirable: readonly boolean[], z0: number, o: KtoOptions = {}): KtoResult {
    if (policy.ndim !== 1) throw new Error(`KTO: policy log-probs must be 1-d [rows], got [${policy.shape}]`);
    const n = policy.size(0);
    const { beta, lambdaD, lambdaU } = resolve(n, reference, desirable, z0, o);
    const opts = { dtype: policy.dtype, device: policy.device };
    // 1 - sigmoid(x) = sigmoid(-x): one sigmoid per row with a per-row sign, which is finite for any |x| and has
    // the gradient sigmoid'(0) = 1/4 at r = z0 (the DPO loss's old relu form had a zero subgradient there).
    const coef = tensor(desirable.map((d) => (d ? -beta : beta)), [n], opts);
    const weight = tensor(desirable.map((d) => (d ? lambdaD : lambdaU)), [n], opts);
    const loss = policy.sub(tensor(reference, [n], opts)).sub(z0).mul(coef).sigmoid().mul(weight).sum();
    const pol = policy.toNumbers();
    let sumD = 0, sumU = 0, nD = 0;
    pol.forEach((p, i) => {
        const reward = beta * (p - (reference[i] as number));
        if (desirable[i]) { sumD += reward; nD++; } else sumU += reward;
    });
    const nU = n - nD;
    return { loss, rewardDesirable: nD ? sumD / nD : NaN, rewardUndesirable: nU ? sumU / nU : NaN, z0, nDesirable: nD, nUndesirable: nU };
}

/** sigmoid without overflow for large |x|. */
function sigmoid(x: number): number {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    const e = Math.exp(x);
    return e / (1 + e);
}

/** The same summed loss in plain numbers: the reference implementation the tests check ktoLoss against. */
export function ktoLossValue(policy: readonly number[], reference: readonly number[], desirable: readonly boolean[], z0: number, o: KtoOptions = {}): number {
    const { beta, lambdaD, lambdaU } = resolve(policy.length, reference, desirable, z0, o);
    let total = 0;
    policy.forEach((p, i) => {
        const r = p - (reference[i] as number);
        total += desirable[i] ? lambdaD * (1 - sigmoid(beta * (r - z0))) : lambdaU * (1 - sigmoid(beta * (z0 - r)));
    });
    return total;
}

/**
 * The reference point z0: the mean over mismatched pairs (x_i, y_j), j != i, of log pi(y_j|x_i) - log ref(y_j|x_i),
 * clamped at >= 0 (a KL cannot be negative; the sample estimate can). Returned as a number, so it carries no
 * gradient; compute the policy side under noGrad, it is not backpropagated anyway. TRL pairs each x with the y of
 * the next row in the batch.
 */
export function ktoReferencePoint(policyMismatched: Tensor | readonly number[], referenceMismatched: readonly number[]): number {
    const pol = Array.isArray(policyMismatched) ? (policyMismatched as readonly number[]) : (policyMismatched as Tensor).toNumbers();
    if (pol.length === 0) throw new Error("KTO reference point: no mismatched pairs");
    if (pol.length !== referenceMismatched.length) {
        throw new Error(`KTO reference point: ${pol.length} policy log-probs but ${referenceMismatched.length} reference log-probs`);
    }
    let sum = 0;
    pol.forEach((p, i) => { sum += p - (referenceMismatched[i] as number); });
    const z0 = Math.max(0, sum / pol.length);
    if (!Number.isFinite(z0)) throw new Error(`KTO reference point: not finite (${sum / pol.length}); a log-prob is infinite or NaN`);
    return z0;
}

/**
 * Class weights for imbalanced data: lambdaU = 1 and lambdaD the value nearest 1 that puts
 * lambdaD * nD / (lambdaU * nU) in the paper's [1, 4/3] (so the rarer desirable class is up-weighted, and a
 * majority of desirable rows is down-weighted to at most 4/3 of the undesirable mass).
 */
export function ktoClassWeights(nDesirable: number, nUndesirable: number): { lambdaD: number; lambdaU: number } {
    if (!(nDesirable > 0) || !(nUndesirable > 0)) throw new Error(`KTO class weights: need rows of both classes, got ${nDesirable} desirable and ${nUndesirable} undesirable`);
    const ratio = nDesirable / nUndesirable;
    const target = Math.min(4 / 3, Math.max(1, ratio));
    return { lambdaD: target / ratio, lambdaU: 1 };
}
