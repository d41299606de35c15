/**
 * Assigns a population to IA roles: SFT / DPO / validation / test (the released split over eligible organisms, plus
 * a validation group no training stage sees when the split asks for one), held-out slot
 * values (test-only), a left-out family and families outside `trainFamilies` (test-only), and the negatives used
 * only for false-positive measurement (decoys; test-split nulls; the bare base).
 *
 * Roles are drawn over every organism of the catalogue *before* looking at verification; an organism that failed
 * verification is then dropped from the role it was drawn into (and listed in `failed`). Which organisms pass
 * verification depends on floating point (BLAS kernels, CPU vs GPU), so drawing after verification gave two
 * machines building the same preset different groups; drawn first, they differ only by the failed organisms, and
 * an IA trained on one population can be benchmarked on another's test group.
 */
import type { OrganismEntry } from "../organisms/manifest.ts";
import { Rng } from "../util/rng.ts";
import { splitOrganisms, type SplitOptions } from "./split.ts";

export interface IaGroups {
    sft: OrganismEntry[];
    dpo: OrganismEntry[];
    /** Held out of SFT and DPO, nulls included: the group settings are chosen on (empty when the split has none). */
    validation: OrganismEntry[];
    /** In-distribution held-out behavior organisms. */
    test: OrganismEntry[];
    heldoutValues: OrganismEntry[];
    heldoutFamily: OrganismEntry[];
    /** Test-split nulls and all decoys. */
    negatives: OrganismEntry[];
    failed: OrganismEntry[];
}

export type IaRole = Exclude<keyof IaGroups, "failed">;
const ROLES: IaRole[] = ["sft", "dpo", "validation", "test", "heldoutValues", "heldoutFamily", "negatives"];

export interface GroupOptions {
    split: SplitOptions;
    heldOutFamily: string | null;
    trainFamilies: string[] | null;
    /** Drop organisms that failed verification. Default true. */
    requireVerified?: boolean;
    /**
     * At most this many SFT organisms: a seeded order over all drawn SFT organisms (verified or not, so it is the
     * same on every machine), of which the first `sftLimit` verified ones are kept. Default: all.
     */
    sftLimit?: number | null;
}

export interface GroupDraw {
    groups: IaGroups;
    /** Organisms drawn into each role before failed ones were dropped. */
    drawn: Record<IaRole, number>;
    /** The role each failed organism was drawn into (so runs on two machines can be compared organism by organism). */
    failedRoles: Record<string, IaRole>;
}

const CONTROLS = new Set(["null", "decoy"]);

/** The role of every organism, independent of verification. */
function drawRoles(organisms: readonly OrganismEntry[], o: GroupOptions): Map<OrganismEntry, IaRole> {
    const roles = new Map<OrganismEntry, IaRole>();
    const eligible: OrganismEntry[] = [];
    for (const e of organisms) {
        if (e.family === "decoy") roles.set(e, "negatives");
        else if (!CONTROLS.has(e.family) && (e.family === o.heldOutFamily || (o.trainFamilies && !o.trainFamilies.includes(e.family)))) roles.set(e, "heldoutFamily");
        else if (e.split === "heldout") roles.set(e, CONTROLS.has(e.family) ? "negatives" : "heldoutValues");
        else eligible.push(e);
    }
    const family = new Map(eligible.map((e) => [e.id, e.family]));
    const split = splitOrganisms(eligible.map((e) => e.id), o.split, new Set(), (id) => family.get(id)!);
    for (const e of eligible) {
        const s = split.get(e.id);
        roles.set(e, s === "sft" || s === "dpo" || s === "validation" ? s : CONTROLS.has(e.family) ? "negatives" : "test");
    }
    return roles;
}

export function drawGroups(organisms: readonly OrganismEntry[], o: GroupOptions): GroupDraw {
    const roles = drawRoles(organisms, o);
    const g: IaGroups = { sft: [], dpo: [], validation: [], test: [], heldoutValues: [], heldoutFamily: [], negatives: [], failed: [] };
    const failedRoles: Record<string, IaRole> = {};
    let sftOrder = organisms.filter((e) => roles.get(e) === "sft");
    if (o.sftLimit != null) {
        // Keeps negatives (nulls) in proportion: behavior organisms and nulls are subsampled alike.
        sftOrder = new Rng(`${o.split.seed ?? 1547}:sft-limit`).shuffle([...sftOrder].sort((a, b) => (a.id < b.id ? -1 : 1)));
    }
    // SFT organisms past the limit are not drawn at all (neither kept nor failed).
    const sftDrawn = new Set<OrganismEntry>();
    let sftKept = 0;
    for (const e of sftOrder) {
        if (o.sftLimit != null && sftKept >= o.sftLimit) break;
        sftDrawn.add(e);
        if (passes(e, o)) sftKept++;
    }
    for (const e of organisms) {
        const role = roles.get(e)!;
        if (role === "sft" && !sftDrawn.has(e)) continue;
        if (passes(e, o)) g[role].push(e);
        else {
            g.failed.push(e);
            failedRoles[e.id] = role;
        }
    }
    const failedIn = (r: IaRole) => Object.values(failedRoles).filter((x) => x === r).length;
    const drawn = Object.fromEntries(ROLES.map((r) => [r, g[r].length + failedIn(r)])) as Record<IaRole, number>;
    return { groups: g, drawn, failedRoles };
}

function passes(e: OrganismEntry, o: GroupOptions): boolean {
    return e.verification?.passed === true || o.requireVerified === false;
}

/**
 * Stops a run whose groups leave a stage with nothing to do — an IA with no DPO organisms would "train" DPO on the
 * bare base alone, a benchmark with no test organisms would report nothing — naming what was drawn and what
 * survived verification. `need` lists the roles the caller's stages use.
 */
export function checkGroups(d: GroupDraw, what: string, need: { role: IaRole; min: number }[]): void {
    const short = need.filter((n) => d.groups[n.role].length < n.min);
    if (short.length === 0) return;
    const counts = ROLES.map((r) => `${r} ${d.groups[r].length}/${d.drawn[r]}`).join(", ");
    const names = short.map((n) => `${n.role} has ${d.groups[n.role].length} (needs ≥ ${n.min})`).join("; ");
    throw new Error(`${what}: ${names}. Organisms kept/drawn per group after verification: ${counts} (${d.groups.failed.length} failed verification). Use a larger population, or raise the split fractions (testFraction, dpoFraction, validationFraction).`);
}

/**
 * The organisms settings are chosen on: the validation group, or — for runs whose split has none (every run before
 * 2026-12-02) — the DPO organisms, which the DPO stage has trained on. Both are asked validation-split questions.
 */
export function validationOrganisms(g: IaGroups): { organisms: OrganismEntry[]; heldOut: boolean } {
    return g.validation.length > 0 ? { organisms: g.validation, heldOut: true } : { organisms: g.dpo, heldOut: false };
}

/** Organism ids per role, as written to groups.json next to every IA run. */
export function groupIds(g: IaGroups): Record<keyof IaGroups, string[]> {
    return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, (v as OrganismEntry[]).map((e) => e.id)])) as Record<keyof IaGroups, string[]>;
}

/** groups.json: the ids per role, and for failed organisms the role they were drawn into. */
export function groupsFile(d: GroupDraw): Record<string, unknown> {
    return { ...groupIds(d.groups), failedDrawnInto: d.failedRoles };
}
