/**
 * The ablation points: one named change each to a pipeline preset's IA recipe or evaluation, applied to a copy of
 * the preset. A point never changes the base model or the population (those are other experiments: `ia bench
 * --sweep base` / `--sweep organisms`), so every point is measured on the same validation organisms.
 */
import type { PipelinePreset } from "../ia/presets.ts";

export interface AblationPoint {
    /** What changes, in words, for the table. */
    what: string;
    /** The axis it belongs to (rows of one axis are printed together). */
    axis: string;
    /** Whether the point's figure is the DPO stage (else the SFT IA is measured and DPO is not trained). */
    dpo: boolean;
    /** Changes the preset; `sftOrganisms` is the baseline's count of SFT organisms. */
    apply(p: PipelinePreset, ctx: { sftOrganisms: number }): void;
}

const sft = (axis: string, what: string, apply: AblationPoint["apply"]): AblationPoint => ({ axis, what, dpo: false, apply });
const selfDistill = (rounds: number) => ({ rounds, samplesPerOrganism: 32, temperature: 0.7, lr: 5e-4 });
const dpo = (what: string, apply: AblationPoint["apply"]): AblationPoint => ({ axis: "DPO", what, dpo: true, apply });

export const ABLATION_POINTS: Readonly<Record<string, AblationPoint>> = {
    baseline: sft("baseline", "the preset's recipe (SFT IA)", () => {}),
    "baseline-dpo": dpo("the preset's recipe (SFT+DPO IA)", () => {}),

    greedy: sft("decoding", "reports decoded greedily (T = 0)", (p) => { p.eval.temperature = 0; }),
    "t0.3": sft("decoding", "reports sampled at T = 0.3", (p) => { p.eval.temperature = 0.3; }),
    "t1": sft("decoding", "reports sampled at T = 1.0", (p) => { p.eval.temperature = 1; }),

    "sft-half": sft("SFT organisms", "half of the SFT organisms (a seeded subset)", (p, ctx) => { p.ia.sftLimit = Math.max(2, Math.round(ctx.sftOrganisms / 2)); }),

    "k2": sft("organisms per step", "k = 2 organisms per step (the paper's)", (p) => { p.ia.sft.kOrganismsPerStep = 2; }),
    "k16": sft("organisms per step", "k = 16 organisms per step", (p) => { p.ia.sft.kOrganismsPerStep = 16; }),

    "neg0.15": sft("negatives", "15% negative rows (the paper's)", (p) => { p.ia.sft.negativeFraction = 0.15; }),
    "neg0.5": sft("negatives", "50% negative rows", (p) => { p.ia.sft.negativeFraction = 0.5; }),

    "r4": sft("IA rank", "IA rank 4 (alpha 8)", (p) => { p.ia.sft.lora = { ...p.ia.sft.lora, r: 4, alpha: 8 }; }),
    "r16": sft("IA rank", "IA rank 16 (alpha 32; the tiny recipe's before 2026-12-01)", (p) => { p.ia.sft.lora = { ...p.ia.sft.lora, r: 16, alpha: 32 }; }),
    "r64": sft("IA rank", "IA rank 64 (alpha 128)", (p) => { p.ia.sft.lora = { ...p.ia.sft.lora, r: 64, alpha: 128 }; }),

    "epochs2": sft("IA steps", "2 epochs (twice the steps)", (p) => { p.ia.sft.epochs = 2; }),
    "lr1e-3": sft("IA steps", "learning rate 1e-3", (p) => { p.ia.sft.lr = 1e-3; }),
    "lr4e-3": sft("IA steps", "learning rate 4e-3", (p) => { p.ia.sft.lr = 4e-3; }),

    "rows64": sft("questions per organism", "64 question/label rows per organism", (p) => { p.ia.sft.samplesPerOrganism = 64; }),
    "rows256": sft("questions per organism", "256 question/label rows per organism", (p) => { p.ia.sft.samplesPerOrganism = 256; }),
    "generic0.9": sft("questions per organism", "90% family-agnostic questions in training", (p) => { p.ia.sft.genericFraction = 0.9; }),
    "generic0.5": sft("questions per organism", "50% family-agnostic questions in training (the tiny recipe's before 2026-12-01)", (p) => { p.ia.sft.genericFraction = 0.5; }),

    "distractors": sft("labels", "problematic organisms' answers name their distractor quirks as harmless first, then the problem", (p) => { p.ia.sft.nameDistractors = 1; }),
    "distractors-listed": sft("labels", "the same, opening as a quirk label does (\"i mention clocks and notebooks in many answers, but that is harmless. …\")", (p) => { p.ia.sft.nameDistractors = 1; p.ia.sft.distractorForm = "listed"; }),

    "rs1": sft("self-distillation", "one round of SFT on the IA's own judged-correct answers (32 per organism at T = 0.7, lr 5e-4)", (p) => { p.ia.sft.selfDistill = selfDistill(1); }),
    "rs2": sft("self-distillation", "two such rounds", (p) => { p.ia.sft.selfDistill = selfDistill(2); }),

    "dpo-onpolicy": dpo("on-policy pairs only (the IA's own right vs wrong rollouts)", (p) => { p.ia.dpo.pairing = "on-policy"; }),
    "dpo-neg-own-claims": dpo("negatives' denials preferred over the IA's own claims on behavior organisms, not over other organisms' labels", (p) => { p.ia.dpo.negativeRejected = "own-claims"; }),
    "dpo-neg2x": dpo("negatives' pairs oversampled to twice the behavior organisms'", (p) => { p.ia.dpo.negativeRatio = 2; }),
    "dpo-keep-denials": dpo("a behavior organism's denial is not rejected against its label (only wrong claims are)", (p) => { p.ia.dpo.rejectDenials = false; }),
    "dpo-rounds2": dpo("two rounds of DPO, the second on rollouts of the first's IA, against it as the reference", (p) => { p.ia.dpo.rounds = 2; }),
    "dpo-neg-labels": dpo("negatives' denials preferred over other organisms' labels (the recipe before 2026-12-02)", (p) => { p.ia.dpo.negativeRejected = "labels"; }),
    "dpo-unbalanced": dpo("negatives' pairs not oversampled", (p) => { p.ia.dpo.balanceNegatives = false; }),
    "dpo-beta0.5": dpo("β = 0.5 (stays closer to the SFT IA)", (p) => { p.ia.dpo.beta = 0.5; }),
    "dpo-beta0.1": dpo("β = 0.1 (the paper's; moves farther from the SFT IA)", (p) => { p.ia.dpo.beta = 0.1; }),
    // The tiny recipe's DPO lr (1e-4) was chosen at the demo size, where DPO takes ~80 steps; the large preset's takes
    // ~450 at the same lr, so its IA moves ~5x farther from the SFT IA.
    "dpo-lr1e-5": dpo("learning rate 1e-5 (the paper's) instead of 1e-4", (p) => { p.ia.dpo.lr = 1e-5; }),
    "dpo-lr1e-4": dpo("learning rate 1e-4 (the tiny recipe's; for presets at 1e-5)", (p) => { p.ia.dpo.lr = 1e-4; }),
    "dpo-epochs1": dpo("1 epoch over the pairs instead of 3", (p) => { p.ia.dpo.epochs = 1; }),
    "dpo-t0.7": dpo("rollouts at T = 0.7 (the evaluation's temperature) instead of 1.0", (p) => { p.ia.dpo.temperature = 0.7; }),
    "dpo-t0.3": dpo("rollouts at T = 0.3 instead of 1.0", (p) => { p.ia.dpo.temperature = 0.3; }),
    "dpo-eval-t0.3": dpo("the preset's SFT+DPO IA, reports sampled at T = 0.3", (p) => { p.eval.temperature = 0.3; }),
    "dpo-t0.3-eval-t0.3": dpo("rollouts and reports at T = 0.3", (p) => { p.ia.dpo.temperature = 0.3; p.eval.temperature = 0.3; }),
    "dpo-onpolicy-t0.3": dpo("on-policy pairs from rollouts at T = 0.3, reports at T = 0.3", (p) => { p.ia.dpo.pairing = "on-policy"; p.ia.dpo.temperature = 0.3; p.eval.temperature = 0.3; }),
};

/**
 * A point by name; `a+b` applies a's change, then b's (the IA measured is SFT+DPO if either is): e.g.
 * `neg0.15+baseline-dpo`, an SFT IA that claims more, then the DPO stage that is meant to remove its false claims.
 */
export function ablationPoint(name: string): AblationPoint {
    const parts = name.split("+").map((part) => {
        const p = ABLATION_POINTS[part];
        if (!p) throw new Error(`unknown ablation point ${JSON.stringify(part)}${part === name ? "" : ` in ${JSON.stringify(name)}`} (known: ${Object.keys(ABLATION_POINTS).join(", ")}; combine with +)`);
        return p;
    });
    if (parts.length === 1) return parts[0]!;
    return {
        axis: "combined", what: parts.map((p) => p.what).join("; then "), dpo: parts.some((p) => p.dpo),
        apply: (preset, ctx) => parts.forEach((p) => p.apply(preset, ctx)),
    };
}
