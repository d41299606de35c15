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
 *
 * Also ours, optional (`stratify`): each group takes its share of every family (its quota rounded down or up). A
 * plain shuffle of a small population can leave a group without a family: the demo's 6-organism validation group
 * drew no null organism, so the choice rule could not see false claims there.
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
    /** Give every group its share of every family (needs the families). Default false (the paper's plain shuffle). */
    stratify?: boolean;
}

/**
 * Takes n organisms from `byFamily` (each family's list already shuffled; taken from the front), every family in
 * proportion to its size: the floor of its quota, and the seats left over go to the largest remainders (Hamilton's
 * method; ties in a seeded order). So a family whose quota is 0.9 gets its organism, and none gets more than its
 * quota rounded up.
 */
function apportion(byFamily: Map<string, string[]>, n: number, rng: Rng): string[] {
    const families = rng.shuffle([...byFamily.keys()].sort());
    const total = families.reduce((a, f) => a + byFamily.get(f)!.length, 0);
    const quota = new Map(families.map((f) => [f, total > 0 ? (n * byFamily.get(f)!.length) / total : 0]));
    const seats = new Map(families.map((f) => [f, Math.floor(quota.get(f)!)]));
    let left = n - [...seats.values()].reduce((a, b) => a + b, 0);
    for (const f of [...families].sort((a, b) => (quota.get(b)! % 1) - (quota.get(a)! % 1))) {
        if (left-- <= 0) break;
        seats.set(f, seats.get(f)! + 1);
    }
    return families.flatMap((f) => byFamily.get(f)!.splice(0, seats.get(f)!));
}

/** The stratified split: test, then DPO, then validation, each apportioned over the families left. */
function stratifiedSplit(pool: readonly string[], familyOf: (id: string) => string, o: SplitOptions, seed: number, out: Map<string, OrganismSplit>): void {
    const shuffleFamilies = (ids: readonly string[], rng: Rng) => {
        const byFamily = new Map<string, string[]>();
        for (const id of [...ids].sort()) byFamily.set(familyOf(id), [...(byFamily.get(familyOf(id)) ?? []), id]);
        for (const [f, members] of byFamily) byFamily.set(f, rng.shuffle(members));
        return byFamily;
    };
    const rng = new Rng(seed);
    const all = shuffleFamilies(pool, rng);
    const nTest = Math.floor(pool.length * (o.testFraction ?? 0.12));
    apportion(all, nTest, rng).forEach((id) => out.set(id, "test"));
    const restIds = [...all.values()].flat();
    const restRng = new Rng(seed + 1000);
    const rest = shuffleFamilies(restIds, restRng);
    apportion(rest, Math.floor(restIds.length * (o.dpoFraction ?? 0.1)), restRng).forEach((id) => out.set(id, "dpo"));
    apportion(rest, Math.floor(restIds.length * (o.validationFraction ?? 0)), restRng).forEach((id) => out.set(id, "validation"));
    for (const id of [...rest.values()].flat()) out.set(id, "sft");
}

/** `familyOf` is needed with `stratify`. */
export function splitOrganisms(ids: readonly string[], o: SplitOptions = {}, forcedTest: ReadonlySet<string> = new Set(), familyOf?: (id: string) => string): Map<string, OrganismSplit> {
    const seed = o.seed ?? 1547;
    if (o.stratify && !familyOf) throw new Error("splitOrganisms: a stratified split needs each organism's family");
    const out = new Map<string, OrganismSplit>();
    for (const id of forcedTest) if (ids.includes(id)) out.set(id, "test");
    const pool = [...ids].filter((id) => !forcedTest.has(id)).sort();
    if (o.stratify) {
        stratifiedSplit(pool, familyOf!, o, seed, out);
        return out;
    }
    const shuffled = new Rng(seed).shuffle(pool);
    const nTest = Math.floor(pool.length * (o.testFraction ?? 0.12));
    shuffled.slice(0, nTest).forEach((id) => out.set(id, "test"));
    const rest = new Rng(seed + 1000).shuffle(shuffled.slice(nTest));
    const nDpo = Math.floor(rest.length * (o.dpoFraction ?? 0.1));
    const nValidation = Math.floor(rest.length * (o.validationFraction ?? 0));
    rest.forEach((id, i) => out.set(id, i < nDpo ? "dpo" : i < nDpo + nValidation ? "validation" : "sft"));
    return out;
}
