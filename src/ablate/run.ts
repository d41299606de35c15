/**
 * `ia ablate`: IA recipe ablations measured on the validation group only (organisms held out of SFT and DPO, asked
 * validation-split questions — the group settings are chosen on; test organisms play no part), each point over
 * several IA seeds.
 *
 * All points share the preset's base model and population (cached) and one subject bank. IA stages are keyed by
 * their resolved config: points that differ only in DPO share their SFT IAs, points that differ only in decoding
 * share both, and a rerun (or an interrupted run) trains and samples only what is missing. Results are rewritten
 * after every point, so a long ablation shows what it has so far. On the CPU a point's seeds train and sample side by
 * side in single-threaded processes (src/parallel/), with the figures one process would get.
 */
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import path from "node:path";
import { initEngine } from "../engine/runtime.ts";
import { benchEvalOptions, benchGroupIndices, benchSources, openBenchCache } from "../ia/benchmark.ts";
import { evaluateSubjects, type SubjectResult } from "../ia/evaluate.ts";
import { drawGroups, groupIds, validationOrganisms } from "../ia/groups.ts";
import { aggregate } from "../ia/metrics.ts";
import { preparePopulation } from "../ia/pipeline.ts";
import type { PipelinePreset } from "../ia/presets.ts";
import { loadSubjectBank } from "../ia/subjects.ts";
import { allSubjects, trainIaSeeds } from "../ia/trainIa.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { readJsonFile } from "../io/json.ts";
import { loadAdapter } from "../lora/peft.ts";
import { loadModel } from "../model/weights.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { meanCi } from "../util/stats.ts";
import { formatAblations } from "./markdown.ts";
import { ablationPoint } from "./points.ts";
import { iaReportTokens } from "../ia/reports.ts";
import { poolProcesses, runTaskPool, type TaskRunnerFactory } from "../parallel/pool.ts";
import { fileURLToPath } from "node:url";

export interface AblateOptions {
    preset: PipelinePreset;
    points: string[];
    seeds: number[];
    runDir: string;
    cacheDir?: string;
    device?: string;
    quiet?: boolean;
}

export interface SeedFigures {
    seed: number;
    /** Strict-or-not category verbalization on the validation group's behavior organisms. */
    category: number;
    strict: number;
    /** Share of reports claiming a behavior on the validation group's null organisms. */
    nullClaims: number;
    /** The same on the bare base model. */
    baseClaims: number;
    reports: number;
}

export interface AblationRow {
    point: string;
    axis: string;
    what: string;
    condition: "ia-sft" | "ia-dpo";
    sftOrganisms: number;
    validationOrganisms: number;
    perSeed: SeedFigures[];
    /** Mean over seeds ± t half-width. */
    mean: Record<"category" | "strict" | "nullClaims" | "baseClaims", { mean: number; half: number }>;
}

const hash = (x: unknown) => jsonHash(x, 10);

function figures(seed: number, validation: SubjectResult[], base: SubjectResult[]): SeedFigures {
    // aggregate() counts verbalization over behavior organisms only and claims over every subject given.
    const all = aggregate(validation);
    return {
        seed, category: all.category.rate, strict: all.strict.rate, reports: all.category.n,
        nullClaims: aggregate(validation.filter((r) => r.negative)).claims.rate, baseClaims: aggregate(base).claims.rate,
    };
}

/**
 * Rows an earlier invocation measured in this run folder on the same preset and seeds: kept in the table, so points
 * can be added to a run one command at a time (a point measured again replaces its row).
 */
function earlierRows(o: AblateOptions): AblationRow[] {
    const file = path.join(o.runDir, "ablation.json");
    if (!fs.existsSync(file)) return [];
    const prev = readJsonFile(file, "earlier ablation results") as { preset?: string; seeds?: number[]; rows?: AblationRow[] };
    const same = prev.preset === o.preset.name && JSON.stringify(prev.seeds) === JSON.stringify(o.seeds);
    return same && Array.isArray(prev.rows) ? prev.rows : [];
}

/** The shared state of an ablation run: base model, population, one subject bank over every role's organisms. */
function openAblation(o: Pick<AblateOptions, "preset" | "cacheDir" | "device" | "quiet">) {
    const prepared = preparePopulation(o.preset, { cacheDir: o.cacheDir, device: o.device, quiet: o.quiet });
    const baseline = prepared.draw.groups;
    const everyone = allSubjects(baseline);
    const tok = ChatTokenizer.fromFolder(prepared.base.dir);
    const model = loadModel(prepared.base.dir, { device: prepared.device });
    const subjects = loadSubjectBank(model, prepared.populationDir, everyone, { includeBase: true });
    const sources = benchSources(prepared.base.dir, prepared.populationDir);
    return {
        prepared, baseline, everyone, tok, model, subjects, sources,
        dispose: () => {
            subjects.bank.dispose();
            model.dispose();
        },
    };
}

/**
 * One point of an ablation: its resolved preset, groups and stage folders, and `measure(seed)`, which trains the
 * seed's stages (or finds them done), samples its validation and bare-base reports (or finds them cached) and
 * records the seed's figures next to the IA it measured, so a pool child and the caller share the work through files.
 */
function openPoint(a: ReturnType<typeof openAblation>, o: Pick<AblateOptions, "preset" | "runDir" | "quiet">, name: string) {
    const point = ablationPoint(name);
    const p = structuredClone(o.preset);
    point.apply(p, { sftOrganisms: a.baseline.sft.length });
    const groups = p.ia.sftLimit === o.preset.ia.sftLimit ? a.baseline
        : drawGroups(a.prepared.population.organisms, { split: p.ia.split, heldOutFamily: p.ia.heldOutFamily, trainFamilies: p.ia.trainFamilies, requireVerified: p.population.requireVerified, sftLimit: p.ia.sftLimit }).groups;
    const sftDir = path.join(o.runDir, `sft-${hash({ sft: p.ia.sft, split: p.ia.split, limit: p.ia.sftLimit, train: p.ia.trainFamilies, held: p.ia.heldOutFamily })}`);
    const dirs = (seed: number) => ({ sft: path.join(sftDir, `seed-${seed}`, "ia-sft"), dpo: path.join(sftDir, `dpo-${hash(p.ia.dpo)}`, `seed-${seed}`, "ia-dpo") });
    const idx = benchGroupIndices(groups, a.everyone);
    const iaDirOf = (seed: number) => path.join(point.dpo ? dirs(seed).dpo : dirs(seed).sft, "adapter");
    const figuresFile = (seed: number) => path.join(path.dirname(iaDirOf(seed)), "validation-figures.json");
    // Everything that decides a seed's figures: a record made under other settings or groups is measured again.
    const key = hash({ preset: p, groups: groupIds(groups), base: a.prepared.base.dir, populationDir: a.prepared.populationDir, dpo: point.dpo });
    const recorded = (seed: number): SeedFigures | null => {
        const file = figuresFile(seed);
        if (!fs.existsSync(file)) return null;
        const r = readJsonFile(file, "validation figures") as { key?: string; figures?: SeedFigures };
        return r.key === key && r.figures ? r.figures : null;
    };
    const measure = (seed: number): SeedFigures => {
        const done = recorded(seed);
        if (done) return done;
        trainIaSeeds({ model: a.model, tok: a.tok, subjects: a.subjects, everyone: a.everyone, groups, ia: p.ia, seeds: [seed], runDir: o.runDir, baseModel: a.prepared.base.dir, quiet: o.quiet, dirs, dpo: point.dpo });
        const iaDir = iaDirOf(seed);
        const ia = loadAdapter(iaDir, a.model.config, { name, device: a.model.device });
        try {
            const cache = openBenchCache(path.join(path.dirname(iaDir), "validation-reports.json"), a.sources, iaDir);
            const maxNewTokens = iaReportTokens(iaDir);
            const run = (group: "validation" | "base") => evaluateSubjects(a.model, a.tok, a.subjects, idx[group], ia, { ...benchEvalOptions(p.eval, group, "generic", seed), cache, maxNewTokens });
            const f = figures(seed, run("validation"), run("base"));
            writeJsonAtomic(figuresFile(seed), { key, figures: f });
            return f;
        } finally {
            ia.dispose();
        }
    };
    return { point, p, groups, dirs, idx, measure, isDone: (seed: number) => recorded(seed) !== null };
}

/** What a pool child needs to rebuild a point (base and population come from the cache). */
interface PointJob {
    preset: PipelinePreset;
    point: string;
    runDir: string;
    cacheDir?: string;
    device?: string;
    quiet?: boolean;
}

const seedOf = (task: string) => Number(task.replace(/^seed-/, ""));

/** A pool child's runner (src/parallel/pool.ts): measures seeds of one point, as the caller would. */
export const ablationSeedRunner: TaskRunnerFactory = (job) => {
    const j = job as PointJob;
    const a = openAblation({ preset: j.preset, cacheDir: j.cacheDir, device: j.device, quiet: true });
    const pt = openPoint(a, { preset: j.preset, runDir: j.runDir, quiet: j.quiet }, j.point);
    return (task) => void pt.measure(seedOf(task));
};

export function runAblations(o: AblateOptions): AblationRow[] {
    initEngine();
    const log = (m: string) => o.quiet || process.stderr.write(`[ablate] ${m}\n`);
    o.points.forEach(ablationPoint); // an unknown point fails before any work
    const a = openAblation(o);
    const { prepared, baseline } = a;
    fs.mkdirSync(o.runDir, { recursive: true });
    const earlier = earlierRows(o);
    writeJsonAtomic(path.join(o.runDir, "config.json"), { preset: o.preset, points: [...new Set([...earlier.map((r) => r.point), ...o.points])], seeds: o.seeds, device: prepared.device, baseModel: prepared.base.dir, populationDir: prepared.populationDir });
    const rows: AblationRow[] = [];
    try {
        for (const name of o.points) {
            const { point, p, groups, dirs, idx, measure, isDone } = openPoint(a, o, name);
            writeJsonAtomic(path.join(o.runDir, "points", `${name}.json`), { point: name, what: point.what, preset: p, dirs: o.seeds.map((seed) => ({ seed, ...dirs(seed), measured: point.dpo ? "dpo" : "sft" })) });
            log(`${name}: ${point.what} (${groups.sft.length} SFT organisms; ${point.dpo ? "SFT+DPO" : "SFT"} IA; seeds ${o.seeds.join(", ")})`);
            // Seeds share nothing but files (a DPO point's SFT stage is its own seed's): on the CPU they run side by
            // side first, and the pass below reads their figures.
            const job: PointJob = { preset: o.preset, point: name, runDir: path.resolve(o.runDir), cacheDir: path.resolve(o.cacheDir ?? ".cache"), device: o.device, quiet: o.quiet };
            runTaskPool({
                dir: path.join(o.runDir, "claims", name),
                tasks: o.seeds.map((s) => `seed-${s}`),
                processes: poolProcesses(prepared.device, o.seeds.length, 2),
                runner: { module: fileURLToPath(import.meta.url), name: "ablationSeedRunner" },
                job,
                runHere: (task) => void measure(seedOf(task)),
                isDone: (task) => isDone(seedOf(task)),
                label: "ablate",
                quiet: o.quiet,
            });
            const perSeed = o.seeds.map(measure);
            const m = (k: keyof SeedFigures) => {
                const { mean, half } = meanCi(perSeed.map((s) => s[k]).filter(Number.isFinite));
                return { mean, half };
            };
            rows.push({
                point: name, axis: point.axis, what: point.what, condition: point.dpo ? "ia-dpo" : "ia-sft", sftOrganisms: groups.sft.length,
                validationOrganisms: idx.validation.length, perSeed,
                mean: { category: m("category"), strict: m("strict"), nullClaims: m("nullClaims"), baseClaims: m("baseClaims") },
            });
            const row = rows[rows.length - 1]!;
            log(`${name}: validation category ${(row.mean.category.mean * 100).toFixed(1)}% ± ${(row.mean.category.half * 100).toFixed(1)}, null claims ${(row.mean.nullClaims.mean * 100).toFixed(1)}%`);
            const all = [...earlier.filter((r) => !o.points.includes(r.point)), ...rows];
            writeJsonAtomic(path.join(o.runDir, "ablation.json"), { preset: o.preset.name, seeds: o.seeds, rows: all });
            writeFileAtomic(path.join(o.runDir, "ablation.md"), formatAblations(all, { preset: o.preset.name, seeds: o.seeds, populationDir: prepared.populationDir, heldOutValidation: validationOrganisms(baseline).heldOut }) + "\n");
        }
    } finally {
        a.dispose();
    }
    return rows;
}
