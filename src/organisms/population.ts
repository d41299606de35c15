/**
 * Builds an organism population from behavior specs: synthesizes each organism's data, trains them in banks
 * with per-row adapters (LoraBank), saves one PEFT adapter folder per organism, verifies each by sampling and
 * scoring against the base model's rates, and records everything in the manifest. Banks are independent, so on
 * the CPU they train side by side in single-threaded processes (src/parallel/pool.ts). Reruns skip finished
 * organisms.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { synthesizeOrganismData } from "../behaviors/synthesize.ts";
import { initEngine, manualSeed } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { readJsonFile } from "../io/json.ts";
import { removeStaleTemps } from "../io/staleTemps.ts";
import { saveAdapter } from "../lora/peft.ts";
import { loadModel } from "../model/weights.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { ChatMLTrainingEncoder } from "../tokenizer/chatmlFast.ts";
import { truncateExample, type Example } from "../train/batch.ts";
import { formatDuration } from "../train/progress.ts";
import { ORGANISM_DEFAULTS, type OrganismTrainConfig } from "./config.ts";
import { readManifest, writeManifest, type OrganismEntry, type PopulationManifest } from "./manifest.ts";
import { trainOrganismBank } from "./trainBank.ts";
import { verifyGroup } from "./verify.ts";
import { poolProcesses, runTaskPool, type TaskRunnerFactory } from "../parallel/pool.ts";
import { jsonHash } from "../util/jsonHash.ts";

export interface BuildPopulationOptions {
    baseModel: string;
    specs: BehaviorSpec[];
    outDir: string;
    config?: Partial<OrganismTrainConfig>;
    /** Where to train and verify ("cpu", "cuda", ...). Default "cpu". */
    device?: string;
    /** Verification probes per organism. Default 24. */
    verifyProbes?: number;
    quiet?: boolean;
}

export function specDataHash(spec: BehaviorSpec, seed: number): string {
    return jsonHash({ spec, seed }, 16);
}

/** Banks of at most `bankSize` organisms, as equal in size as possible, over the whole spec list: the same banks on
 * every machine, on a resume, and whether they train one after another or side by side (equal banks keep a pool of
 * processes busy to the end, and give every organism about as many optimizer steps). */
export function bankPartition<T>(items: readonly T[], bankSize: number): T[][] {
    const count = Math.ceil(items.length / Math.max(1, bankSize));
    const banks: T[][] = [];
    for (let b = 0, start = 0; b < count; b++) {
        const size = Math.floor(items.length / count) + (b < items.length % count ? 1 : 0);
        banks.push(items.slice(start, start + size));
        start += size;
    }
    return banks;
}

const bankId = (bank: readonly BehaviorSpec[]) => `bank-${bank[0]!.id}`;
const resultFile = (outDir: string, id: string) => path.join(outDir, "work", `${id}.result.json`);

/** What a bank's task leaves for the process that keeps the manifest. */
interface BankResult {
    entries: OrganismEntry[];
    timing: PopulationManifest["timings"]["groups"][number];
}

/** Everything a process needs to train banks: the job (JSON, so a pool's child can rebuild it) and what it loads. */
interface BankJob {
    baseModel: string;
    specs: BehaviorSpec[];
    config: OrganismTrainConfig;
    outDir: string;
    device: string;
    verifyProbes: number;
    quiet?: boolean;
}

function bankTrainer(job: BankJob): { run: (task: string) => void; dispose: () => void } {
    const tok = ChatTokenizer.fromFolder(job.baseModel);
    const encoder = new ChatMLTrainingEncoder(tok);
    const model = loadModel(job.baseModel, { device: job.device });
    const cfg = job.config;
    const banks = new Map(bankPartition(job.specs, cfg.bankSize).map((b) => [bankId(b), b]));
    const run = (task: string) => {
        const group = banks.get(task);
        if (!group) throw new Error(`population ${job.outDir}: no bank ${task}`);
        const t0 = performance.now();
        // Seeded by the bank's position in the whole spec list: the same initial weights whichever process trains
        // it and whenever (a resumed build, a pool).
        const first = job.specs.indexOf(group[0]!);
        manualSeed(cfg.seed + first);
        const data: Example[][] = group.map((spec) => {
            const rows = synthesizeOrganismData(spec, cfg.seed).flatMap((c) => {
                const enc = encoder.encode(c.messages);
                const e = truncateExample({ ids: enc.ids, targetMask: enc.assistantMask }, cfg.maxLength);
                return e ? [e] : [];
            });
            if (rows.length === 0) throw new Error(`organism ${spec.id}: synthesized data is empty after tokenization`);
            return rows;
        });
        const label = `organisms ${first + 1}-${first + group.length}/${job.specs.length}`;
        const groupDir = path.join(job.outDir, "work", `group-${group[0]!.id}`);
        const result = trainOrganismBank(model, data, cfg, { outDir: groupDir, padId: tok.padTokenId, label, quiet: job.quiet });
        try {
            const verification = verifyGroup(model, result.bank, group, tok, { probes: job.verifyProbes, seed: cfg.seed });
            const entries = group.map((spec, i): OrganismEntry => {
                const adapter = result.bank.extract(i, spec.id);
                const rel = path.join("organisms", spec.id);
                writeDirAtomic(path.join(job.outDir, rel), (tmp) => saveAdapter(adapter, tmp, { baseModel: path.resolve(job.baseModel), extra: { organism: { id: spec.id, family: spec.family, label: spec.label } } }));
                adapter.dispose();
                return {
                    id: spec.id, family: spec.family, label: spec.label, split: spec.split ?? "train", adapter: rel,
                    dataHash: specDataHash(spec, cfg.seed), examples: data[i]!.length, spec, verification: verification[i],
                };
            });
            const seconds = (performance.now() - t0) / 1000;
            const out: BankResult = { entries, timing: { size: group.length, seconds, tokensPerSec: result.tokensPerSec } };
            writeJsonAtomic(resultFile(job.outDir, task), out);
            // Only once the result is written: a kill before this point resumes from the bank's checkpoint.
            fs.rmSync(groupDir, { recursive: true, force: true });
            const passed = verification.filter((v) => v.passed).length;
            if (!job.quiet) process.stderr.write(`[organisms] ${label}: trained in ${formatDuration(seconds)} (${(group.length / (seconds / 60)).toFixed(1)} organisms/min), verified ${passed}/${group.length}\n`);
        } finally {
            result.bank.dispose();
        }
    };
    return { run, dispose: () => model.dispose() };
}

/** A pool child's runner (src/parallel/pool.ts): trains the banks it claims, as the parent would. */
export const populationBankRunner: TaskRunnerFactory = (job) => bankTrainer(job as BankJob).run;

export function buildPopulation(o: BuildPopulationOptions): PopulationManifest {
    initEngine();
    const cfg: OrganismTrainConfig = { ...ORGANISM_DEFAULTS, ...o.config, lora: { ...ORGANISM_DEFAULTS.lora, ...o.config?.lora } };
    const log = (m: string) => o.quiet || process.stderr.write(`[organisms] ${m}\n`);
    if (o.specs.length === 0) throw new Error("buildPopulation: no behavior specs given");
    const ids = new Set<string>();
    for (const s of o.specs) {
        if (ids.has(s.id)) throw new Error(`buildPopulation: duplicate organism id ${s.id}`);
        ids.add(s.id);
    }
    fs.mkdirSync(o.outDir, { recursive: true });
    const manifest: PopulationManifest = readManifest(o.outDir) ?? { version: 1, baseModel: path.resolve(o.baseModel), config: cfg, organisms: [], timings: { groups: [] } };
    if (path.resolve(manifest.baseModel) !== path.resolve(o.baseModel)) {
        throw new Error(`${o.outDir}/manifest.json: population was built on ${manifest.baseModel}, not ${o.baseModel}; use another output folder`);
    }
    const done = new Map(manifest.organisms.map((e) => [e.id, e]));
    const built = (s: BehaviorSpec) => {
        const e = done.get(s.id);
        return !!(e && e.dataHash === specDataHash(s, cfg.seed) && e.verification && fs.existsSync(path.join(o.outDir, e.adapter, "adapter_model.safetensors")));
    };
    const banks = bankPartition(o.specs, cfg.bankSize);
    const started = performance.now();
    const total = () => o.specs.filter(built).length;
    const before = total();
    // Adopts finished banks' results (this run's, a pool child's, or a killed run's) into the manifest, in spec order.
    const merge = () => {
        let merged = 0;
        for (const bank of banks) {
            const file = resultFile(o.outDir, bankId(bank));
            if (!fs.existsSync(file)) continue;
            const r = readJsonFile(file, "organism bank result") as BankResult;
            const current = new Map(bank.map((s) => [s.id, specDataHash(s, cfg.seed)]));
            for (const e of r.entries) if (current.get(e.id) === e.dataHash) done.set(e.id, e);
            manifest.timings.groups.push(r.timing);
            merged++;
        }
        if (merged === 0) return;
        manifest.organisms = o.specs.flatMap((s) => (done.has(s.id) ? [done.get(s.id)!] : []));
        writeManifest(o.outDir, manifest);
        for (const bank of banks) fs.rmSync(resultFile(o.outDir, bankId(bank)), { force: true });
        const now = total(), elapsed = (performance.now() - started) / 1000;
        const rate = (now - before) / Math.max(elapsed, 1e-9);
        if (now > before && now < o.specs.length) log(`${now}/${o.specs.length} organisms built; ETA ${formatDuration((o.specs.length - now) / rate)}`);
    };
    merge();
    const todo = banks.filter((b) => !b.every(built));
    const left = todo.reduce((a, b) => a + b.length, 0);
    if (left < o.specs.length) log(`${o.specs.length - left} organisms already built; ${left} to go`);
    if (todo.length === 0) return manifest;

    removeStaleTemps(path.join(o.outDir, "organisms"));
    const device = o.device ?? "cpu";
    const job: BankJob = { baseModel: o.baseModel, specs: o.specs, config: cfg, outDir: o.outDir, device, verifyProbes: o.verifyProbes ?? 24, quiet: o.quiet };
    const here = bankTrainer(job);
    try {
        runTaskPool({
            dir: path.join(o.outDir, "work", "claims"),
            tasks: todo.map(bankId),
            processes: poolProcesses(device, todo.length),
            runner: { module: fileURLToPath(import.meta.url), name: "populationBankRunner" },
            job,
            runHere: here.run,
            isDone: (id) => fs.existsSync(resultFile(o.outDir, id)) || todo.find((b) => bankId(b) === id)!.every(built),
            onProgress: merge,
            label: "organisms",
            quiet: o.quiet,
        });
        merge();
    } finally {
        here.dispose();
    }
    return manifest;
}
