/**
 * `ia population add`: one organism — an existing PEFT LoRA folder and its first-person label — appended to a
 * population (created when missing). Checks, in order, before writing anything: the base's config.json, the
 * population's base, the adapter against the base (checkAdapter.ts), the id (unique), the label and family, the
 * free-text spec, the introspection rows when given; then copies the adapter (and rows) in and writes the manifest
 * (store.ts).
 *
 * Defaults: id = the adapter folder's name (its parent's for `checkpoint-N/` and `ia train`'s `adapter/`); label =
 * `label.txt` / `behavior.txt` beside the adapter; family = the first family word of the id. An id listed in
 * untrained.json (an imported organism, now trained) takes its label, family, split and data hash from there and
 * leaves that list.
 */
import path from "node:path";
import { readModelConfig } from "../model/config.ts";
import type { OrganismEntry } from "../organisms/manifest.ts";
import { checkAdapterForBase } from "./checkAdapter.ts";
import { INTROSPECTION_ROWS_FILE, readIntrospectionRows } from "./introspectionRows.ts";
import { fileSha256 } from "./fileHash.ts";
import { importedEntry } from "./importedEntry.ts";
import { findLabelFile, readLabelFile } from "./labelFile.ts";
import { checkFamily, checkId, idFromName, nameFamily, namingFolder } from "./naming.ts";
import { commitPopulation, openPopulation, refuseDuplicates } from "./store.ts";

export interface AddOptions {
    population: string;
    base: string;
    adapter: string;
    label?: string;
    labelVariants?: string[];
    family?: string;
    id?: string;
    split?: "train" | "heldout";
    /**
     * The organism's own introspection rows (the paper's `prediction_*` JSONL): copied in, and IA training draws this
     * organism's rows from them instead of building rows from its label. Default: none.
     */
    rows?: string;
}

export interface AddResult {
    entry: OrganismEntry;
    /** The organism was listed in untrained.json and left it. */
    wasUntrained: boolean;
    notes: string[];
}

export function addOrganism(o: AddOptions): AddResult {
    const where = `ia population add ${o.adapter}`;
    const base = readModelConfig(path.join(o.base, "config.json"));
    const pop = openPopulation(o.population, o.base);
    const checked = checkAdapterForBase(o.adapter, o.base, base);
    const id = checkId(o.id ?? idFromName(path.basename(namingFolder(o.adapter))), where);
    const pending = pop.untrained.organisms.find((u) => u.id === id);
    const untrained = pending ? { ...pop.untrained, organisms: pop.untrained.organisms.filter((u) => u !== pending) } : undefined;
    // An organism leaving the untrained list is not a duplicate of itself.
    refuseDuplicates(pending ? { ...pop, untrained: untrained! } : pop, [id], where);
    const labelFile = findLabelFile([checked.folder.dir, o.adapter, namingFolder(o.adapter)]);
    const label = o.label ?? pending?.label ?? (labelFile ? readLabelFile(labelFile) : null);
    if (label === null) throw new Error(`${where}: no label: give --label "I ..." (or put label.txt or behavior.txt beside adapter_config.json)`);
    const familyName = o.family ?? pending?.family ?? nameFamily(id);
    if (!familyName) throw new Error(`${where}: cannot tell the family from the id ${JSON.stringify(id)}; give --family`);
    const family = checkFamily(familyName, "--family");
    const entry = importedEntry({
        id, family, label, labelVariants: o.labelVariants, split: o.split ?? pending?.split ?? "train",
        examples: pending?.examples ?? 0, dataHash: pending?.dataHash ?? fileSha256(checked.weights),
        source: path.resolve(checked.folder.dir), adapterName: checked.folder.adapterName,
    }, `${where} (organism ${id})`);
    if (o.rows !== undefined) {
        const rows = readIntrospectionRows(o.rows);
        if (!rows.some((r) => r.groundTruth === "positive")) throw new Error(`${where}: ${o.rows} has no "positive" row: an organism's rows must state its behavior`);
        entry.introspectionRows = path.join(entry.adapter, INTROSPECTION_ROWS_FILE);
    }
    commitPopulation(pop, [{ entry, from: checked.folder.dir, ...(o.rows !== undefined ? { rowsFrom: o.rows } : {}) }], untrained);
    return { entry, wasUntrained: pending !== undefined, notes: checked.notes };
}
