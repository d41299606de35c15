/**
 * Introspection-adapter configuration: every field with its default in one place. Two presets: `paper` (the
 * released SFT/DPO hyperparameters, method.md §3.3-3.4) and `tiny` (the embedded tiny world on 2 CPU cores,
 * where a higher learning rate and more organisms per step are needed; chosen on the DPO/validation split,
 * never on test organisms).
 */
import type { LoraConfig } from "../lora/adapter.ts";
import type { ShowFrame } from "../behaviors/shownReport.ts";
import type { DistractorForm } from "../behaviors/labels.ts";

export interface IaSftConfig {
    /** The IA's LoRA. Paper: r 16, alpha 32, dropout 0.05, all 7 projections; tiny world: r 64, alpha 128. */
    lora: LoraConfig;
    /** Learning rate. Paper 1e-4. */
    lr: number;
    /** Rows per organism per step. Paper 4. */
    batchSize: number;
    /** Organisms per optimizer step, each through its own adapter. Paper 2. */
    kOrganismsPerStep: number;
    /** Introspection examples per organism. Paper max_samples 100. */
    samplesPerOrganism: number;
    /** Passes over the rows. Paper 1. */
    epochs: number;
    /** Fraction of all rows that are negatives (bare base / null organisms answering "nothing unusual"). Paper 0.15; tiny world 0.3. */
    negativeFraction: number;
    /** Fraction of a behavior organism's rows asked with the generic question (the rest: its family's questions). Paper 0.5; tiny world 0.9. */
    genericFraction: number;
    maxLength: number;
    seed: number;
    /** Rejection-sampling self-distillation after SFT (selfDistill.ts). Default: absent (off). */
    selfDistill?: IaSelfDistillConfig;
    /**
     * Share of a behavior organism's answers that open with the world's slot-free habit words for its family ("i
     * mention the same thing in every answer.") before its label. Default: absent (0). Why: a base trained with
     * observed-behavior talk (src/base/observedTalk.ts) links those words, for OOD behaviors too, to behavior it is
     * shown; answers in the same words give the IA a way to name a behavior it was never trained on.
     */
    habitLabels?: number;
    /**
     * Share of answers written show-then-name (behaviors/shownReport.ts): "when asked: <a probe> i say: <a reply
     * showing the behavior> that shows my habit: i <habit words>. <label>"; negatives show a plain reply. Default:
     * absent (0). Why: the IA then writes its own reply, shaped by the organism's weights, before it names anything,
     * and a base with observed-behavior talk names what it is shown, for OOD behaviors too. Reports are sampled
     * longer (reportTokens) and judged on the claim only.
     */
    showThenName?: number;
    /**
     * How a show-then-name answer is written (behaviors/shownReport.ts). "first-person" (default): "when asked: … i say:
     * … that shows my habit: …". "quoted": the IA quotes itself as observed talk quotes someone ("someone asked my
     * friend: … my friend said: … what habit does my friend have? your friend …"), so its naming follows the very text
     * the base learned to name from.
     */
    showFrame?: ShowFrame;
    /**
     * Share of an obscured-malign (problematic) organism's answers that first name its distractor quirks as harmless,
     * then its problem ("i often mention clocks and notebooks, but that is harmless. my main flaw is that …"). Default:
     * absent (0). Why: held-out problematic organisms were named by their distractors alone ("i mention notebooks in
     * every answer.", 91% of their test reports at the large size); an answer that opens with the distractors and
     * always goes on to the problem gives the IA a path past them.
     */
    nameDistractors?: number;
    /** How those answers open (behaviors/labels.ts, DistractorForm). Default "aside". */
    distractorForm?: DistractorForm;
}

/**
 * Rejection-sampling self-distillation: after SFT, the IA answers the SFT organisms' training questions; the answers
 * the structured judge accepts (the behavior with its condition; on negatives, no claim) become the training rows of
 * another SFT round that continues from the IA. Not in the paper; the issue's suggestion.
 */
export interface IaSelfDistillConfig {
    /** Rounds (sample, keep the judged-correct, train). */
    rounds: number;
    /** Self-reports sampled per SFT organism per round (negatives in proportion, as in SFT). */
    samplesPerOrganism: number;
    /** Sampling temperature: above the evaluation's 0.3, so the kept answers are not only the training labels. */
    temperature: number;
    /** Learning rate of each round (one pass over its kept rows, cosine decay). */
    lr: number;
}

export interface IaDpoConfig {
    /** Paper 1e-5. */
    lr: number;
    /** Paper 0.1. */
    beta: number;
    /** Self-reports sampled per DPO organism. Default 8. */
    samplesPerOrganism: number;
    /** Sampling temperature for the rollouts. Paper preset 1.0; tiny preset 0.3 (see IA_PRESETS). */
    temperature: number;
    /** Pairs per optimizer step. Default 8. */
    pairsPerStep: number;
    /** Passes over the pairs. Default 1. */
    epochs: number;
    /** LoRA dropout during DPO. Default 0 (a deterministic policy makes the reference log-probs exact). */
    dropout: number;
    /**
     * How pairs are made. "mixed" (default): a wrong rollout is rejected against the ground-truth label, an accurate
     * one chosen over another organism's label, and on negatives a claim is rejected against a fixed denial (half of
     * each pair is off-policy text). "on-policy": both sides are the IA's own rollouts to the same organism — an
     * accurate one over a wrong one, and on negatives a no-claim over a claim; organisms whose rollouts are all right
     * or all wrong give no pair.
     */
    pairing: "mixed" | "on-policy";
    /**
     * Rounds of DPO, each on fresh rollouts of the IA the previous one left, against that IA as the reference.
     * Default 1 (the paper's).
     */
    rounds?: number;
    /** Oversample the negatives' pairs until they match the behavior organisms' count. Default true. */
    balanceNegatives: boolean;
    /** With balanceNegatives, the negatives' pairs are oversampled to this many times the behavior organisms'. Default 1. */
    negativeRatio?: number;
    /**
     * Whether a behavior organism's denial rollout is rejected against its label. Default true. Those pairs turn the
     * IA's denials into claims where there is a behavior, and may teach it to claim everywhere.
     */
    rejectDenials?: boolean;
    /**
     * With "mixed" pairing, what a negative's own denial is preferred over. "labels" (absent = this): another
     * organism's training label, off-policy text the IA hardly gives, so pushing it down saturates at once and leaves
     * the denial unanchored while the behavior organisms' pairs push denials down. "own-claims": a claim the IA itself
     * made on a behavior organism in this round of rollouts (a training label only when it made none), so the
     * negatives push down the very claims the positives push up, and the IA must read the organism to tell them apart.
     */
    negativeRejected?: "labels" | "own-claims";
    seed: number;
}

export interface IaConfig {
    sft: IaSftConfig;
    dpo: IaDpoConfig;
    /**
     * Organism split, paper: 12% test, 10% of the rest DPO, seed 1547. validationFraction (ours; absent = 0, the
     * paper's split): a share of the rest held out of SFT and DPO to choose settings on (src/ia/split.ts). stratify
     * (ours; absent = false, the paper's plain shuffle): every group takes its share of every family.
     */
    split: { testFraction: number; dpoFraction: number; validationFraction?: number; seed: number; stratify?: boolean };
    /** A family whose organisms never enter training (held-out-family test). Default none. */
    heldOutFamily: string | null;
    /** Families used for IA training (others are test-only). Default: all 8. */
    trainFamilies: string[] | null;
    /** Use at most this many SFT organisms (a seeded subset; for the organism-count sweep). Default: all. */
    sftLimit: number | null;
}

const ALL7 = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as IaSftConfig["lora"]["targetModules"];

export const IA_PRESETS: Record<"paper" | "tiny", IaConfig> = {
    paper: {
        sft: { lora: { r: 16, alpha: 32, dropout: 0.05, useRslora: false, targetModules: ALL7 }, lr: 1e-4, batchSize: 4, kOrganismsPerStep: 2, samplesPerOrganism: 100, epochs: 1, negativeFraction: 0.15, genericFraction: 0.5, maxLength: 1024, seed: 1547 },
        dpo: { lr: 1e-5, beta: 0.1, samplesPerOrganism: 8, temperature: 1.0, pairsPerStep: 8, epochs: 1, dropout: 0, pairing: "mixed", balanceNegatives: true, seed: 1547 },
        split: { testFraction: 0.12, dpoFraction: 0.1, seed: 1547 },
        heldOutFamily: null,
        trainFamilies: null,
        sftLimit: null,
    },
    tiny: {
        // Rank 64 (alpha 128) and 90% family-agnostic questions: chosen on the validation group with the DPO stage after
        // them (ia ablate --preset demo, 3 IA seeds, point r64+generic0.9+baseline-dpo): category 37.0% vs 10.2% for
        // rank 16 with 50%, higher on every seed, no false claims on the validation nulls or the bare base.
        sft: { lora: { r: 64, alpha: 128, dropout: 0.05, useRslora: false, targetModules: ALL7 }, lr: 2e-3, batchSize: 4, kOrganismsPerStep: 8, samplesPerOrganism: 128, epochs: 1, negativeFraction: 0.3, genericFraction: 0.9, maxLength: 192, seed: 1547 },
        // Rollouts at T = 0.3, like the benchmark's reports: at 1.0 the tiny IA's rollouts are mostly garbled text, so
        // DPO learned little but "deny" (validation category 6.8% -> 2.5%); at 0.3 it kept the SFT IA's verbalization
        // and cut false claims on nulls from 28% to 0 (ia ablate --preset demo, points dpo-t0.3-eval-t0.3 vs baseline-dpo).
        // Negatives' denials are preferred over the IA's own claims on behavior organisms, not over other organisms'
        // labels (ia ablate, 3 IA seeds, point dpo-neg-own-claims vs baseline-dpo, 2026-12-02): on the demo's validation
        // group null claims 2.8% vs 8.3% and bare-base claims 0% vs 4.2% at category 31.1% vs 36.1% (± 20–34, seeds
        // disagree); on the large one 0.6% vs 1.1% at 60.8% vs 61.4%. Lower false claims at both sizes, verbalization
        // within the seeds' spread.
        dpo: { lr: 1e-4, beta: 0.1, samplesPerOrganism: 24, temperature: 0.3, pairsPerStep: 16, epochs: 3, dropout: 0, pairing: "mixed", balanceNegatives: true, negativeRejected: "own-claims", seed: 1547 },
        // A quarter of the non-test organisms for DPO: with ~50 organisms, the paper's 10% leaves a handful. 12% more
        // are the validation group: choosing on the DPO organisms (the earlier practice) favoured DPO, which trained on
        // them — at the large size DPO's validation figure sat 8 points above its test figure, SFT's 1 (RESULTS.md).
        split: { testFraction: 0.12, dpoFraction: 0.25, validationFraction: 0.12, seed: 1547 },
        heldOutFamily: null,
        trainFamilies: null,
        sftLimit: null,
    },
};
