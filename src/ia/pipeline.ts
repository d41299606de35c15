/**
 * The whole method on the tiny world, resumable stage by stage:
 *   base model -> behavior catalogue -> organism population (trained + verified) -> IA SFT -> IA DPO -> benchmark
 * Base models and populations are cached by content hash (shared by runs and sweeps); IA stages resume from
 * their checkpoints; every stage writes its resolved config next to its artifacts.
 */
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import path from "node:path";
import { buildBase, type BaseModelInfo } from "../base/buildBase.ts";
import { buildCatalogue } from "../behaviors/catalogue.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { loadModel } from "../model/weights.ts";
import { buildPopulation } from "../organisms/population.ts";
import type { PopulationManifest } from "../organisms/manifest.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { runBenchmark, type BenchReport } from "./benchmark.ts";
import { checkGroups, drawGroups, groupsFile, type GroupDraw, type IaGroups, type IaRole } from "./groups.ts";
import type { PipelinePreset } from "./presets.ts";
import { loadSubjectBank } from "./subjects.ts";
import { allSubjects, trainIaSeeds } from "./trainIa.ts";

export interface PipelineOptions {
    preset: PipelinePreset;
    runDir: string;
    /** Shared cache of base models and populations. Default ".cache". */
    cacheDir?: string;
    /** "auto" (a GPU when there is one), "cpu" or "cuda[:i]". Default "auto". Recorded in the run's config.json. */
    device?: string;
    quiet?: boolean;
    /** A base model built elsewhere (e.g. a base with a behavior trained in, src/ood/inBase.ts) instead of the preset's. */
    base?: BaseModelInfo;
}

export interface PipelineResult {
    runDir: string;
    baseModel: string;
    population: PopulationManifest;
    populationDir: string;
    groups: IaGroups;
    iaDirs: { seed: number; sft: string; dpo: string }[];
    report: BenchReport;
}

/**
 * The population's cache folder name. The key names the base by its cache folder (preset and recipe hash), never
 * by an absolute path, so a moved checkout or another machine finds the same name for the same preset.
 */
export function populationFolderName(p: PipelinePreset, baseDir: string, specs: readonly BehaviorSpec[]): string {
    return `${p.name}-${jsonHash({ base: path.basename(path.dirname(baseDir)), specs, organism: p.population.organism, probes: p.population.verifyProbes }, 12)}`;
}

export interface PreparedRun {
    base: BaseModelInfo;
    population: PopulationManifest;
    populationDir: string;
    draw: GroupDraw;
    device: string;
}

/**
 * Stages 1-2: the base model and the verified population (both cached), and the organism groups. Shared by the
 * pipeline and by anything that trains IAs of its own on the same population (the ablations).
 */
export function preparePopulation(p: PipelinePreset, o: { cacheDir?: string; device?: string; quiet?: boolean; base?: BaseModelInfo; stage?: (name: string) => void }): PreparedRun {
    const log = (m: string) => o.quiet || process.stderr.write(`[pipeline] ${m}\n`);
    const cacheDir = path.resolve(o.cacheDir ?? ".cache");
    const device = resolveDevice(o.device ?? "auto");
    o.stage?.("1/5 base model");
    const base = o.base ?? buildBase({ preset: p.base.preset, seed: p.base.seed, cacheDir: path.join(cacheDir, "base"), overrides: p.base.overrides, device, quiet: o.quiet });

    o.stage?.("2/5 organism population");
    const specs = buildCatalogue({ seed: p.base.seed, perFamily: p.population.perFamily, heldOutFraction: p.population.heldOutFraction, examples: p.population.examples });
    const populationDir = path.join(cacheDir, "populations", populationFolderName(p, base.dir, specs));
    const population = buildPopulation({ baseModel: base.dir, specs, outDir: populationDir, config: p.population.organism, verifyProbes: p.population.verifyProbes, device, quiet: o.quiet });
    const draw = drawGroups(population.organisms, { split: p.ia.split, heldOutFamily: p.ia.heldOutFamily, trainFamilies: p.ia.trainFamilies, requireVerified: p.population.requireVerified, sftLimit: p.ia.sftLimit });
    const kept = (r: IaRole) => `${draw.groups[r].length}/${draw.drawn[r]}`;
    log(`population ${population.organisms.length} organisms (${draw.groups.failed.length} failed verification); IA groups, kept/drawn: ${kept("sft")} SFT, ${kept("dpo")} DPO, ${kept("validation")} validation, ${kept("test")} test, ${kept("heldoutValues")} held-out values, ${kept("heldoutFamily")} held-out family, ${kept("negatives")} negatives`);
    // A family sweep's point (trainFamilies) is measured on the families it leaves out; with one training family its
    // test draw can hold only nulls, so the left-out families stand in for the test group.
    const measured = p.ia.trainFamilies ? { role: "heldoutFamily" as const, min: 1 } : { role: "test" as const, min: 1 };
    // A split that asks for a validation group must get one: an empty one would fall back to choosing on the DPO
    // organisms (validationOrganisms), silently.
    const validation = (p.ia.split.validationFraction ?? 0) > 0 ? [{ role: "validation" as const, min: 1 }] : [];
    checkGroups(draw, `preset ${p.name}`, [{ role: "sft", min: 2 }, { role: "dpo", min: 1 }, ...validation, measured]);
    return { base, population, populationDir, draw, device };
}

export function runPipeline(o: PipelineOptions): PipelineResult {
    initEngine();
    const p = o.preset;
    const log = (m: string) => o.quiet || process.stderr.write(`[pipeline] ${m}\n`);
    // An unusable device fails here, before the run folder exists.
    const resolved = resolveDevice(o.device ?? "auto");
    fs.mkdirSync(o.runDir, { recursive: true });
    writeJsonAtomic(path.join(o.runDir, "config.json"), { ...p, device: resolved });
    const t0 = performance.now();
    const stage = (name: string) => log(`${name} (${((performance.now() - t0) / 1000).toFixed(0)}s elapsed)`);
    const { base, population, populationDir: popDir, draw, device } = preparePopulation(p, { ...o, stage });
    const groups = draw.groups;
    writeJsonAtomic(path.join(o.runDir, "groups.json"), groupsFile(draw));
    // The resolved run: which base model and population folders this run's IAs and figures come from.
    writeJsonAtomic(path.join(o.runDir, "config.json"), { ...p, device, baseModel: base.dir, populationDir: popDir });

    const tok = ChatTokenizer.fromFolder(base.dir);
    const model = loadModel(base.dir, { device });
    const everyone = allSubjects(groups);
    const subjects = loadSubjectBank(model, popDir, everyone, { includeBase: true });
    try {
        const iaDirs = trainIaSeeds({ model, tok, subjects, everyone, groups, ia: p.ia, seeds: p.seeds, runDir: o.runDir, baseModel: base.dir, quiet: o.quiet, stage });
        stage("5/5 benchmark");
        const report = runBenchmark({ model, tok, subjects, groups, everyone, iaDirs, preset: p, base, population, populationDir: popDir, outDir: path.join(o.runDir, "bench"), quiet: o.quiet });
        stage("done");
        return { runDir: o.runDir, baseModel: base.dir, population, populationDir: popDir, groups, iaDirs, report };
    } finally {
        subjects.bank.dispose();
        model.dispose();
    }
}
