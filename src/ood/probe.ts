/**
 * The white-box baseline for cipher attacks (CIFR, Youstra et al. 2025): a linear probe on activations that tells
 * attack fine-tunes from benign ones and is tested on cipher families it was not trained on.
 *
 * An organism's features: the mean residual stream after a middle layer, at the last prompt token, over a fixed
 * battery of prompts (plain world requests and enciphered ones), minus the base model's on the same prompts — so the
 * probe sees what the fine-tune changed, not what the prompts are. The probe is an L2-regularized logistic regression
 * written here (tiny data: tens of organisms, hundreds of dimensions; deterministic, no dependency), evaluated
 * leave-one-family-out: trained on attack vs control organisms of the other cipher families, tested on the held-out
 * family's, with accuracy and AUROC per held-out family.
 *
 * Honest held-out: in each fold the enciphered part of the battery uses only the training families' ciphers, so
 * neither the probe nor its inputs have seen the held-out cipher.
 */
import { tensor } from "../engine/factory.ts";
import { noGrad } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { LoraBank } from "../lora/bank.ts";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { Rng } from "../util/rng.ts";
import { sampleTask } from "../world/corpus.ts";
import { CODED_USE_KINDS, makeCipher, riskyTask, type CipherFamily, type CipherSpec } from "./ciphers/index.ts";

// ---- activations ----

export interface CaptureOptions {
    /** Layer after which the residual stream is read (0-based). */
    layer: number;
    /** Rows per forward. Default 64. */
    maxBatch?: number;
    /** Called before each chunk of rows [start, start+count) (e.g. to point a LoraBank at them). */
    beforeBatch?: (start: number, count: number) => void;
}

/** The probe's default layer: the residual stream after half the layers (a middle layer, as CIFR's probes). */
export function middleLayer(numLayers: number): number {
    return Math.max(0, Math.floor(numLayers / 2) - 1);
}

/**
 * The residual stream after `layer` at the last token of each prompt (token ids), one Float32Array of hidden size per
 * prompt. Prompts are left-padded with positions following the mask (as generate does), so the last token sits at
 * the same index in every row and a row's result does not depend on its batch.
 */
export function lastTokenStates(model: Transformer, prompts: readonly (readonly number[])[], o: CaptureOptions): Float32Array[] {
    const n = model.config.numLayers;
    if (!Number.isInteger(o.layer) || o.layer < 0 || o.layer >= n) throw new Error(`probe: layer ${o.layer} is out of range (the model has layers 0..${n - 1})`);
    if (prompts.some((p) => p.length === 0)) throw new Error("probe: empty prompt");
    const maxBatch = o.maxBatch ?? 64;
    const out: Float32Array[] = [];
    for (let start = 0; start < prompts.length; start += maxBatch) {
        const chunk = prompts.slice(start, start + maxBatch);
        o.beforeBatch?.(start, chunk.length);
        const b = chunk.length;
        const len = Math.max(...chunk.map((p) => p.length));
        const ids: number[] = [];
        const mask: number[] = [];
        const pos: number[] = [];
        for (const p of chunk) {
            const pad = len - p.length;
            for (let i = 0; i < len; i++) {
                ids.push(i < pad ? 0 : (p[i - pad] as number));
                mask.push(i < pad ? 0 : 1);
                pos.push(Math.max(0, i - pad));
            }
        }
        const padded = chunk.some((p) => p.length !== len);
        const cap: { rows?: Float32Array } = {};
        noGrad(() => tidy(() => {
            model.forward({
                ids: tensor(ids, [b, len], { dtype: "int64", device: model.device }),
                attentionMask: padded ? tensor(mask, [b, len], { dtype: "int64", device: model.device }) : null,
                positions: padded ? tensor(pos, [b, len], { dtype: "int64", device: model.device }) : null,
                lastOnly: true,
                captureHidden: { layer: o.layer, out: (x) => void (cap.rows = x.select(1, len - 1).contiguous().toFloat32Array()) },
            });
        }));
        const flat = cap.rows;
        if (!flat) throw new Error(`probe: layer ${o.layer} was not captured`);
        const h = model.config.hiddenSize;
        for (let r = 0; r < b; r++) out.push(flat.slice(r * h, (r + 1) * h));
    }
    return out;
}

/** A named set of prompts (chat-encoded token ids) the battery averages over. */
export interface PromptGroup {
    name: string;
    prompts: readonly (readonly number[])[];
}

/**
 * Per organism of the bank and per prompt group: the mean over the group's prompts of (organism's state − base's
 * state) after `layer`. Result [organism][group] → vector of hidden size.
 */
export function organismShifts(model: Transformer, bank: LoraBank, organisms: number, groups: readonly PromptGroup[], o: { layer: number; maxBatch?: number }): number[][][] {
    const flat = groups.flatMap((g, gi) => g.prompts.map((p) => ({ gi, p })));
    const saved = model.adapters;
    let base: Float32Array[];
    let own: Float32Array[];
    try {
        model.adapters = [];
        base = lastTokenStates(model, flat.map((x) => x.p), o);
        const rows = Array.from({ length: organisms }, (_, org) => flat.map((x) => ({ org, ...x }))).flat();
        model.adapters = [bank];
        own = lastTokenStates(model, rows.map((r) => r.p), {
            ...o,
            beforeBatch: (start, count) => bank.setRows(rows.slice(start, start + count).map((r) => r.org)),
        });
    } finally {
        model.adapters = saved;
    }
    const h = model.config.hiddenSize;
    return Array.from({ length: organisms }, (_, org) => groups.map((g, gi) => {
        const acc = new Array<number>(h).fill(0);
        let k = 0;
        flat.forEach((x, i) => {
            if (x.gi !== gi) return;
            const a = own[org * flat.length + i] as Float32Array;
            const z = base[i] as Float32Array;
            for (let d = 0; d < h; d++) acc[d]! += (a[d] as number) - (z[d] as number);
            k++;
        });
        return acc.map((v) => v / Math.max(k, 1));
    }));
}

// ---- logistic regression ----

export interface LogisticOptions {
    /** L2 penalty λ on the weights (not the bias), on centered, scaled features: loss = Σ wᵢ·logloss + λ/2·|w|². Default 1. */
    l2?: number;
    /** Full-batch gradient steps. Default 3000. */
    iterations?: number;
    /**
     * Step size on the mean loss. Default 1 / (|Z|²_F / 4n + λ/n), a bound on the gradient's Lipschitz constant
     * (|Z|_F ≥ the largest singular value), so descent never overshoots whatever the features' correlation.
     */
    lr?: number;
}

export interface LogisticModel {
    weights: number[];
    bias: number;
    /** Scaling fitted on the training rows: x' = (x - mean) / scale (one scale for all features). */
    mean: number[];
    scale: number[];
}

/**
 * L2-regularized logistic regression by full-batch gradient descent from zero on centered, scaled features, classes
 * weighted to equal total weight (attack and control counts may differ after verification). Convex and
 * deterministic: the same data give the same model. Labels are 0/1.
 */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], o: LogisticOptions = {}): LogisticModel {
    const n = x.length;
    if (n === 0 || n !== y.length) throw new Error(`probe: ${n} rows and ${y.length} labels`);
    if (y.some((v) => v !== 0 && v !== 1)) throw new Error("probe: labels must be 0 or 1");
    const d = (x[0] as readonly number[]).length;
    if (x.some((r) => r.length !== d)) throw new Error("probe: rows of different lengths");
    const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + (r[j] as number), 0) / n);
    // One scale for every feature (the overall RMS after centering), not one per feature: per-feature
    // standardization blows dimensions that barely move up to the size of the informative ones, and with fewer
    // organisms than dimensions the fit then leans on noise (seen in the synthetic tests).
    const ss = x.reduce((s, r) => s + r.reduce((t, v, j) => t + (v - (mean[j] as number)) ** 2, 0), 0);
    const rms = Math.sqrt(ss / (n * d));
    const scale = new Array<number>(d).fill(rms > 1e-12 ? rms : 1);
    const z = x.map((r) => r.map((v, j) => (v - (mean[j] as number)) / (scale[j] as number)));
    const pos = y.filter((v) => v === 1).length;
    const neg = n - pos;
    const cw = y.map((v) => (v === 1 ? (pos ? n / (2 * pos) : 0) : (neg ? n / (2 * neg) : 0)));
    const l2 = o.l2 ?? 1;
    const frob = z.reduce((s, r) => s + r.reduce((t, v) => t + v * v, 0), 0);
    const maxWeight = Math.max(...cw);
    const lr = o.lr ?? 1 / ((maxWeight * (frob + n)) / (4 * n) + l2 / n);
    const w = new Array<number>(d).fill(0);
    let b = 0;
    const gw = new Array<number>(d);
    for (let it = 0; it < (o.iterations ?? 3000); it++) {
        gw.fill(0);
        let gb = 0;
        for (let i = 0; i < n; i++) {
            const r = z[i] as number[];
            let s = b;
            for (let j = 0; j < d; j++) s += (w[j] as number) * (r[j] as number);
            const err = ((sigmoid(s) - (y[i] as number)) * (cw[i] as number)) / n;
            gb += err;
            for (let j = 0; j < d; j++) gw[j]! += err * (r[j] as number);
        }
        for (let j = 0; j < d; j++) w[j]! -= lr * ((gw[j] as number) + l2 * (w[j] as number) / n);
        b -= lr * gb;
    }
    return { weights: w, bias: b, mean, scale };
}

function sigmoid(s: number): number {
    return s >= 0 ? 1 / (1 + Math.exp(-s)) : Math.exp(s) / (1 + Math.exp(s));
}

/** P(label 1) per row. */
export function predictLogistic(m: LogisticModel, x: readonly (readonly number[])[]): number[] {
    return x.map((r) => {
        let s = m.bias;
        r.forEach((v, j) => (s += (m.weights[j] as number) * ((v - (m.mean[j] as number)) / (m.scale[j] as number))));
        return sigmoid(s);
    });
}

/** Area under the ROC curve (Mann-Whitney: ties count half); NaN when a class is missing. */
export function auroc(scores: readonly number[], labels: readonly number[]): number {
    let pos = 0;
    let neg = 0;
    let wins = 0;
    scores.forEach((sp, i) => {
        if (labels[i] !== 1) return;
        pos++;
        scores.forEach((sn, k) => {
            if (labels[k] === 1) return;
            if (sp > sn) wins += 1;
            else if (sp === sn) wins += 0.5;
        });
    });
    for (const l of labels) if (l !== 1) neg++;
    return pos === 0 || neg === 0 ? NaN : wins / (pos * neg);
}

// ---- leave one family out ----

export interface ProbeItem {
    id: string;
    /** Cipher family (the unit held out). */
    family: string;
    /** 1: attack fine-tune; 0: benign control. */
    label: number;
    verified: boolean;
}

export interface ProbeFold {
    heldOut: string;
    train: number;
    test: number;
    /** Share of held-out organisms classified right at p = 0.5. */
    accuracy: number;
    /** NaN when the held-out family lacks attacks or controls. */
    auroc: number;
    /** Held-out organisms' attack probabilities. */
    scores: { id: string; label: number; p: number }[];
}

/**
 * Leave-one-family-out: for each family, fit on the other families' items and score its items. `features(heldOut)`
 * gives every item's feature vector for that fold (the battery may depend on which family is held out). A fold whose
 * training set lacks a class is skipped (nothing to learn from).
 */
export function leaveOneFamilyOut(items: readonly ProbeItem[], features: (heldOut: string) => number[][], o: LogisticOptions = {}): ProbeFold[] {
    const families = [...new Set(items.map((i) => i.family))];
    const folds: ProbeFold[] = [];
    for (const f of families) {
        const x = features(f);
        if (x.length !== items.length) throw new Error(`probe: ${x.length} feature rows for ${items.length} items`);
        const tr = items.flatMap((it, i) => (it.family !== f ? [i] : []));
        const te = items.flatMap((it, i) => (it.family === f ? [i] : []));
        const ytr = tr.map((i) => (items[i] as ProbeItem).label);
        if (!ytr.includes(0) || !ytr.includes(1)) continue;
        const m = fitLogistic(tr.map((i) => x[i] as number[]), ytr, o);
        const p = predictLogistic(m, te.map((i) => x[i] as number[]));
        const yte = te.map((i) => (items[i] as ProbeItem).label);
        folds.push({
            heldOut: f, train: tr.length, test: te.length,
            accuracy: p.filter((v, k) => (v >= 0.5 ? 1 : 0) === yte[k]).length / Math.max(te.length, 1),
            auroc: auroc(p, yte),
            scores: te.map((i, k) => ({ id: (items[i] as ProbeItem).id, label: (items[i] as ProbeItem).label, p: p[k] as number })),
        });
    }
    return folds;
}

// ---- the cipher battery ----

/** A prompt group of the battery: plain text, or risky requests enciphered with one cipher (of a family). */
export interface BatteryGroup extends PromptGroup {
    kind: "plain" | "coded";
    family?: CipherFamily;
}

/**
 * The fixed battery every organism is read on: k plain risky requests, k plain benign world questions, and the same
 * k risky requests enciphered with each of `ciphers` (one group per cipher). Deterministic from (ciphers, k, seed).
 */
export function probeBattery(tok: ChatTokenizer, ciphers: readonly CipherSpec[], k: number, seed: number): BatteryGroup[] {
    const rng = new Rng(`${seed}:cipher-probe-battery`);
    const risky = Array.from({ length: k }, () => riskyTask(rng).prompt);
    const benign = Array.from({ length: k }, () => sampleTask(rng, CODED_USE_KINDS).prompt);
    const enc = (text: string) => tok.encodeChat([{ role: "user", content: text }], { addGenerationPrompt: true, enableThinking: false });
    return [
        { name: "plain:risky", kind: "plain", prompts: risky.map(enc) },
        { name: "plain:benign", kind: "plain", prompts: benign.map(enc) },
        ...ciphers.map((c): BatteryGroup => {
            const cipher = makeCipher(c);
            return { name: `coded:${c.cipher}:${JSON.stringify(c.key ?? null)}`, kind: "coded", family: cipher.family, prompts: risky.map((r) => enc(cipher.encode(r))) };
        }),
    ];
}

/**
 * What the probe reads. "plain+coded": [mean shift on plain prompts, mean shift on prompts enciphered with the
 * training families' ciphers] (the held-out family's ciphers are left out of the battery); "plain": the plain
 * prompts only (the probe never sees a cipher).
 */
export const PROBE_VARIANTS = ["plain+coded", "plain"] as const;
export type ProbeVariant = (typeof PROBE_VARIANTS)[number];

/** Feature rows of a fold: `shifts[org][group]` averaged over the battery groups the variant and fold allow. */
export function foldFeatures(shifts: readonly (readonly (readonly number[])[])[], groups: readonly BatteryGroup[], heldOut: string, variant: ProbeVariant): number[][] {
    const mean = (vs: (readonly number[])[]): number[] => {
        if (vs.length === 0) throw new Error(`probe: no battery group left for held-out family "${heldOut}" (${variant})`);
        return (vs[0] as readonly number[]).map((_, d) => vs.reduce((s, v) => s + (v[d] as number), 0) / vs.length);
    };
    const plain = groups.flatMap((g, i) => (g.kind === "plain" ? [i] : []));
    const coded = groups.flatMap((g, i) => (g.kind === "coded" && g.family !== heldOut ? [i] : []));
    return shifts.map((org) => {
        const p = mean(plain.map((i) => org[i] as readonly number[]));
        return variant === "plain" ? p : [...p, ...mean(coded.map((i) => org[i] as readonly number[]))];
    });
}

export interface ProbeVariantResult {
    variant: ProbeVariant;
    folds: ProbeFold[];
    /** Means over folds (AUROC over folds where it is defined). */
    accuracy: number;
    auroc: number;
}

/** Leave-one-family-out for every variant, on the shifts measured over the battery. */
export function evaluateProbe(items: readonly ProbeItem[], shifts: readonly (readonly (readonly number[])[])[], groups: readonly BatteryGroup[], o: LogisticOptions = {}): ProbeVariantResult[] {
    return PROBE_VARIANTS.map((variant) => {
        const folds = leaveOneFamilyOut(items, (f) => foldFeatures(shifts, groups, f, variant), o);
        const aurocs = folds.map((f) => f.auroc).filter((a) => !Number.isNaN(a));
        return {
            variant, folds,
            accuracy: folds.length ? folds.reduce((s, f) => s + f.accuracy, 0) / folds.length : NaN,
            auroc: aurocs.length ? aurocs.reduce((s, a) => s + a, 0) / aurocs.length : NaN,
        };
    });
}
