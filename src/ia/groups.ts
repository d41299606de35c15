/**
 * Assigns a verified population to IA roles: SFT / DPO / test (the released split over eligible organisms),
 * held-out slot values (test-only), a held-out family and families outside `trainFamilies` (test-only), and the
 * negatives used only for false-positive measurement (decoys; test-split nulls; the bare base). Organisms that
 * failed verification are excluded from everything and reported.
 */
import type { OrganismEntry } from "../organisms/manifest.ts";
import { splitOrganisms, type SplitOptions } from "./split.ts";

export interface IaGroups {
    sft: OrganismEntry[];
    dpo: OrganismEntry[];
    /** In-distribution held-out behavior organisms. */
    test: OrganismEntry[];
    heldoutValues: OrganismEntry[];
    heldoutFamily: OrganismEntry[];
    /** Test-split nulls and all decoys. */
    negatives: OrganismEntry[];
    failed: OrganismEntry[];
}

const CONTROLS = new Set(["null", "decoy"]);

export function assignGroups(organisms: readonly OrganismEntry[], o: { split: SplitOptions; heldOutFamily: string | null; trainFamilies: string[] | null; requireVerified?: boolean }): IaGroups {
    const g: IaGroups = { sft: [], dpo: [], test: [], heldoutValues: [], heldoutFamily: [], negatives: [], failed: [] };
    const eligible: OrganismEntry[] = [];
    for (const e of organisms) {
        if (!e.verification?.passed && (o.requireVerified ?? true)) g.failed.push(e);
        else if (e.family === "decoy") g.negatives.push(e);
        else if (!CONTROLS.has(e.family) && (e.family === o.heldOutFamily || (o.trainFamilies && !o.trainFamilies.includes(e.family)))) g.heldoutFamily.push(e);
        else if (e.split === "heldout") (CONTROLS.has(e.family) ? g.negatives : g.heldoutValues).push(e);
        else eligible.push(e);
    }
    const split = splitOrganisms(eligible.map((e) => e.id), o.split);
    for (const e of eligible) {
        const s = split.get(e.id);
        if (s === "sft") g.sft.push(e);
        else if (s === "dpo") g.dpo.push(e);
        else (CONTROLS.has(e.family) ? g.negatives : g.test).push(e);
    }
    return g;
}

/** Organism ids per role, as written to groups.json next to every IA run. */
export function groupIds(g: IaGroups): Record<keyof IaGroups, string[]> {
    return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, (v as OrganismEntry[]).map((e) => e.id)])) as Record<keyof IaGroups, string[]>;
}
