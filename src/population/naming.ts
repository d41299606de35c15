/**
 * Organism ids and families for imported organisms, from what the user gave or from folder names:
 *
 * - family: `--family`, else the released dataset's folder name (`llama-problematic-mo-training-data` → problematic,
 *   method.md §2.2), else the first family word in the organism's own name, split at `_`/`-`
 *   (`backdoor_11`, `quirk_no_prompt_3`, `llama_3_3_70b_new_harmful_lying_0_2_epoch` → harmful); else an error.
 *   The dataset name comes first because its folders reuse other families' words: the Obscured Malign set holds
 *   `backdoor_11/` and `quirk_21/`, which are `problematic` organisms.
 * - id: the folder name, lowercased, other characters than [a-z0-9_.-] replaced by `_`. When the family came from the
 *   dataset name and the name does not start with that family's word, the id is prefixed with it
 *   (`backdoor_11` in the problematic set → `problematic_backdoor_11`; `37` in the benign set → `benign_37`): the
 *   released sets reuse the same numbers across families, and ids must be unique in a population.
 */
import path from "node:path";
import { BEHAVIOR_FAMILIES, type BehaviorFamily } from "../behaviors/types.ts";

const DATASET_RE = /(?:^|[-_])([a-z]+)-mo-(?:training|eval)-data$/;

export function isBehaviorFamily(f: string): f is BehaviorFamily {
    return (BEHAVIOR_FAMILIES as readonly string[]).includes(f);
}

/** The family a released dataset folder is named after, or null. */
export function datasetFamily(folder: string): BehaviorFamily | null {
    const m = DATASET_RE.exec(path.basename(path.resolve(folder)).toLowerCase());
    return m && isBehaviorFamily(m[1]!) ? m[1] : null;
}

/** The first family word in a name, or null. */
export function nameFamily(name: string): BehaviorFamily | null {
    for (const word of name.toLowerCase().split(/[-_.\s]+/)) if (isBehaviorFamily(word)) return word;
    return null;
}

/** A family given on the command line, checked. */
export function checkFamily(f: string, where: string): BehaviorFamily {
    if (!isBehaviorFamily(f)) throw new Error(`${where}: unknown family ${JSON.stringify(f)} (expected one of ${BEHAVIOR_FAMILIES.join(", ")})`);
    return f;
}

/** A folder name as an organism id ([a-z0-9_.-]+). */
export function idFromName(name: string): string {
    const id = name.toLowerCase().replace(/[^a-z0-9_.-]+/g, "_").replace(/^[_.-]+|[_.-]+$/g, "");
    return id;
}

export function checkId(id: string, where: string): string {
    if (!/^[a-z0-9_.-]+$/.test(id)) throw new Error(`${where}: organism id ${JSON.stringify(id)} must be lowercase letters, digits, "_", "." or "-" (give --id)`);
    return id;
}

/**
 * The folder that names an organism given as an adapter folder: the folder itself, or its parent when it is a
 * Trainer checkpoint (`run/checkpoint-20`) or `ia train`'s output (`run/adapter`).
 */
export function namingFolder(adapterDir: string): string {
    const abs = path.resolve(adapterDir);
    const base = path.basename(abs);
    return /^checkpoint-\d+$/.test(base) || base === "adapter" ? path.dirname(abs) : abs;
}

/** Family and id of a folder in an import source (see the rules above). */
export function importedIdentity(folderName: string, o: { family?: string; sourceDir: string }, where: string): { id: string; family: BehaviorFamily } {
    const explicit = o.family !== undefined ? checkFamily(o.family, "--family") : null;
    const fromDataset = explicit ? null : datasetFamily(o.sourceDir);
    const family = explicit ?? fromDataset ?? nameFamily(folderName);
    if (!family) {
        throw new Error(`${where}: cannot tell the organism's family (no family word in ${JSON.stringify(folderName)} or in the source folder's name); give --family (${BEHAVIOR_FAMILIES.join(", ")})`);
    }
    let id = checkId(idFromName(folderName), where);
    if (fromDataset && nameFamily(id.split(/[-_.]/)[0] ?? "") !== fromDataset) id = `${fromDataset}_${id}`;
    return { id, family };
}
