/**
 * The DPO objective (Rafailov et al. 2023): for a pair (chosen, rejected) under policy pi and reference ref,
 *   loss = -log sigmoid(beta * ((log pi(c) - log ref(c)) - (log pi(r) - log ref(r))))
 * The reference log-probs are computed once with the SFT IA before DPO starts, so no second model is kept.
 */
import { tensor } from "../engine/factory.ts";
import type { Tensor } from "../engine/tensor.ts";

/**
 * -log(sigmoid(x)) = softplus(-x), through libtorch's log_sigmoid: stable for large |x| and with the exact gradient
 * -sigmoid(-x) everywhere. The earlier relu(-x) + log(1 + exp(-|x|)) form had a zero subgradient at x = 0 — exactly
 * where DPO starts when the policy reproduces the reference bit for bit — so on some BLAS kernel paths DPO never moved.
 */
export function negLogSigmoid(x: Tensor): Tensor {
    return x.logSigmoid().neg();
}

/**
 * Summed DPO loss over pairs. policy: per-row sequence log-probs [2P] laid out [c0, r0, c1, r1, ...];
 * reference: the same layout as plain numbers.
 */
export function dpoLossSum(policy: Tensor, reference: readonly number[], beta: number): Tensor {
    const p = policy.size(0) / 2;
    const ref = tensor(reference, [p, 2], { device: policy.device });
    const pol = policy.reshape([p, 2]);
    const margin = pol.sub(ref); // [P, 2]: chosen, rejected log-ratio
    const logits = margin.select(1, 0).sub(margin.select(1, 1)).mul(beta);
    return negLogSigmoid(logits).sum();
}
