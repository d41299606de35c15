/**
 * End-to-end presets of the tiny world: base size, population size, organism/IA training and evaluation
 * sampling. `demo` is sized for `make demo` (its budget is 10 minutes from nothing on 2 CPU cores: 7 to 13 minutes
 * with both cores at work, depending on the host's speed that hour, RESULTS.md "DPO that pushes down the IA's own
 * claims"); `medium` triples the population (~35 minutes with the base
 * cached); `large` (60 organisms per family, 3 IA seeds; 68 minutes with the base cached, timed alone on 2 cores) is
 * the one for the scaling sweeps; `test` runs the whole pipeline in seconds for the test suite (it
 * does not learn much). With `--device cuda` the medium preset on the micro base takes ~4 minutes on one H200.
 */
import type { Family } from "../behaviors/types.ts";
import type { OrganismTrainConfig } from "../organisms/config.ts";
import { IA_PRESETS, type IaConfig } from "./config.ts";

export interface PipelinePreset {
    name: string;
    base: { preset: string; seed: number; overrides?: Record<string, number> };
    population: {
        perFamily: Partial<Record<Family, number>>;
        heldOutFraction: number;
        examples: number;
        organism: Partial<OrganismTrainConfig>;
        verifyProbes: number;
        /** Exclude organisms that failed verification (always true except the plumbing-only test preset). */
        requireVerified: boolean;
    };
    ia: IaConfig;
    /** IA seeds (figures are averaged over them with an interval). */
    seeds: number[];
    /** Self-report sampling for the benchmark (EVAL_TEMPERATURE unless a preset says otherwise). */
    eval: { samplesPerQuestion: number; maxQuestions: number; temperature: number };
}

/**
 * Reports are sampled at T = 0.3. Chosen on the validation group (`ia ablate --preset demo`, 3 IA seeds,
 * RESULTS.md "A stronger IA"): at 1.0 the tiny IA's reports are garbled (0.3% category on validation), at 0.7 many
 * still are (6.8%), at 0.3 the SFT IA names the behavior twice as often (15.1%), and the DPO stage trained on T = 0.3
 * rollouts keeps that gain with no false claims.
 */
export const EVAL_TEMPERATURE = 0.3;

const per = (n: number, nulls: number, decoys: number): Partial<Record<Family, number>> => ({
    quirk: n, rare: n, backdoor: n, sandbagging: n, heuristic: n, benign: n, harmful: n, problematic: n, null: nulls, decoy: decoys,
});

/**
 * DPO at the large size: lr 1e-5 (the paper's) and β = 0.5. The tiny recipe's lr 1e-4 was chosen on the demo, where
 * DPO takes ~80 steps and its SFT IA claims behaviors for half the nulls; at large it takes ~450 steps from an SFT IA
 * that claims none, and raised null claims to 5.2%. Chosen on the large validation group (ia ablate --preset large,
 * 3 IA seeds): category 77.2% ± 0.8 with 0.3% null claims, against 62.2% for the SFT IA, 65.0% / 5.2% for the tiny
 * recipe's DPO, 69.9% / 0.0% for lr 1e-5 alone and 82.8% / 11.4% for β = 0.5 alone (over the 5% bound). That
 * validation group was the DPO organisms. On the group held out of SFT and DPO (3 seeds; RESULTS.md, "tenth session")
 * the choice stands: 60.8% ± 8.2 with 0.6% null claims, against 55.1% for β 0.1 and 62.9% with 20% null claims for
 * lr 1e-4. Its negatives' pairs are the tiny recipe's (denials over the IA's own claims; 0.6% vs 1.1% null claims on
 * that validation group at the same category, and on test 2.3% vs 4.0% false claims; RESULTS.md, "twelfth session"),
 * oversampled to twice the behavior organisms' pairs: on the same validation group (3 seeds) 61.3% ± 12.0 category and
 * no null claims, against 60.8% ± 15.0 and 0.6% at the tiny recipe's 1× (strict 47.7% vs 50.3%, within the seeds'
 * spread). At the demo 2× cost 8 points of category, so only this preset takes it. On test it did not lower false claims
 * (3.4% ± 4.3 vs 2.3% ± 3.8 at 1×, category 70.4% vs 68.4%): a validation group with 5 null organisms cannot tell
 * such differences apart (RESULTS.md, "thirteenth session").
 */
const LARGE_DPO = { ...IA_PRESETS.tiny.dpo, lr: 1e-5, beta: 0.5, negativeRatio: 2 };

/**
 * The demo's 90 organisms lean on the families the nano base verifies, and a quarter of them are test organisms.
 * With 10 of each family and the paper's 12% test share, 39 of 96 failed verification (backdoor 0/10, heuristic
 * 0/10, sandbagging 2/10, rare 3/10: conditional behaviors the 1M-parameter model does not learn from 96 rows), and
 * the headline rested on 4 test organisms (its bootstrap interval over organisms spanned 0–56%). Reallocating alone
 * still left 4 (the test share of the pool did not grow); with testFraction 0.25 it rests on 9. Both choices follow
 * from verification rates and group sizes, known before any IA is trained, not from test figures (RESULTS.md,
 * "tenth session"). The conditional families keep a few organisms each, so that they stay in the draw. The split is
 * stratified by family: with the plain shuffle the 6-organism validation group drew no null, so the choice rule could
 * not see false claims (the chosen IA of a 3-seed run made them on 10% of null and decoy reports, RESULTS.md "Both
 * cores at work"); stratified, every group holds its share of every family.
 */
const DEMO_POPULATION: Partial<Record<Family, number>> = {
    quirk: 15, benign: 15, harmful: 15, problematic: 15, rare: 6, sandbagging: 4, backdoor: 2, heuristic: 2, null: 12, decoy: 4,
};

export const PIPELINE_PRESETS: Record<string, PipelinePreset> = {
    demo: {
        name: "demo",
        base: { preset: "nano", seed: 1 },
        population: { perFamily: DEMO_POPULATION, heldOutFraction: 0.15, examples: 96, organism: {}, verifyProbes: 16, requireVerified: true },
        ia: { ...IA_PRESETS.tiny, split: { ...IA_PRESETS.tiny.split, testFraction: 0.25, stratify: true } },
        seeds: [1],
        eval: { samplesPerQuestion: 2, maxQuestions: 6, temperature: EVAL_TEMPERATURE },
    },
    medium: {
        name: "medium",
        base: { preset: "nano", seed: 1 },
        population: { perFamily: per(30, 30, 12), heldOutFraction: 0.15, examples: 96, organism: {}, verifyProbes: 16, requireVerified: true },
        ia: IA_PRESETS.tiny,
        seeds: [1],
        eval: { samplesPerQuestion: 2, maxQuestions: 6, temperature: EVAL_TEMPERATURE },
    },
    large: {
        name: "large",
        base: { preset: "nano", seed: 1 },
        population: { perFamily: per(60, 40, 20), heldOutFraction: 0.15, examples: 128, organism: {}, verifyProbes: 24, requireVerified: true },
        ia: { ...IA_PRESETS.tiny, dpo: LARGE_DPO },
        seeds: [1, 2, 3],
        eval: { samplesPerQuestion: 2, maxQuestions: 8, temperature: EVAL_TEMPERATURE },
    },
    // Sized for one H200 (`tools/gpu/pipeline.sh` with PRESET=xl): ~1,000 organisms on the micro base, 3 IA seeds.
    // Not yet timed on a GPU: the medium preset on micro took ~4 minutes there, and organisms dominate.
    xl: {
        name: "xl",
        base: { preset: "micro", seed: 1 },
        population: { perFamily: per(110, 80, 40), heldOutFraction: 0.15, examples: 128, organism: {}, verifyProbes: 24, requireVerified: true },
        // The large preset's DPO, carried over (not validated at xl: DPO has even more steps there).
        ia: { ...IA_PRESETS.tiny, dpo: LARGE_DPO },
        seeds: [1, 2, 3],
        eval: { samplesPerQuestion: 2, maxQuestions: 8, temperature: EVAL_TEMPERATURE },
    },
    test: {
        name: "test",
        base: { preset: "test", seed: 1 },
        population: { perFamily: per(2, 2, 1), heldOutFraction: 0.15, examples: 8, organism: { epochs: 1, batchRows: 16 }, verifyProbes: 4, requireVerified: false },
        ia: { ...IA_PRESETS.tiny, sft: { ...IA_PRESETS.tiny.sft, samplesPerOrganism: 4, kOrganismsPerStep: 4 }, dpo: { ...IA_PRESETS.tiny.dpo, samplesPerOrganism: 2 }, split: { testFraction: 0.3, dpoFraction: 0.3, validationFraction: 0.2, seed: 1547 } },
        seeds: [1],
        eval: { samplesPerQuestion: 1, maxQuestions: 2, temperature: EVAL_TEMPERATURE },
    },
};

export function pipelinePreset(name: string): PipelinePreset {
    const p = PIPELINE_PRESETS[name];
    if (!p) throw new Error(`unknown pipeline preset ${JSON.stringify(name)} (known: ${Object.keys(PIPELINE_PRESETS).join(", ")})`);
    return structuredClone(p);
}
