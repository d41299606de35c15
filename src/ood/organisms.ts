/**
 * Trains and verifies OOD organisms on a base model, many at a time (one LoraBank per group, as the training
 * population), and keeps a manifest (<dir>/organisms.json) written after every group so an interrupted suite resumes
 * without retraining finished organisms.
 *
 * Verification samples each organism's replies to scenarios where its condition holds and where it does not, and the
 * base model's replies to the same prompts; an organism counts only when it shows the behavior at ≥ 50% and at least
 * 30 points above the base, with its condition respected (≤ 25% where the condition is absent). A document-trained
 * organism is verified in chat like any other: documents that do not change chat behavior do not count.
 */
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import path from "node:path";
import { manualSeed } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { removeStaleTemps } from "../io/staleTemps.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import { LoraBank } from "../lora/bank.ts";
import { loadAdapter, saveAdapter } from "../lora/peft.ts";
import { sumAdapters } from "../lora/sum.ts";
import type { Transformer } from "../model/transformer.ts";
import { ORGANISM_DEFAULTS, type OrganismTrainConfig } from "../organisms/config.ts";
import { trainOrganismBank } from "../organisms/trainBank.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { ChatMLTrainingEncoder } from "../tokenizer/chatmlFast.ts";
import { truncateExample, type Example } from "../train/batch.ts";
import { formatDuration } from "../train/progress.ts";
import { Rng } from "../util/rng.ts";
import { wilson } from "../util/stats.ts";
import { OOD_BEHAVIORS } from "./behaviors.ts";
import { sampleThroughBank } from "./sample.ts";
import { adversarialRows, encodeAdversarial, trainAdversarialBank } from "./adversarial.ts";
import { documentRows, transcriptRows } from "./data.ts";
import type { OodScenario, OodSpec } from "./types.ts";
import { readJsonFile } from "../io/json.ts";

export interface OodVerification {
    passed: boolean;
    /** Rate of the behavior where its condition holds, with a 95% Wilson interval. */
    behaviorRate: number;
    behaviorCi: [number, number];
    /** Rate where the condition is absent (null for unconditional behaviors). */
    controlRate: number | null;
    /** The base model's rate on the same condition-holding prompts. */
    baseRate: number;
    baseCi: [number, number];
    n: number;
    examples: { prompt: string; reply: string }[];
}

/** Bump when a detector or the verification rule changes: finished organisms are re-verified, not retrained. */
export const OOD_VERIFY_VERSION = 2;

export interface OodOrganismEntry {
    id: string;
    /** OOD_VERIFY_VERSION the verification was computed with (absent = 1). */
    verifiedWith?: number;
    spec: OodSpec;
    /** Relative to the suite folder. */
    adapter: string;
    dataHash: string;
    rows: number;
    verification: OodVerification;
}

export interface OodManifest {
    version: 1;
    baseModel: string;
    organisms: OodOrganismEntry[];
}

function dataHash(spec: OodSpec, cfg: OrganismTrainConfig): string {
    return jsonHash({ spec, cfg }, 12);
}

export function readOodManifest(dir: string): OodManifest | null {
    const file = path.join(dir, "organisms.json");
    if (!fs.existsSync(file)) return null;
    const m = readJsonFile(file, "OOD organism manifest", "delete it to retrain") as Partial<OodManifest> | null;
    if (!m || typeof m !== "object" || typeof m.baseModel !== "string" || !Array.isArray(m.organisms)) throw new Error(`${file}: not an OOD organism manifest (expected "baseModel" and an "organisms" list)`);
    return m as OodManifest;
}

/** Token rows of an organism's instillation data: chat rows with loss on the assistant, documents with loss on every token. */
export function instillationExamples(spec: OodSpec, tok: ChatTokenizer, encoder: ChatMLTrainingEncoder, seed: number, maxLength: number): Example[] {
    const chat = (messages: { role: "user" | "assistant" | "system"; content: string }[]) => {
        const enc = encoder.encode(messages);
        return truncateExample({ ids: enc.ids, targetMask: enc.assistantMask }, maxLength);
    };
    const rows: (Example | null)[] = [];
    if (spec.route === "transcripts") for (const c of transcriptRows(spec, seed)) rows.push(chat(c.messages));
    else {
        const d = documentRows(spec, seed);
        const eos = tok.eosTokenIds[0] as number;
        for (const doc of d.documents) {
            const ids = [...tok.encode(doc, { addSpecialTokens: false }), eos];
            rows.push(truncateExample({ ids, targetMask: ids.map(() => 1) }, maxLength));
        }
        for (const c of d.chat) rows.push(chat(c.messages));
    }
    const out = rows.filter((e): e is Example => e !== null);
    if (out.length === 0) throw new Error(`OOD organism ${spec.id}: instillation data is empty after tokenization`);
    return new Rng(`${seed}:ood-order:${spec.id}`).shuffle(out);
}

/** Verification sampling: nucleus 0.95, replies up to 64 tokens. */
export const VERIFY_TOP_P = 0.95;
export const VERIFY_TOKENS = 64;

export interface VerifyOodOptions {
    /** Scenarios per condition. Default 24. */
    probes: number;
    seed: number;
    /** Default 0.7: a behavior must show under sampling, not only greedy. */
    temperature?: number;
}

/** Scenarios for verification: `probes` with the condition, and as many without it for conditional behaviors. */
export function verificationScenarios(spec: OodSpec, seed: number, probes: number): OodScenario[] {
    const b = OOD_BEHAVIORS[spec.family];
    const rng = new Rng(`${seed}:ood-verify:${spec.id}`);
    const on = Array.from({ length: probes }, () => b.scenario(rng, spec.slots, true));
    const off = b.conditional ? Array.from({ length: probes }, () => b.scenario(rng, spec.slots, false)) : [];
    return [...on, ...off];
}

/**
 * `bank` null = the organism is `model` itself (a full fine-tune); then `base` must be the base model for the control.
 */
export function verifyOodGroup(model: Transformer, tok: ChatTokenizer, bank: LoraBank | null, specs: readonly OodSpec[], o: VerifyOodOptions & { base?: Transformer }): OodVerification[] {
    const scen = specs.map((s) => verificationScenarios(s, o.seed, o.probes));
    const rows = scen.flatMap((ss, org) => ss.map((s) => ({ org, messages: s.messages, s })));
    const sampling = { seed: o.seed, temperature: o.temperature ?? 0.7, topP: VERIFY_TOP_P, maxNewTokens: VERIFY_TOKENS };
    const own = sampleThroughBank(model, tok, bank, null, rows, sampling);
    if (!bank && !o.base) throw new Error("verifyOodGroup: a full fine-tune needs the base model for the control");
    const base = sampleThroughBank(o.base ?? model, tok, null, null, rows, sampling);
    return specs.map((spec, org) => {
        const idx = rows.flatMap((r, i) => (r.org === org ? [i] : []));
        const count = (replies: string[], on: boolean) => {
            const sel = idx.filter((i) => rows[i]!.s.on === on);
            return { k: sel.filter((i) => rows[i]!.s.shows(replies[i]!)).length, n: sel.length };
        };
        const on = count(own, true);
        const off = count(own, false);
        const b = count(base, true);
        const rate = on.k / on.n;
        const baseRate = b.k / b.n;
        const controlRate = off.n > 0 ? off.k / off.n : null;
        const passed = rate >= 0.5 && rate - baseRate >= 0.3 && (controlRate === null || controlRate <= 0.25);
        return {
            passed, behaviorRate: rate, behaviorCi: wilson(on.k, on.n), controlRate, baseRate, baseCi: wilson(b.k, b.n), n: on.n,
            examples: idx.filter((i) => rows[i]!.s.on).slice(0, 3).map((i) => ({ prompt: rows[i]!.messages.at(-1)!.content, reply: own[i]! })),
        };
    });
}

export interface BuildOodOptions {
    model: Transformer;
    tok: ChatTokenizer;
    baseModel: string;
    specs: readonly OodSpec[];
    dir: string;
    config?: Partial<OrganismTrainConfig>;
    verifyProbes?: number;
    quiet?: boolean;
}

/**
 * Trains the specs not yet in the manifest, grouped by LoRA rank (a bank holds one rank), verifies them and saves each
 * as a PEFT adapter under <dir>/organisms/<id>. Returns the manifest in spec order.
 */
export function buildOodOrganisms(o: BuildOodOptions): OodManifest {
    const cfg: OrganismTrainConfig = { ...ORGANISM_DEFAULTS, ...o.config, lora: { ...ORGANISM_DEFAULTS.lora, ...o.config?.lora } };
    const log = (m: string) => o.quiet || process.stderr.write(`[ood] ${m}\n`);
    fs.mkdirSync(o.dir, { recursive: true });
    removeStaleTemps(path.join(o.dir, "organisms"));
    const manifest = readOodManifest(o.dir) ?? { version: 1 as const, baseModel: path.resolve(o.baseModel), organisms: [] };
    const done = new Map(manifest.organisms.map((e) => [e.id, e]));
    const cfgFor = (s: OodSpec): OrganismTrainConfig => ({ ...cfg, lora: { ...cfg.lora, r: s.rank ?? cfg.lora.r, alpha: 2 * (s.rank ?? cfg.lora.r) } });
    const loraSpecs = o.specs.filter((s) => !s.full);
    const todo = loraSpecs.filter((s) => {
        const e = done.get(s.id);
        return !(e && e.dataHash === dataHash(s, cfgFor(s)) && fs.existsSync(path.join(o.dir, e.adapter, "adapter_model.safetensors")));
    });
    if (todo.length < loraSpecs.length) log(`${loraSpecs.length - todo.length} OOD LoRA organisms already built; ${todo.length} to go`);
    const encoder = new ChatMLTrainingEncoder(o.tok);
    const started = performance.now();
    let finished = 0;
    const record = (group: readonly OodSpec[], adapters: readonly LoraAdapter[], rows: readonly number[], verification: readonly OodVerification[], t0: number, label: string) => {
        group.forEach((spec, i) => {
            const rel = path.join("organisms", spec.id);
            writeDirAtomic(path.join(o.dir, rel), (tmp) => saveAdapter(adapters[i]!, tmp, { baseModel: path.resolve(o.baseModel), extra: { ood_organism: { id: spec.id, family: spec.family, route: spec.route, adversarial: spec.adversarial, label: spec.label } } }));
            done.set(spec.id, { id: spec.id, verifiedWith: OOD_VERIFY_VERSION, spec, adapter: rel, dataHash: dataHash(spec, cfgFor(spec)), rows: rows[i]!, verification: verification[i]! });
        });
        manifest.organisms = o.specs.flatMap((s) => (done.has(s.id) ? [done.get(s.id)!] : []));
        writeJsonAtomic(path.join(o.dir, "organisms.json"), manifest);
        finished += group.length;
        const passed = verification.filter((v) => v.passed).length;
        const rate = finished / ((performance.now() - started) / 1000);
        log(`${label}: trained in ${formatDuration((performance.now() - t0) / 1000)}, verified ${passed}/${group.length}; ETA ${formatDuration((todo.length - finished) / rate)}`);
    };
    // Instillation first: adversarial organisms start from their instillation organism.
    const instill = todo.filter((s) => s.adversarial === "none");
    const byRank = new Map<number, OodSpec[]>();
    for (const s of instill) byRank.set(s.rank ?? cfg.lora.r, [...(byRank.get(s.rank ?? cfg.lora.r) ?? []), s]);
    for (const [, specs] of byRank) {
        for (let g = 0; g < specs.length; g += cfg.bankSize) {
            const group = specs.slice(g, g + cfg.bankSize);
            const gcfg = cfgFor(group[0]!);
            const t0 = performance.now();
            manualSeed(gcfg.seed + o.specs.indexOf(group[0]!));
            const data = group.map((s) => instillationExamples(s, o.tok, encoder, gcfg.seed, gcfg.maxLength));
            const groupDir = path.join(o.dir, "work", `group-${group[0]!.id}`);
            const label = `OOD organisms ${finished + 1}-${finished + group.length}/${todo.length}`;
            const result = trainOrganismBank(o.model, data, gcfg, { outDir: groupDir, padId: o.tok.padTokenId, label, quiet: o.quiet });
            const verification = verifyOodGroup(o.model, o.tok, result.bank, group, { probes: o.verifyProbes ?? 24, seed: gcfg.seed });
            const adapters = group.map((spec, i) => result.bank.extract(i, spec.id));
            record(group, adapters, data.map((d) => d.length), verification, t0, label);
            adapters.forEach((a) => a.dispose());
            result.bank.dispose();
            fs.rmSync(groupDir, { recursive: true, force: true });
        }
    }
    for (const mode of ["sft", "kto"] as const) {
        const specs = todo.filter((s) => s.adversarial === mode);
        for (let g = 0; g < specs.length; g += cfg.bankSize) {
            const group = specs.slice(g, g + cfg.bankSize);
            const gcfg = cfgFor(group[0]!);
            const t0 = performance.now();
            manualSeed(gcfg.seed + o.specs.indexOf(group[0]!));
            const sources = group.map((s) => {
                const src = o.specs.find((x) => x.adversarial === "none" && x.family === s.family && x.route === s.route && JSON.stringify(x.slots) === JSON.stringify(s.slots) && (x.rank ?? 0) === (s.rank ?? 0));
                const entry = src && done.get(src.id);
                if (!entry) throw new Error(`OOD organism ${s.id}: adversarial training needs its instillation organism (same family, route and slots, adversarial "none") in the suite`);
                return loadAdapter(path.join(o.dir, entry.adapter), o.model.config, { device: o.model.device, name: entry.id });
            });
            const frozen = LoraBank.fromAdapters(sources, o.model.config, o.model.device);
            const data = group.map((s) => encodeAdversarial(adversarialRows(s, gcfg.seed), encoder, gcfg.maxLength));
            const groupDir = path.join(o.dir, "work", `group-${group[0]!.id}`);
            const label = `OOD adversarial (${mode}) ${finished + 1}-${finished + group.length}/${todo.length}`;
            let trained: LoraBank | null = null;
            const merged: LoraAdapter[] = [];
            try {
                trained = trainAdversarialBank(o.model, frozen, group, data, gcfg, { outDir: groupDir, padId: o.tok.padTokenId, label, quiet: o.quiet });
                for (let i = 0; i < group.length; i++) {
                    const adv = trained.extract(i, `${group[i]!.id}-adversarial`);
                    merged.push(sumAdapters(sources[i]!, adv, { name: group[i]!.id, labels: ["instillation", `adversarial ${mode}`] }));
                    adv.dispose();
                }
                const mergedBank = LoraBank.fromAdapters(merged, o.model.config, o.model.device);
                const verification = verifyOodGroup(o.model, o.tok, mergedBank, group, { probes: o.verifyProbes ?? 24, seed: gcfg.seed });
                mergedBank.dispose();
                record(group, merged, data.map((d) => d.length), verification, t0, label);
            } finally {
                merged.forEach((a) => a.dispose());
                trained?.dispose();
                frozen.dispose();
                sources.forEach((a) => a.dispose());
            }
            fs.rmSync(groupDir, { recursive: true, force: true });
        }
    }
    const reverified = reverify(o, done, cfg.seed);
    manifest.organisms = o.specs.flatMap((s) => (done.has(s.id) ? [done.get(s.id)!] : []));
    if (reverified > 0) writeJsonAtomic(path.join(o.dir, "organisms.json"), manifest);
    return manifest;
}

/**
 * The organisms' adapters in one bank per LoRA shape (rank and scaling: instillation rank 4, adversarial sums of rank 8,
 * other ranks), since a bank holds one shape. The caller disposes the banks.
 */
export function banksByShape(model: Transformer, dir: string, entries: readonly OodOrganismEntry[]): { bank: LoraBank; entries: OodOrganismEntry[] }[] {
    const shapes = new Map<string, { entries: OodOrganismEntry[]; adapters: LoraAdapter[] }>();
    try {
        for (const e of entries) {
            const a = loadAdapter(path.join(dir, e.adapter), model.config, { device: model.device, name: e.id });
            const key = `${a.config.r}:${a.scaling}`;
            const g = shapes.get(key) ?? { entries: [], adapters: [] };
            g.entries.push(e);
            g.adapters.push(a);
            shapes.set(key, g);
        }
        return [...shapes.values()].map((g) => ({ bank: LoraBank.fromAdapters(g.adapters, model.config, model.device), entries: g.entries }));
    } finally {
        for (const g of shapes.values()) g.adapters.forEach((a) => a.dispose());
    }
}

/** Re-verifies finished organisms whose verification predates OOD_VERIFY_VERSION (one bank per LoRA shape). */
function reverify(o: BuildOodOptions, done: Map<string, OodOrganismEntry>, seed: number): number {
    const stale = o.specs.flatMap((s) => {
        const e = done.get(s.id);
        return e && (e.verifiedWith ?? 1) !== OOD_VERIFY_VERSION ? [e] : [];
    });
    for (const { bank, entries } of banksByShape(o.model, o.dir, stale)) {
        try {
            const v = verifyOodGroup(o.model, o.tok, bank, entries.map((e) => e.spec), { probes: o.verifyProbes ?? 24, seed });
            entries.forEach((e, i) => done.set(e.id, { ...e, verifiedWith: OOD_VERIFY_VERSION, verification: v[i]! }));
        } finally {
            bank.dispose();
        }
    }
    if (stale.length && !o.quiet) process.stderr.write(`[ood] re-verified ${stale.length} organisms (verification version ${OOD_VERIFY_VERSION})\n`);
    return stale.length;
}
