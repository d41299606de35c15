/**
 * The deterministic organism split of the released IA code: sort ids, shuffle with `seed`, the first
 * floor(n * testFraction) are test; the rest are shuffled with `seed + 1000` and the first
 * floor(n_rest * dpoFraction) are the DPO set; the remainder is SFT. Held-out-value organisms and a held-out
 * family (if any) never enter SFT or DPO: they are test-only.
 *
 * Our addition: the next floor(n_rest * validationFraction) after the DPO set are a validation group that no
 * training stage sees, to choose settings on. It is taken from what would be SFT, so test and DPO organisms are the
 * released split's. (Validating on the DPO organisms, as this project did before, favours whatever DPO setting fits
 * them best: the DPO stage has trained on those very organisms.)
 *
 * The paper shuffles with Python's `random`; we use the project's seeded Rng, so the same seed gives a different
 * (but equally deterministic) assignment.
 */
import { Rng } from "../util/rng.ts";

export type OrganismSplit = "sft" | "dpo" | "validation" | "test";

export interface SplitOptions {
    /** Default 0.12 (paper). */
    testFraction?: number;
    /** Fraction of the non-test organisms used for DPO. Default 0.10 (paper). */
    dpoFraction?: number;
    /** Fraction of the non-test organisms held out of every training stage to choose settings on. Default 0 (paper: none). */
    validationFraction?: number;
    /** Default 1547 (paper). */
    seed?: number;
}

export function splitOrganisms(ids: readonly string[], o: SplitOptions = {}, forcedTest: ReadonlySet<string> = new Set()): Map<string, OrganismSplit> {
    const seed = o.seed ?? 1547;
    const out = new Map<string, OrganismSplit>();
    for (const id of forcedTest) if (ids.includes(id)) out.set(id, "test");
    const pool = [...ids].filter((id) => !forcedTest.has(id)).sort();
    const shuffled = new Rng(seed).shuffle(pool);
    const nTest = Math.floor(pool.length * (o.testFraction ?? 0.12));
    shuffled.slice(0, nTest).forEach((id) => out.set(id, "test"));
    const rest = new Rng(seed + 1000).shuffle(shuffled.slice(nTest));
    const nDpo = Math.floor(rest.length * (o.dpoFraction ?? 0.1));
    const nValidation = Math.floor(rest.length * (o.validationFraction ?? 0));
    rest.forEach((id, i) => out.set(id, i < nDpo ? "dpo" : i < nDpo + nValidation ? "validation" : "sft"));
    return out;
}
