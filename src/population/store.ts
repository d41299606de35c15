/**
 * A population folder opened for adding organisms, and the one place that writes it.
 *
 * `openPopulation` only reads: the manifest (or a new, empty one in memory), the untrained list, and the check that
 * the population belongs to this base (the same rule as `ia organisms`: its recorded base folder must be this one).
 * Everything that can refuse an add runs before `commitPopulation`, so a refused add or import writes nothing.
 *
 * `commitPopulation` copies each new adapter's two files (adapter_config.json, adapter_model.safetensors; nothing else
 * of a checkpoint folder) into `organisms/<id>/` through a temp folder renamed into place, writes the untrained list,
 * then the manifest (writeJsonAtomic). If anything fails it removes the folders it created and puts the untrained list
 * back, so the population is as before; a kill -9 can leave at most an `organisms/<id>` folder the manifest does not
 * list (replaced by the next add of that id) — never a half-written file.
 *
 * Adapters are copied, not referenced: manifest paths are relative to the population folder and may not leave it
 * (src/organisms/manifest.ts), `ia serve --adapter-root` refuses symlinks that leave a root, and a copy cannot change
 * under the population when the source is retrained in place (torch/safetensors overwrite files in place, which
 * would also change a hard link).
 */
import fs from "node:fs";
import path from "node:path";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { readManifest, writeManifest, type OrganismEntry, type PopulationManifest } from "../organisms/manifest.ts";
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS } from "../lora/peftLayout.ts";
import { readUntrained, UNTRAINED_FILE, writeUntrained, type UntrainedList } from "./untrained.ts";

/** bin/ia of this checkout, for the commands written into untrained.sh. */
export const IA_BIN = path.resolve(import.meta.dirname, "../../bin/ia");

export interface OpenPopulation {
    dir: string;
    manifest: PopulationManifest;
    /** No manifest.json yet: the first commit creates it. */
    created: boolean;
    untrained: UntrainedList;
}

export function openPopulation(dir: string, baseDir: string): OpenPopulation {
    const existing = readManifest(dir);
    const manifest: PopulationManifest = existing ?? {
        version: 1, baseModel: path.resolve(baseDir), config: { source: "ia population (organisms imported, not trained here)" }, organisms: [], timings: { groups: [] },
    };
    if (path.resolve(manifest.baseModel) !== path.resolve(baseDir)) {
        throw new Error(`${path.join(dir, "manifest.json")}: population was built on ${manifest.baseModel}, not ${baseDir}; use another population folder`);
    }
    const known = new Set(manifest.organisms.map((e) => e.id));
    const untrained = readUntrained(dir, known) ?? { version: 1, baseModel: path.resolve(baseDir), organisms: [] };
    if (path.resolve(untrained.baseModel) !== path.resolve(baseDir)) {
        throw new Error(`${path.join(dir, UNTRAINED_FILE)}: its organisms are to be trained on ${untrained.baseModel}, not ${baseDir}; use another population folder`);
    }
    return { dir, manifest, created: existing === null, untrained };
}

/** Refuses ids already in the population (manifest or untrained list), naming them. */
export function refuseDuplicates(pop: OpenPopulation, ids: readonly string[], what: string): void {
    const inManifest = new Set(pop.manifest.organisms.map((e) => e.id));
    const inUntrained = new Set(pop.untrained.organisms.map((e) => e.id));
    const seen = new Set<string>();
    for (const id of ids) {
        if (seen.has(id)) throw new Error(`${what}: organism id ${JSON.stringify(id)} appears twice`);
        seen.add(id);
        if (inManifest.has(id)) throw new Error(`${what}: organism id ${JSON.stringify(id)} is already in ${path.join(pop.dir, "manifest.json")}; give another --id (ids are unique in a population)`);
        if (inUntrained.has(id)) throw new Error(`${what}: organism id ${JSON.stringify(id)} is already listed untrained in ${path.join(pop.dir, UNTRAINED_FILE)}`);
    }
}

export interface NewOrganism {
    entry: OrganismEntry;
    /** The resolved adapter folder to copy from. */
    from: string;
    /** Introspection rows file to copy in beside the adapter (as `entry.introspectionRows` names it). */
    rowsFrom?: string;
}

/**
 * Writes the additions: adapters copied in, then the untrained list (`untrained` replaces it when given), then the
 * manifest. All or nothing, as far as a running process can make it (see the file comment).
 */
export function commitPopulation(pop: OpenPopulation, add: readonly NewOrganism[], untrained?: UntrainedList): void {
    const dirExisted = fs.existsSync(pop.dir);
    const organismsDir = path.join(pop.dir, "organisms");
    const organismsExisted = fs.existsSync(organismsDir);
    const untrainedFile = path.join(pop.dir, UNTRAINED_FILE);
    const previousUntrained = fs.existsSync(untrainedFile) ? readUntrained(pop.dir) : null;
    const created: string[] = [];
    try {
        fs.mkdirSync(pop.dir, { recursive: true });
        for (const a of add) {
            const target = path.join(pop.dir, a.entry.adapter);
            writeDirAtomic(target, (tmp) => {
                for (const f of [ADAPTER_CONFIG, ADAPTER_WEIGHTS]) fs.copyFileSync(path.join(a.from, f), path.join(tmp, f));
                if (a.rowsFrom && a.entry.introspectionRows) fs.copyFileSync(a.rowsFrom, path.join(tmp, path.relative(a.entry.adapter, a.entry.introspectionRows)));
            });
            created.push(target);
        }
        if (untrained) writeUntrained(pop.dir, untrained, IA_BIN);
        const manifest: PopulationManifest = { ...pop.manifest, organisms: [...pop.manifest.organisms, ...add.map((a) => a.entry)] };
        writeManifest(pop.dir, manifest);
        pop.manifest = manifest;
        if (untrained) pop.untrained = untrained;
        pop.created = false;
    } catch (err) {
        for (const d of created) fs.rmSync(d, { recursive: true, force: true });
        if (untrained) {
            try {
                if (previousUntrained) writeUntrained(pop.dir, previousUntrained, IA_BIN);
                else writeUntrained(pop.dir, { ...untrained, organisms: [] }, IA_BIN);
            } catch {
                // Reported below: the original error is what the user needs.
            }
        }
        if (!organismsExisted) fs.rmSync(organismsDir, { recursive: true, force: true });
        if (!dirExisted) fs.rmSync(pop.dir, { recursive: true, force: true });
        throw err;
    }
}
