/**
 * The whole method on the tiny world, resumable stage by stage:
 *   base model -> behavior catalogue -> organism population (trained + verified) -> IA SFT -> IA DPO -> benchmark
 * Base models and populations are cached by content hash (shared by runs and sweeps); IA stages resume from
 * their checkpoints; every stage writes its resolved config next to its artifacts.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildBase, type BaseModelInfo } from "../base/buildBase.ts";
import { buildCatalogue } from "../behaviors/catalogue.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readJsonFile } from "../io/json.ts";
import { loadModel } from "../model/weights.ts";
import { buildPopulation } from "../organisms/population.ts";
import type { PopulationManifest } from "../organisms/manifest.ts";
import { poolProcesses, runTaskPool, type TaskRunnerFactory } from "../parallel/pool.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { jsonHash } from "../util/jsonHash.ts";
import { runBenchmark, sampleBench, type BenchReport } from "./benchmark.ts";
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
    // "banks": how organisms are grouped for training (bankPartition), which changes their weights.
    return `${p.name}-${jsonHash({ base: path.basename(path.dirname(baseDir)), specs, organism: p.population.organism, probes: p.population.verifyProbes, banks: "balanced" }, 12)}`;
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
    const prepared = preparePopulation(p, { ...o, stage });
    const { base, population, populationDir: popDir, draw, device } = prepared;
    const groups = draw.groups;
    writeJsonAtomic(path.join(o.runDir, "groups.json"), groupsFile(draw));
    // The resolved run: which base model and population folders this run's IAs and figures come from.
    writeJsonAtomic(path.join(o.runDir, "config.json"), { ...p, device, baseModel: base.dir, populationDir: popDir });

    const seeds = openSeeds(p, o.runDir, prepared, o.quiet);
    try {
        // Seeds share nothing but files: on the CPU they train and sample side by side first (a base built elsewhere
        // cannot be rebuilt by a child, so those runs stay in one process). The pass below then finds every stage
        // done and every report cached, and assembles the figures exactly as a single process would.
        if (!o.base && p.seeds.length > 1) {
            stage(`3-5/5 IA SFT, DPO and benchmark samples of seeds ${p.seeds.join(", ")}, side by side`);
            const job: SeedJob = { preset: p, runDir: o.runDir, cacheDir: path.resolve(o.cacheDir ?? ".cache"), device, groupsKey: seeds.groupsKey };
            runTaskPool({
                dir: path.join(o.runDir, "claims"),
                tasks: p.seeds.map((s) => `seed-${s}`),
                // More processes than cores: 3 seeds on 2 cores as 2 + 1 would leave a core idle for a third of the time.
                processes: poolProcesses(device, p.seeds.length, 2),
                runner: { module: fileURLToPath(import.meta.url), name: "pipelineSeedRunner" },
                job,
                runHere: seeds.run,
                isDone: seeds.isDone,
                label: "pipeline",
                quiet: o.quiet,
            });
        }
        const iaDirs = trainIaSeeds({ ...seeds.input, seeds: p.seeds, quiet: o.quiet, stage });
        stage("5/5 benchmark");
        const report = runBenchmark({ ...seeds.bench, iaDirs, quiet: o.quiet });
        stage("done");
        return { runDir: o.runDir, baseModel: base.dir, population, populationDir: popDir, groups, iaDirs, report };
    } finally {
        seeds.dispose();
    }
}

/** What a pool's child needs to rebuild a run's seeds: the preset and folders (base and population come from the cache). */
interface SeedJob {
    preset: PipelinePreset;
    runDir: string;
    cacheDir: string;
    device: string;
    /** The parent's groups: a child that draws others (a changed population) must not train on them. */
    groupsKey: string;
}

/**
 * One run's seeds over a loaded base and subject bank: `run("seed-N")` trains seed N's IA stages and samples its
 * benchmark reports into the run's caches, then records that it did (`isDone`).
 */
function openSeeds(p: PipelinePreset, runDir: string, prepared: PreparedRun, quiet?: boolean) {
    const { base, population, populationDir, draw } = prepared;
    const groups = draw.groups;
    const tok = ChatTokenizer.fromFolder(base.dir);
    const model = loadModel(base.dir, { device: prepared.device });
    const everyone = allSubjects(groups);
    const subjects = loadSubjectBank(model, populationDir, everyone, { includeBase: true });
    const groupsKey = jsonHash(groupsFile(draw), 16);
    const input = { model, tok, subjects, everyone, groups, ia: p.ia, runDir, baseModel: base.dir };
    const bench = { model, tok, subjects, groups, everyone, preset: p, base, population, populationDir, outDir: path.join(runDir, "bench") };
    const marker = (seed: number) => path.join(runDir, `seed-${seed}`, "sampled.json");
    const seedOf = (task: string) => Number(task.replace(/^seed-/, ""));
    // Keyed by everything that decides a seed's stages and samples; a stale marker only costs the pool's head start.
    const key = jsonHash({ preset: p, base: base.dir, populationDir, groupsKey }, 16);
    return {
        groupsKey, input, bench,
        run: (task: string) => {
            const seed = seedOf(task);
            const iaDirs = trainIaSeeds({ ...input, seeds: [seed], quiet });
            sampleBench({ ...bench, iaDirs });
            writeJsonAtomic(marker(seed), { key });
        },
        isDone: (task: string) => {
            const file = marker(seedOf(task));
            return fs.existsSync(file) && (readJsonFile(file, "seed record") as { key?: string }).key === key;
        },
        dispose: () => {
            subjects.bank.dispose();
            model.dispose();
        },
    };
}

/** A pool child's runner (src/parallel/pool.ts): the run's seeds, as the parent would run them. */
export const pipelineSeedRunner: TaskRunnerFactory = (job) => {
    const j = job as SeedJob;
    const prepared = preparePopulation(j.preset, { cacheDir: j.cacheDir, device: j.device, quiet: true });
    const seeds = openSeeds(j.preset, j.runDir, prepared, false);
    if (seeds.groupsKey !== j.groupsKey) throw new Error(`${j.runDir}: this process drew other IA groups than the run's (groups.json); the population changed under it`);
    return seeds.run;
};
