/**
 * Numeric gradient checking for engine tests: central differences on float64 tensors compared with autograd.
 * The scalar checked is sum(f(x) * R) with R a fixed pseudo-random weight, so ops whose plain sum is constant
 * (softmax) or symmetric still get a meaningful check. Test support only; not a general-purpose gradcheck.
 */
import { fromBytes } from "../../src/engine/factory.ts";
import { noGrad } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import type { Tensor } from "../../src/engine/tensor.ts";
import { Rng } from "../../src/util/rng.ts";

export interface GradcheckOptions {
    /** Finite-difference step. Default 1e-6. */
    eps?: number;
    /** Absolute tolerance. Default 1e-7. */
    atol?: number;
    /** Relative tolerance (of the numeric gradient). Default 1e-5. */
    rtol?: number;
    /** Check at most this many elements per input (a deterministic spread). Default: all. */
    maxPerInput?: number;
    /** Fail when every gradient is ~0 (a check that cannot fail). Default true. */
    requireNonzero?: boolean;
    /** Seed of the random output weights R. Default 1. */
    seed?: number;
}

export interface GradcheckReport {
    /** Largest |analytic - numeric| over the checked elements. */
    maxAbsErr: number;
    /** Largest |numeric| over the checked elements. */
    maxAbsGrad: number;
    checked: number;
}

function weights(shape: number[], seed: number): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(seed);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.normal();
    return fromBytes(data, shape, "float64");
}

/**
 * Throws (with the op name, input, element and both values) unless autograd's gradient of sum(f(xs) * R)
 * matches central differences. `inputs` are float64 tensors owned by the caller; f must not keep them.
 */
export function gradcheck(name: string, f: (xs: Tensor[]) => Tensor, inputs: Tensor[], o: GradcheckOptions = {}): GradcheckReport {
    const eps = o.eps ?? 1e-6, atol = o.atol ?? 1e-7, rtol = o.rtol ?? 1e-5, seed = o.seed ?? 1;
    for (const x of inputs) if (x.dtype !== "float64") throw new Error(`gradcheck(${name}): inputs must be float64, got ${x.dtype}`);
    const data = inputs.map((x) => x.toFloat64Array());
    const shapes = inputs.map((x) => x.shape);

    const analytic = tidy(() => {
        const leaves = inputs.map((x) => x.detach().clone().requiresGrad_(true));
        const out = f(leaves);
        if (out.dtype !== "float64") throw new Error(`gradcheck(${name}): f returned ${out.dtype}, expected float64`);
        out.mul(weights(out.shape, seed)).sum().backward();
        return leaves.map((l, i) => {
            const g = l.grad;
            if (g === null) throw new Error(`gradcheck(${name}): input ${i} got no gradient`);
            const a = g.toFloat64Array();
            g.dispose();
            return a;
        });
    });

    const lossAt = (xs: Float64Array[]): number =>
        noGrad(() =>
            tidy(() => {
                const ts = xs.map((d, i) => fromBytes(d, shapes[i] as number[], "float64"));
                const out = f(ts);
                return out.mul(weights(out.shape, seed)).sum().item();
            }),
        );

    let maxAbsErr = 0, maxAbsGrad = 0, checked = 0;
    data.forEach((d, i) => {
        const n = d.length;
        const count = Math.min(n, o.maxPerInput ?? n);
        for (let c = 0; c < count; c++) {
            const j = count === n ? c : Math.floor((c * n) / count);
            const orig = d[j] as number;
            d[j] = orig + eps;
            const plus = lossAt(data);
            d[j] = orig - eps;
            const minus = lossAt(data);
            d[j] = orig;
            const numeric = (plus - minus) / (2 * eps);
            const a = (analytic[i] as Float64Array)[j] as number;
            const err = Math.abs(a - numeric);
            if (!(err <= atol + rtol * Math.abs(numeric))) {
                throw new Error(`gradcheck(${name}): input ${i} element ${j}: autograd ${a} vs numeric ${numeric} (|diff| ${err.toExponential(2)})`);
            }
            maxAbsErr = Math.max(maxAbsErr, err);
            maxAbsGrad = Math.max(maxAbsGrad, Math.abs(numeric));
            checked++;
        }
    });
    if ((o.requireNonzero ?? true) && maxAbsGrad < 1e-6) throw new Error(`gradcheck(${name}): every checked gradient is ~0; the check is vacuous`);
    return { maxAbsErr, maxAbsGrad, checked };
}

/** float64 tensor of standard normals from a seeded JS RNG (independent of libtorch's generator). */
export function randnF64(shape: number[], seed: number, scale = 1, offset = 0): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(seed);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = offset + scale * rng.normal();
    return fromBytes(data, shape, "float64");
}
