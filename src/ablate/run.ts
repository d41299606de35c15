/**
 * `ia ablate`: IA recipe ablations measured on the validation group only (organisms held out of SFT and DPO, asked
 * validation-split questions — the group settings are chosen on; test organisms play no part), each point over
 * several IA seeds.
 *
 * All points share the preset's base model and population (cached) and one subject bank. IA stages are keyed by
 * their resolved config: points that differ only in DPO share their SFT IAs, points that differ only in decoding
 * share both, and a rerun (or an interrupted run) trains and samples only what is missing. Results are rewritten
 * after every point, so a long ablation shows what it has so far.
 */
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import path from "node:path";
import { initEngine } from "../engine/runtime.ts";
import { benchEvalOptions, benchGroupIndices, benchSources, openBenchCache } from "../ia/benchmark.ts";
import { evaluateSubjects, type SubjectResult } from "../ia/evaluate.ts";
import { drawGroups, validationOrganisms } from "../ia/groups.ts";
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

export function runAblations(o: AblateOptions): AblationRow[] {
    initEngine();
    const log = (m: string) => o.quiet || process.stderr.write(`[ablate] ${m}\n`);
    const points = o.points.map((name) => ({ name, point: ablationPoint(name) }));
    const prepared = preparePopulation(o.preset, { cacheDir: o.cacheDir, device: o.device, quiet: o.quiet });
    const baseline = prepared.draw.groups;
    fs.mkdirSync(o.runDir, { recursive: true });
    const earlier = earlierRows(o);
    writeJsonAtomic(path.join(o.runDir, "config.json"), { preset: o.preset, points: [...new Set([...earlier.map((r) => r.point), ...o.points])], seeds: o.seeds, device: prepared.device, baseModel: prepared.base.dir, populationDir: prepared.populationDir });
    const everyone = allSubjects(baseline);
    const tok = ChatTokenizer.fromFolder(prepared.base.dir);
    const model = loadModel(prepared.base.dir, { device: prepared.device });
    const subjects = loadSubjectBank(model, prepared.populationDir, everyone, { includeBase: true });
    const sources = benchSources(prepared.base.dir, prepared.populationDir);
    const rows: AblationRow[] = [];
    try {
        for (const { name, point } of points) {
            const p = structuredClone(o.preset);
            point.apply(p, { sftOrganisms: baseline.sft.length });
            const groups = p.ia.sftLimit === o.preset.ia.sftLimit ? baseline
                : drawGroups(prepared.population.organisms, { split: p.ia.split, heldOutFamily: p.ia.heldOutFamily, trainFamilies: p.ia.trainFamilies, requireVerified: p.population.requireVerified, sftLimit: p.ia.sftLimit }).groups;
            const sftDir = path.join(o.runDir, `sft-${hash({ sft: p.ia.sft, split: p.ia.split, limit: p.ia.sftLimit, train: p.ia.trainFamilies, held: p.ia.heldOutFamily })}`);
            const dirs = (seed: number) => ({ sft: path.join(sftDir, `seed-${seed}`, "ia-sft"), dpo: path.join(sftDir, `dpo-${hash(p.ia.dpo)}`, `seed-${seed}`, "ia-dpo") });
            writeJsonAtomic(path.join(o.runDir, "points", `${name}.json`), { point: name, what: point.what, preset: p, dirs: o.seeds.map((seed) => ({ seed, ...dirs(seed), measured: point.dpo ? "dpo" : "sft" })) });
            log(`${name}: ${point.what} (${groups.sft.length} SFT organisms; ${point.dpo ? "SFT+DPO" : "SFT"} IA; seeds ${o.seeds.join(", ")})`);
            const ias = trainIaSeeds({ model, tok, subjects, everyone, groups, ia: p.ia, seeds: o.seeds, runDir: o.runDir, baseModel: prepared.base.dir, quiet: o.quiet, dirs, dpo: point.dpo });
            const idx = benchGroupIndices(groups, everyone);
            const perSeed = ias.map(({ seed, sft, dpo }) => {
                const iaDir = point.dpo ? dpo : sft;
                const ia = loadAdapter(iaDir, model.config, { name, device: model.device });
                try {
                    const cache = openBenchCache(path.join(path.dirname(iaDir), "validation-reports.json"), sources, iaDir);
                    const maxNewTokens = iaReportTokens(iaDir);
                    const run = (group: "validation" | "base") => evaluateSubjects(model, tok, subjects, idx[group], ia, { ...benchEvalOptions(p.eval, group, "generic", seed), cache, maxNewTokens });
                    return figures(seed, run("validation"), run("base"));
                } finally {
                    ia.dispose();
                }
            });
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
        subjects.bank.dispose();
        model.dispose();
    }
    return rows;
}
