/**
 * The graded self-reports of a finished run, one record per report. The benchmark's own samples are read back from
 * its report cache (asked with exactly the benchmark's options, so nothing is resampled and the analysis explains
 * the very reports behind bench.md); other decodings are sampled anew and cached under the analysis folder.
 * Grading always reruns with the current judge.
 */
import path from "node:path";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { benchEvalOptions, benchGroupIndices, benchSources, openBenchCache, type Condition, type GroupName } from "../ia/benchmark.ts";
import { evaluateSubjects, subjectQuestions, type QuestionScope } from "../ia/evaluate.ts";
import type { IaSubject } from "../ia/data.ts";
import type { IaGroups } from "../ia/groups.ts";
import { openRun, runGroups, type RunFolder } from "../ia/runFolder.ts";
import { loadSubjectBank, type SubjectBank } from "../ia/subjects.ts";
import { allSubjects } from "../ia/trainIa.ts";
import { loadAdapter } from "../lora/peft.ts";
import { loadModel } from "../model/weights.ts";
import type { Transformer } from "../model/transformer.ts";
import type { OrganismEntry } from "../organisms/manifest.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { Rng } from "../util/rng.ts";
import { iaReportTokens } from "../ia/reports.ts";

export interface ReportRecord {
    seed: number;
    condition: Condition;
    group: GroupName;
    scope: QuestionScope;
    temperature: number;
    subject: string;
    family: string;
    spec: BehaviorSpec | null;
    prompt: string;
    report: string;
    category: boolean;
    strict: boolean;
    claims: boolean;
}

export interface LoadedRun {
    run: RunFolder;
    groups: IaGroups;
    everyone: OrganismEntry[];
    model: Transformer;
    tok: ChatTokenizer;
    subjects: SubjectBank;
    sources: { base: string; population: string };
    dispose(): void;
}

export function loadRun(dir: string, device = "auto"): LoadedRun {
    initEngine();
    const run = openRun(dir, "the failure analysis");
    const { groups, populationDir } = runGroups(run);
    const everyone = allSubjects(groups);
    const tok = ChatTokenizer.fromFolder(run.config.baseModel);
    const model = loadModel(run.config.baseModel, { device: resolveDevice(device) });
    try {
        const subjects = loadSubjectBank(model, populationDir, everyone, { includeBase: true });
        return {
            run, groups, everyone, model, tok, subjects, sources: benchSources(run.config.baseModel, populationDir),
            dispose: () => {
                subjects.bank.dispose();
                model.dispose();
            },
        };
    } catch (e) {
        model.dispose();
        throw e;
    }
}

export interface CollectOptions {
    groups: readonly GroupName[];
    conditions: readonly Condition[];
    scopes: readonly QuestionScope[];
    /** Sampling temperature; the benchmark's (its cached samples) when absent. */
    temperature?: number;
    /**
     * Reports per subject, spread over the benchmark's questions (at least one per question), instead of the
     * benchmark's count; sampled anew and cached under analysis/<cacheName>/.
     */
    reportsPerSubject?: number;
    cacheName?: string;
}

export function collectReports(l: LoadedRun, o: CollectOptions): ReportRecord[] {
    const eval_ = l.run.config.eval;
    const temperature = o.temperature ?? eval_.temperature;
    const own = temperature === eval_.temperature && o.reportsPerSubject === undefined;
    const folder = o.cacheName ?? "reports";
    const indices = benchGroupIndices(l.groups, l.everyone);
    const out: ReportRecord[] = [];
    for (const { seed, sft, dpo } of l.run.seeds) {
        for (const condition of o.conditions) {
            const iaDir = condition === "ia-sft" ? sft : condition === "ia-dpo" ? dpo : null;
            const cacheFile = own ? path.join(l.run.dir, "bench", "reports", `seed-${seed}-${condition}.json`) : path.join(l.run.dir, "analysis", folder, `seed-${seed}-${condition}.json`);
            const cache = openBenchCache(cacheFile, l.sources, iaDir);
            const maxNewTokens = iaReportTokens(iaDir);
            const ia = iaDir ? loadAdapter(iaDir, l.model.config, { name: condition, device: l.model.device }) : null;
            try {
                for (const group of o.groups) {
                    if (indices[group].length === 0) continue;
                    for (const scope of o.scopes) {
                        const options = benchEvalOptions(eval_, group, scope, seed, temperature);
                        if (o.reportsPerSubject !== undefined) {
                            // Family-agnostic questions are the same for every subject; the group's first one tells how many.
                            const asked = subjectQuestions(l.subjects.subjects[indices[group][0] as number] as IaSubject, options, new Rng(0)).length;
                            options.samplesPerQuestion = Math.ceil(o.reportsPerSubject / Math.max(1, asked));
                        }
                        const results = evaluateSubjects(l.model, l.tok, l.subjects, indices[group], ia, { ...options, cache, maxNewTokens });
                        results.forEach((r, i) => {
                            const spec = l.subjects.subjects[indices[group][i] as number]?.spec ?? null;
                            for (const g of r.reports) out.push({ seed, condition, group, scope, temperature, subject: r.key, family: r.family, spec, ...g });
                        });
                    }
                }
            } finally {
                ia?.dispose();
            }
        }
    }
    return out;
}
