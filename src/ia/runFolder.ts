/**
 * Reading a finished pipeline run folder (`ia bench --run R`, `ia demo`): its resolved config.json (the preset, the
 * base model and population folders), groups.json (which organism went where) and the trained IAs
 * (seed-N/ia-sft/adapter, seed-N/ia-dpo/adapter). Tools that work on a run after the fact (the OOD suite, the
 * failure analysis) read it here, so a missing or damaged file is reported the same way everywhere.
 */
import fs from "node:fs";
import path from "node:path";
import { readJsonFile } from "../io/json.ts";
import { readManifest, type OrganismEntry, type PopulationManifest } from "../organisms/manifest.ts";
import type { IaGroups } from "./groups.ts";
import type { PipelinePreset } from "./presets.ts";

export interface RunIa {
    seed: number;
    sft: string;
    dpo: string;
}

export interface RunFolder {
    dir: string;
    config: PipelinePreset & { baseModel: string; populationDir?: string; device?: string };
    /** Finished IAs (both stages present), by seed. */
    seeds: RunIa[];
}

/** The run's config and IAs; `needs` says what the caller uses, for the message when it is missing. */
export function openRun(run: string, needs: string): RunFolder {
    const file = path.join(run, "config.json");
    if (!fs.existsSync(file)) throw new Error(`${file}: not found; ${needs} needs a finished pipeline run (ia bench --run ${run})`);
    const config = (readJsonFile(file, "run config") ?? {}) as RunFolder["config"];
    if (typeof config.baseModel !== "string") throw new Error(`${file}: no "baseModel": the run has not finished building its base and population`);
    const seeds = fs.readdirSync(run).flatMap((d) => {
        const m = d.match(/^seed-(\d+)$/);
        if (!m) return [];
        const sft = path.join(run, d, "ia-sft", "adapter");
        const dpo = path.join(run, d, "ia-dpo", "adapter");
        return fs.existsSync(path.join(sft, "adapter_config.json")) && fs.existsSync(path.join(dpo, "adapter_config.json")) ? [{ seed: Number(m[1]), sft, dpo }] : [];
    }).sort((a, b) => a.seed - b.seed);
    if (seeds.length === 0) throw new Error(`${run}: no trained IA (expected seed-N/ia-sft/adapter and seed-N/ia-dpo/adapter); run ia bench --run ${run} first`);
    return { dir: run, config, seeds };
}

/** The run's population and its organism groups, rebuilt from groups.json against the manifest. */
export function runGroups(r: RunFolder): { population: PopulationManifest; populationDir: string; groups: IaGroups } {
    const populationDir = r.config.populationDir;
    if (typeof populationDir !== "string") throw new Error(`${path.join(r.dir, "config.json")}: no "populationDir"`);
    const population = readManifest(populationDir);
    if (!population) throw new Error(`${populationDir}: no population manifest (the run's population cache was removed?)`);
    const groupsJson = path.join(r.dir, "groups.json");
    if (!fs.existsSync(groupsJson)) throw new Error(`${groupsJson}: not found (the run stopped before drawing its groups)`);
    const ids = (readJsonFile(groupsJson, "organism groups") ?? {}) as Record<string, string[]>;
    const byId = new Map(population.organisms.map((e) => [e.id, e]));
    const entries = (role: keyof IaGroups): OrganismEntry[] => (ids[role] ?? []).map((id) => {
        const e = byId.get(id);
        if (!e) throw new Error(`${groupsJson}: organism ${id} is not in ${populationDir}/manifest.json`);
        return e;
    });
    const groups: IaGroups = {
        sft: entries("sft"), dpo: entries("dpo"), validation: entries("validation"), test: entries("test"), heldoutValues: entries("heldoutValues"),
        heldoutFamily: entries("heldoutFamily"), negatives: entries("negatives"), failed: entries("failed"),
    };
    return { population, populationDir, groups };
}
