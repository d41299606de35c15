/**
 * `ia organisms` for free-text specs: each spec becomes a trained, verified organism of a real base, resumably.
 *
 *   1. checks, before anything is written: every spec asks for rows (data.examples ≥ 1), the providers parse, the
 *      prompts split into probes and training prompts (the same split as earlier runs on this population), ids are new
 *      to the population (or organisms this command built before, which are skipped), teacher and judge answer;
 *   2. data: the teacher answers training prompts, the judge keeps rows (data.ts);
 *   3. training: one LoRA per organism with the SFT code (train.ts);
 *   4. verification: the base and each organism answer the held-out probes, the judge reads every reply (verify.ts);
 *   5. the population: adapters copied in and entries written by the population store (commitPopulation), all new
 *      organisms at once, failed ones included but marked (IA training keeps only verified organisms).
 *
 * Every step's output is a file under real-organisms/ (layout.ts), so an interrupted run resumes where it stopped and
 * an organism already in the manifest is not redone (no model work, no LLM call). Saved data made for another label,
 * instructions or size are refused, not reused. An organism whose teacher replies give no kept row stops the run,
 * naming it; the other organisms' finished steps stay on disk for the rerun.
 */
import fs from "node:fs";
import path from "node:path";
import type { BehaviorSpec } from "../behaviors/types.ts";
import type { OrganismEntry } from "../organisms/manifest.ts";
import type { CostMeter } from "../providers/meter.ts";
import { commitPopulation, openPopulation, refuseDuplicates, type NewOrganism } from "../population/store.ts";
import type { RealOrganismSettings } from "./config.ts";
import { checkSavedData, hasData, readDataRecord, synthesizeOrganismData } from "./data.ts";
import { isBuiltHere, realOrganismEntry } from "./entry.ts";
import { organismFiles } from "./layout.ts";
import { checkReachable, openProviders, type Role } from "./providers.ts";
import { sampleProbeReplies, savedBaseReplies } from "./sampleProbes.ts";
import { checkSavedSplit, readPrompts, saveSplit, splitPrompts } from "./split.ts";
import { hasAdapter, trainOrganism } from "./train.ts";
import { hasVerification, judgeReplies, readVerification, verificationFrom, writeVerification } from "./verify.ts";

export interface BuildOptions {
    /** Base model folder. */
    base: string;
    /** Free-text specs (validated). */
    specs: readonly BehaviorSpec[];
    /** Population folder. */
    out: string;
    /** Provider specs. */
    teacher: string;
    judge: string;
    /** Prompts file, one a line. */
    prompts: string;
    device: string;
    settings: RealOrganismSettings;
    /** Progress lines. Default: stderr. */
    log?: (line: string) => void;
}

export interface BuildResult {
    /** The manifest entries of the given specs, in spec order. */
    entries: OrganismEntry[];
    /** Ids added to the population by this run. */
    added: string[];
    meter: CostMeter;
}

export async function buildRealOrganisms(o: BuildOptions): Promise<BuildResult> {
    const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const s = o.settings;

    // 1. Checks: nothing is written before they all pass.
    for (const spec of o.specs) {
        if (spec.data.examples < 1) throw new Error(`spec "${spec.id}": data.examples is 0; ia organisms needs the number of teacher rows to train it on (e.g. 256)`);
    }
    const providers = openProviders({ teacher: o.teacher, judge: o.judge });
    const split = splitPrompts(readPrompts(o.prompts), s.probes, s.seed, `--prompts ${o.prompts}`);
    const pop = openPopulation(o.out, o.base);
    const inManifest = new Map(pop.manifest.organisms.map((e) => [e.id, e]));
    const todo = o.specs.filter((spec) => !(inManifest.has(spec.id) && isBuiltHere(inManifest.get(spec.id)!)));
    for (const spec of todo) {
        if (inManifest.has(spec.id)) throw new Error(`spec "${spec.id}": an organism with this id is already in ${path.join(o.out, "manifest.json")}, not built from a free-text spec (imported, or from the tiny world); give the spec another id`);
    }
    refuseDuplicates(pop, todo.map((x) => x.id), "ia organisms");
    for (const spec of o.specs) {
        if (todo.includes(spec)) continue;
        const e = inManifest.get(spec.id)!;
        log(`[${spec.id}] already in ${o.out}: verified by the judge before; not redone${e.label !== spec.label ? ` (warning: its label there is ${JSON.stringify(e.label)}; give the new spec another id to build it)` : ""}`);
    }
    if (todo.length > 0) checkSavedSplit(o.out, split);
    const files = new Map(todo.map((spec) => [spec.id, organismFiles(o.out, spec.id)]));
    const f = (spec: BehaviorSpec) => files.get(spec.id)!;
    for (const spec of todo) checkSavedData(spec, f(spec));
    const roles = new Set<Role>();
    for (const spec of todo) {
        if (!hasData(f(spec))) roles.add("teacher").add("judge");
        if (!hasAdapter(f(spec)) || !hasVerification(f(spec))) roles.add("judge");
    }
    if (roles.size > 0) {
        const all = { teacher: o.teacher, judge: o.judge };
        await checkReachable(Object.fromEntries([...roles].map((r) => [r, all[r]])) as Partial<Record<Role, string>>, providers.meter);
    }
    if (todo.length === 0) return { entries: o.specs.map((x) => inManifest.get(x.id)!), added: [], meter: providers.meter };
    saveSplit(o.out, split, { prompts: o.prompts, seed: s.seed });
    log(`${todo.length} organism(s) to build; ${split.training.length} training prompt(s), ${split.probes.length} held-out probe(s)`);

    // 2. Data.
    for (const spec of todo) {
        if (hasData(f(spec))) continue;
        const r = await synthesizeOrganismData(spec, split.training, f(spec), { teacher: providers.teacher, judge: providers.judge, concurrency: s.concurrency, log });
        log(`[${spec.id}] data: kept ${r.kept}/${r.stats.asked} (rejected ${r.stats.rejected}, unclear ${r.stats.unclear}, errors ${r.stats.errors}) -> ${f(spec).data}`);
    }

    // 3. Training.
    for (const spec of todo) {
        if (hasAdapter(f(spec))) continue;
        const rows = readDataRecord(f(spec)).kept;
        // A verification left from an adapter that is gone verified another LoRA than the one trained now.
        fs.rmSync(f(spec).verification, { force: true });
        log(`[${spec.id}] training: ${rows} row(s), LoRA rank ${s.rank}, lr ${s.lr}, ${s.epochs} epoch(s)`);
        const t = trainOrganism(o.base, f(spec), rows, s, o.device);
        log(`[${spec.id}] trained: ${t.steps} step(s), last loss ${t.lastLoss.toFixed(4)} -> ${f(spec).adapter}`);
    }

    // 4. Verification.
    const unverified = todo.filter((spec) => !hasVerification(f(spec)));
    if (unverified.length > 0) {
        const sampled = sampleProbeReplies({
            pop: o.out, baseDir: o.base, device: o.device, probes: split.probes, settings: s, log,
            organisms: unverified.map((spec) => ({ id: spec.id, adapter: f(spec).adapter })),
            base: savedBaseReplies(o.out, split.probes, s),
        });
        for (const spec of unverified) {
            let organism, base;
            try {
                organism = await judgeReplies(spec.label, split.probes, sampled.organisms.get(spec.id)!, providers.judge, s.concurrency);
                base = await judgeReplies(spec.label, split.probes, sampled.base, providers.judge, s.concurrency);
            } catch (e) {
                throw new Error(`organism ${spec.id}: --judge ${o.judge} failed during verification (${(e as Error).message}); rerun to resume`, { cause: e });
            }
            const verification = verificationFrom(organism, base, o.judge, path.relative(o.out, f(spec).verification));
            writeVerification(f(spec), { verification, organism, base });
        }
    }

    // 5. The population.
    const add: NewOrganism[] = todo.map((spec) => {
        const v = readVerification(f(spec)).verification;
        log(`[${spec.id}] verification (judge): behavior in ${fmt(v.behaviorRate)} of ${v.n} probe replies, base ${fmt(v.baseBehaviorRate)} -> ${v.passed ? "passed" : "FAILED"}`);
        return { entry: realOrganismEntry(spec, readDataRecord(f(spec)).kept, f(spec), v), from: f(spec).adapter };
    });
    if (pop.created) {
        pop.manifest.config = { source: "ia organisms (free-text specs: teacher-written data, LoRA via SFT, LLM-judge verification)", settings: s, teacher: o.teacher, judge: o.judge };
    }
    commitPopulation(pop, add);
    const entries = new Map(pop.manifest.organisms.map((e) => [e.id, e]));
    return { entries: o.specs.map((x) => entries.get(x.id)!), added: todo.map((x) => x.id), meter: providers.meter };
}

function fmt(rate: number): string {
    return `${(rate * 100).toFixed(0)}%`;
}
