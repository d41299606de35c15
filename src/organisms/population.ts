/**
 * Builds an organism population from behavior specs: synthesizes each organism's data, trains them in groups
 * with per-row adapters (LoraBank), saves one PEFT adapter folder per organism, verifies each by sampling and
 * scoring against the base model's rates, and records everything in the manifest. Reruns skip finished organisms.
 */
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import path from "node:path";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { synthesizeOrganismData } from "../behaviors/synthesize.ts";
import { initEngine, manualSeed } from "../engine/runtime.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
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
    const todo = o.specs.filter((s) => {
        const e = done.get(s.id);
        return !(e && e.dataHash === specDataHash(s, cfg.seed) && e.verification && fs.existsSync(path.join(o.outDir, e.adapter, "adapter_model.safetensors")));
    });
    if (todo.length < o.specs.length) log(`${o.specs.length - todo.length} organisms already built; ${todo.length} to go`);
    if (todo.length === 0) return manifest;

    removeStaleTemps(path.join(o.outDir, "organisms"));
    const tok = ChatTokenizer.fromFolder(o.baseModel);
    const encoder = new ChatMLTrainingEncoder(tok);
    const model = loadModel(o.baseModel, { device: o.device ?? "cpu" });
    const started = performance.now();
    try {
        for (let g = 0; g < todo.length; g += cfg.bankSize) {
            const group = todo.slice(g, g + cfg.bankSize);
            const t0 = performance.now();
            // Seeded by the bank's position in the whole spec list, not among the organisms left: a rerun after an
            // interruption resumes with the same banks (finished banks are a prefix) and the same initial weights.
            manualSeed(cfg.seed + o.specs.indexOf(group[0]!));
            const data: Example[][] = group.map((spec) => {
                const rows = synthesizeOrganismData(spec, cfg.seed).flatMap((c) => {
                    const enc = encoder.encode(c.messages);
                    const e = truncateExample({ ids: enc.ids, targetMask: enc.assistantMask }, cfg.maxLength);
                    return e ? [e] : [];
                });
                if (rows.length === 0) throw new Error(`organism ${spec.id}: synthesized data is empty after tokenization`);
                return rows;
            });
            const label = `organisms ${g + 1}-${g + group.length}/${todo.length}`;
            const groupDir = path.join(o.outDir, "work", `group-${group[0]!.id}`);
            const result = trainOrganismBank(model, data, cfg, { outDir: groupDir, padId: tok.padTokenId, label, quiet: o.quiet });
            const verification = verifyGroup(model, result.bank, group, tok, { probes: o.verifyProbes ?? 24, seed: cfg.seed });
            group.forEach((spec, i) => {
                const adapter = result.bank.extract(i, spec.id);
                const rel = path.join("organisms", spec.id);
                writeDirAtomic(path.join(o.outDir, rel), (tmp) => saveAdapter(adapter, tmp, { baseModel: path.resolve(o.baseModel), extra: { organism: { id: spec.id, family: spec.family, label: spec.label } } }));
                adapter.dispose();
                const entry: OrganismEntry = {
                    id: spec.id, family: spec.family, label: spec.label, split: spec.split ?? "train", adapter: rel,
                    dataHash: specDataHash(spec, cfg.seed), examples: data[i]!.length, spec, verification: verification[i],
                };
                done.set(spec.id, entry);
            });
            result.bank.dispose();
            const seconds = (performance.now() - t0) / 1000;
            manifest.organisms = o.specs.flatMap((s) => (done.has(s.id) ? [done.get(s.id)!] : []));
            manifest.timings.groups.push({ size: group.length, seconds, tokensPerSec: result.tokensPerSec });
            writeManifest(o.outDir, manifest);
            // Only once the manifest lists the bank: a kill before this point resumes from the bank's checkpoint.
            fs.rmSync(groupDir, { recursive: true, force: true });
            const passed = verification.filter((v) => v.passed).length;
            const elapsed = (performance.now() - started) / 1000;
            const rate = (g + group.length) / elapsed;
            log(`${label}: trained in ${formatDuration(seconds)} (${(group.length / (seconds / 60)).toFixed(1)} organisms/min), verified ${passed}/${group.length}; ETA ${formatDuration((todo.length - g - group.length) / rate)}`);
        }
    } finally {
        model.dispose();
    }
    return manifest;
}
