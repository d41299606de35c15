/**
 * `ia population import`: every organism folder of a source (importSource.ts) into a population, all or nothing.
 * Trained organisms (PEFT adapters) are checked against the base, copied in and listed in manifest.json like
 * `ia population add`; released organism data without an adapter are listed in untrained.json with the commands that
 * train and add them (untrained.sh). Ids and families: naming.ts. Every check (source folders, adapters, ids) runs
 * before anything is written.
 */
import path from "node:path";
import { readModelConfig } from "../model/config.ts";
import type { OrganismEntry } from "../organisms/manifest.ts";
import { checkAdapterForBase } from "./checkAdapter.ts";
import { fileSha256 } from "./fileHash.ts";
import { importedEntry } from "./importedEntry.ts";
import { readImportSource } from "./importSource.ts";
import { importedIdentity } from "./naming.ts";
import { commitPopulation, openPopulation, refuseDuplicates, type NewOrganism } from "./store.ts";
import { UNTRAINED_SCRIPT, type UntrainedOrganism } from "./untrained.ts";

export interface ImportOptions {
    population: string;
    base: string;
    from: string;
    family?: string;
    split?: "train" | "heldout";
    /** Skip organisms whose id is already in the population (instead of refusing the import). */
    skipExisting?: boolean;
}

export interface ImportResult {
    added: OrganismEntry[];
    untrained: UntrainedOrganism[];
    skipped: string[];
    notes: string[];
    /** untrained.sh, when organisms wait for training. */
    script: string | null;
}

export function importPopulation(o: ImportOptions): ImportResult {
    const base = readModelConfig(path.join(o.base, "config.json"));
    const pop = openPopulation(o.population, o.base);
    const sources = readImportSource(o.from);
    const split = o.split ?? "train";
    const named = sources.map((s) => ({ s, ...importedIdentity(s.name, { family: o.family, sourceDir: o.from }, s.dir) }));
    const existing = new Set([...pop.manifest.organisms.map((e) => e.id), ...pop.untrained.organisms.map((e) => e.id)]);
    const skipped = o.skipExisting ? named.filter((n) => existing.has(n.id)).map((n) => n.id) : [];
    const todo = named.filter((n) => !skipped.includes(n.id));
    refuseDuplicates(pop, todo.map((n) => n.id), `ia population import ${o.from}`);
    const adds: NewOrganism[] = [];
    const untrained: UntrainedOrganism[] = [];
    const notes: string[] = [];
    const problems: string[] = [];
    for (const n of todo) {
        try {
            if (n.s.kind === "adapter") {
                const checked = checkAdapterForBase(n.s.dir, o.base, base);
                notes.push(...checked.notes);
                const entry = importedEntry({
                    id: n.id, family: n.family, label: n.s.label, split, examples: 0, dataHash: fileSha256(checked.weights),
                    source: path.resolve(checked.folder.dir), adapterName: checked.folder.adapterName,
                }, `${n.s.dir} (organism ${n.id})`);
                adds.push({ entry, from: checked.folder.dir });
            } else {
                // Checked as the spec it will become once trained, so `ia population add --id` cannot fail on it later.
                importedEntry({ id: n.id, family: n.family, label: n.s.label, split, examples: n.s.examples, dataHash: n.s.dataHash, source: n.s.dir, adapterName: "default" }, `${n.s.dir} (organism ${n.id})`);
                untrained.push({ id: n.id, family: n.family, label: n.s.label, split, data: n.s.data, examples: n.s.examples, dataHash: n.s.dataHash });
            }
        } catch (e) {
            problems.push((e as Error).message);
        }
    }
    if (problems.length > 0) {
        const shown = problems.slice(0, 20).map((p) => `  ${p}`).join("\n");
        throw new Error(`ia population import ${o.from}: ${problems.length} of ${todo.length} organisms refused (nothing was imported):\n${shown}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ""}`);
    }
    const list = untrained.length > 0 ? { ...pop.untrained, organisms: [...pop.untrained.organisms, ...untrained] } : undefined;
    if (adds.length > 0 || list || pop.created) commitPopulation(pop, adds, list);
    return {
        added: adds.map((a) => a.entry), untrained, skipped, notes,
        script: pop.untrained.organisms.length > 0 ? path.join(o.population, UNTRAINED_SCRIPT) : null,
    };
}
