/**
 * Whether `ia ia-train` would accept a population as it stands: the same group draw and minimums as
 * IaTrainCommand (drawGroups with the preset's split, then at least 2 SFT and 1 DPO organism), without loading
 * anything. The released split is by fraction (12% test, then 10% of the rest DPO with the paper preset), so a
 * population needs about a dozen organisms before its DPO group is non-empty.
 */
import { IA_PRESETS } from "../ia/config.ts";
import { checkGroups, drawGroups, type IaGroups } from "../ia/groups.ts";
import type { PopulationManifest } from "../organisms/manifest.ts";

export interface Readiness {
    preset: keyof typeof IA_PRESETS;
    ok: boolean;
    counts: Record<Exclude<keyof IaGroups, "failed">, number>;
    /** checkGroups' message when not ok. */
    problem: string | null;
}

export function iaTrainReadiness(m: PopulationManifest, preset: keyof typeof IA_PRESETS, what: string): Readiness {
    const ia = IA_PRESETS[preset];
    const draw = drawGroups(m.organisms, { split: ia.split, heldOutFamily: ia.heldOutFamily, trainFamilies: ia.trainFamilies });
    const g = draw.groups;
    const counts = { sft: g.sft.length, dpo: g.dpo.length, validation: g.validation.length, test: g.test.length, heldoutValues: g.heldoutValues.length, heldoutFamily: g.heldoutFamily.length, negatives: g.negatives.length };
    try {
        checkGroups(draw, what, [{ role: "sft", min: 2 }, { role: "dpo", min: 1 }]);
        return { preset, ok: true, counts, problem: null };
    } catch (e) {
        return { preset, ok: false, counts, problem: (e as Error).message };
    }
}
