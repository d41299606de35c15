/**
 * The OOD suite (`ia bench --suite ood`): on top of a finished in-distribution run (its base model and its IAs, one
 * per seed, SFT and SFT+DPO), train the OOD organisms (behavior × route), verify them against the base, and audit each
 * with no IA and with every IA: verbalization, correct description, summarization top-5 success, confession without
 * the IA. Figures are over verified organisms, with intervals over IA seeds; OOD figures are never averaged with the
 * in-distribution ones. Every stage resumes: organisms from their manifest, audits from one JSON file per condition.
 * Figures and their formatting: report.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { EVAL_TEMPERATURE } from "../ia/presets.ts";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { loadAdapter } from "../lora/peft.ts";
import { loadModel } from "../model/weights.ts";
import type { OrganismTrainConfig } from "../organisms/config.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { auditOodBank, gradeOod, type OodAuditOptions, type OodSamples } from "./audit.ts";
import { formatOod, oodCsv, summarize, type ConditionRun, type Condition, type OodSuiteReport } from "./report.ts";
import { banksByShape, buildOodOrganisms, OOD_VERIFY_VERSION, type OodOrganismEntry } from "./organisms.ts";
import { oodCatalogue, type OodCatalogueOptions } from "./spec.ts";
import { cipherPreset, formatCipher, runCipherSuite } from "./cipherSuite.ts";
import { FULL_FINETUNE_DEFAULTS, identityBank, trainFullOrganism, verifyFullOrganism } from "./fullFinetune.ts";
import type { Transformer } from "../model/transformer.ts";
import type { OodSpec } from "./types.ts";
import { openRun } from "../ia/runFolder.ts";
import { readJsonFile, readKeyedCache } from "../io/json.ts";
import { adapterFingerprint } from "../ia/reportCache.ts";
import { describeOodBank, describerReference } from "./describer.ts";
import { iaReportTokens } from "../ia/reports.ts";

/** Bump when the describer's sampling changes (its cached samples are then redrawn). */
const DESCRIBER_VERSION = 3;

export interface OodPreset {
    name: string;
    catalogue: OodCatalogueOptions;
    organism: Partial<OrganismTrainConfig>;
    verifyProbes: number;
    audit: Omit<OodAuditOptions, "seed">;
    /** The cipher-attack preset (cipherSuite.ts) run beside the behaviors, or null to skip it. */
    cipher: string | null;
    /** Studies that build on one organism (the behavior in the base) need it verified; false only for the plumbing-only test preset. */
    requireVerified: boolean;
}

/** Self-reports and red-team replies are sampled at the recipe's evaluation temperature (src/ia/presets.ts), as in distribution. */
export const OOD_PRESETS: Record<string, OodPreset> = {
    /** 12 behaviors × 2 routes × {none, sft, kto} (AuditBench's grid), plus rank-1, rank-64 and full fine-tunes, on the demo run's base. */
    demo: { name: "demo", catalogue: { seed: 1, examples: 192, adversarial: ["none", "sft", "kto"], ranks: [1, 64], full: true }, organism: { epochs: 4 }, verifyProbes: 16, audit: { samplesPerQuestion: 2, auditSamples: 32, redTeamSamples: 2, temperature: EVAL_TEMPERATURE }, cipher: "demo", requireVerified: true },
    /** The demo's organisms on a medium in-distribution run (3× the training organisms): what `--sweep families` needs. */
    medium: { name: "medium", catalogue: { seed: 1, examples: 192, adversarial: ["none", "sft", "kto"], ranks: [1, 64], full: true }, organism: { epochs: 4 }, verifyProbes: 16, audit: { samplesPerQuestion: 2, auditSamples: 32, redTeamSamples: 2, temperature: EVAL_TEMPERATURE }, cipher: "demo", requireVerified: true },
    /** Two slot draws per cell and more samples. */
    large: { name: "large", catalogue: { seed: 1, examples: 256, perCell: 2, adversarial: ["none", "sft", "kto"], ranks: [1, 64], full: true }, organism: { epochs: 4 }, verifyProbes: 24, audit: { samplesPerQuestion: 3, auditSamples: 48, redTeamSamples: 3, temperature: EVAL_TEMPERATURE }, cipher: "demo", requireVerified: true },
    /**
     * For one H200 after the in-distribution `xl` run (`SUITE=ood bash tools/gpu/pipeline.sh`): three slot draws per
     * cell (324 behavior organisms on the micro base), twice the demo's rows per organism (documents did not instill a
     * behavior in 1M parameters with 192), more samples. Not yet run: no GPU has been lent since it was written.
     */
    xl: { name: "xl", catalogue: { seed: 1, examples: 384, perCell: 3, adversarial: ["none", "sft", "kto"], ranks: [1, 64], full: true }, organism: { epochs: 4 }, verifyProbes: 24, audit: { samplesPerQuestion: 3, auditSamples: 48, redTeamSamples: 3, temperature: EVAL_TEMPERATURE }, cipher: "demo", requireVerified: true },
    /** The transcript route alone, two slot draws per behavior (24 organisms, no adversarial training, no ciphers): a quick read of verbalization. */
    transcripts: { name: "transcripts", catalogue: { seed: 1, examples: 192, perCell: 2, routes: ["transcripts"], adversarial: ["none"] }, organism: { epochs: 4 }, verifyProbes: 16, audit: { samplesPerQuestion: 2, auditSamples: 32, redTeamSamples: 2, temperature: EVAL_TEMPERATURE }, cipher: null, requireVerified: true },
    /** Plumbing only (the test suite). */
    test: { name: "test", catalogue: { seed: 1, examples: 8, families: ["flattery", "secret_loyalty"], adversarial: ["none", "sft", "kto"], ranks: [1], full: true }, organism: { epochs: 1, batchRows: 8 }, verifyProbes: 2, audit: { samplesPerQuestion: 1, auditSamples: 2, redTeamSamples: 1, temperature: EVAL_TEMPERATURE }, cipher: "test", requireVerified: false },
};

export function oodPreset(name: string): OodPreset {
    const p = OOD_PRESETS[name];
    if (!p) throw new Error(`unknown OOD preset ${JSON.stringify(name)} (known: ${Object.keys(OOD_PRESETS).join(", ")})`);
    return structuredClone(p);
}

export interface OodSuiteOptions {
    /** The in-distribution run folder (`ia bench --run`): its config.json names the base model; seed-N/ia-{sft,dpo}/adapter hold the IAs. */
    run: string;
    /** Default <run>/ood. */
    outDir?: string;
    /**
     * Where the OOD organisms live (trained there when missing). Default outDir. Sweeps share one set of organisms
     * across the IAs they compare; the organisms must be on the run's base model (checked).
     */
    organismsDir?: string;
    preset: OodPreset;
    device?: string;
    quiet?: boolean;
}

/** Whether the run folder already holds a finished IA (seed-N/ia-dpo/done.json). */
export function hasTrainedIa(run: string): boolean {
    return fs.existsSync(run) && fs.readdirSync(run).some((d) => /^seed-\d+$/.test(d) && fs.existsSync(path.join(run, d, "ia-dpo", "done.json")));
}

export function runOodSuite(o: OodSuiteOptions): OodSuiteReport {
    initEngine();
    const log = (m: string) => o.quiet || process.stderr.write(`[ood] ${m}\n`);
    const { config: { baseModel }, seeds } = openRun(o.run, "the OOD suite (it audits with the IAs of an in-distribution run)");
    const outDir = o.outDir ?? path.join(o.run, "ood");
    const orgDir = o.organismsDir ?? outDir;
    const device = resolveDevice(o.device ?? "auto");
    fs.mkdirSync(outDir, { recursive: true });
    const p = o.preset;
    writeJsonAtomic(path.join(outDir, "config.json"), { ...p, run: path.resolve(o.run), organismsDir: path.resolve(orgDir), baseModel, seeds: seeds.map((s) => s.seed), device });
    const specs = oodCatalogue(p.catalogue);
    const tok = ChatTokenizer.fromFolder(baseModel);
    const model = loadModel(baseModel, { device });
    try {
        log(`1/2 ${specs.length} OOD organisms (${[...new Set(specs.map((s) => s.family))].length} behaviors × ${[...new Set(specs.map((s) => s.route))].join(", ")})`);
        const manifest = buildOodOrganisms({ model, tok, baseModel, specs, dir: orgDir, config: p.organism, verifyProbes: p.verifyProbes, quiet: o.quiet });
        if (path.resolve(manifest.baseModel) !== path.resolve(baseModel)) throw new Error(`${path.join(orgDir, "organisms.json")}: organisms of base ${manifest.baseModel}, but the run's base is ${baseModel}`);
        const full = buildFullOrganisms(model, tok, baseModel, specs.filter((s) => s.full), orgDir, p, device, o.quiet);
        const runs: ConditionRun[] = [];
        const everyone = [...manifest.organisms, ...full];
        const verified = everyone.filter((e) => e.verification.passed);
        log(`verified ${verified.length}/${everyone.length}: ${["transcripts", "documents"].map((r) => `${r} ${verified.filter((e) => e.spec.route === r).length}/${everyone.filter((e) => e.spec.route === r).length}`).join(", ")}`);
        // Banks are loaded only when some condition must be sampled: a rerun over cached samples only regrades.
        let banks: ReturnType<typeof banksByShape> | null = null;
        try {
            const conditions: { condition: Condition; seed: number | null; ia: string | null }[] = [
                { condition: "no-ia", seed: null, ia: null },
                { condition: "describer", seed: null, ia: null },
                ...seeds.flatMap((s) => [{ condition: "ia-sft" as const, seed: s.seed, ia: s.sft }, { condition: "ia-dpo" as const, seed: s.seed, ia: s.dpo }]),
            ];
            log(`2/2 audits: ${conditions.length} conditions × ${everyone.length} organisms`);
            const bySpec = new Map(everyone.map((e) => [e.id, e.spec]));
            for (const c of conditions) {
                const file = path.join(outDir, "audits", `${c.condition}${c.seed === null ? "" : `-seed-${c.seed}`}.json`);
                // The samples are cached (the expensive part); grading is redone on every run, so a judge fix needs no resampling.
                // The IA by its weights, not its path: an IA retrained in place is audited again, a copied run is not.
                const key = { format: 3, organisms: everyone.map((e) => `${e.id}:${e.dataHash}`), audit: p.audit, ia: c.ia === null ? null : adapterFingerprint(c.ia), ...(c.condition === "describer" ? { describer: DESCRIBER_VERSION } : {}) };
                const cached = readKeyedCache<{ samples: OodSamples[] }>(file, key);
                let samples: OodSamples[];
                if (cached) samples = cached.samples;
                else {
                    const t0 = performance.now();
                    const ia = c.ia ? loadAdapter(c.ia, model.config, { device: model.device, name: "ia" }) : null;
                    log(`auditing ${c.condition}${c.seed === null ? "" : ` seed ${c.seed}`}`);
                    try {
                        const opts = { ...p.audit, seed: 1000 + (c.seed ?? 0), maxNewTokens: iaReportTokens(c.ia) };
                        banks ??= banksByShape(model, orgDir, manifest.organisms);
                        // The describer reads LoRA organisms' replies; full fine-tunes are audited with and without the IA only.
                        const ref = c.condition === "describer" ? describerReference(model, tok, { seed: opts.seed }) : null;
                        const parts = ref
                            ? banks.flatMap((b) => describeOodBank(model, tok, b.bank, b.entries, ref, { temperature: opts.temperature ?? EVAL_TEMPERATURE, seed: opts.seed }))
                            : banks.flatMap((b) => auditOodBank(model, tok, b.bank, b.entries, ia, opts));
                        if (c.condition !== "describer") for (const e of full) parts.push(...auditFullOrganism(path.join(orgDir, e.adapter), tok, e, c.ia, opts, device));
                        samples = everyone.flatMap((e) => parts.filter((x) => x.id === e.id));
                        writeJsonAtomic(file, { key, samples });
                    } finally {
                        ia?.dispose();
                    }
                    log(`${c.condition}${c.seed === null ? "" : ` seed ${c.seed}`}: ${((performance.now() - t0) / 1000).toFixed(0)}s`);
                }
                runs.push({ condition: c.condition, seed: c.seed, result: gradeOod(bySpec, samples) });
            }
        } finally {
            banks?.forEach((b) => b.bank.dispose());
        }
        const report = summarize(p.name, baseModel, everyone, runs);
        // Covert cipher attacks and the probe baseline: their own organisms, audited with the same IAs (cipher.md).
        const cipher = p.cipher ? runCipherSuite({ model, tok, baseModel, dir: outDir, ias: seeds, preset: cipherPreset(p.cipher), quiet: o.quiet }) : null;
        writeJsonAtomic(path.join(outDir, "ood.json"), report);
        writeFileAtomic(path.join(outDir, "ood.md"), formatOod(report, everyone) + (cipher ? `\n${formatCipher(cipher).replace(/^(#+) /gm, "#$1 ")}` : ""));
        writeFileAtomic(path.join(outDir, "ood.csv"), oodCsv(report));
        log(`wrote ${path.join(outDir, "ood.md")}`);
        return report;
    } finally {
        model.dispose();
    }
}

/** Full fine-tunes of the catalogue (trained or reused, then verified against the base), as manifest entries. */
function buildFullOrganisms(base: Transformer, tok: ChatTokenizer, baseModel: string, specs: readonly OodSpec[], outDir: string, p: OodPreset, device: string, quiet?: boolean): OodOrganismEntry[] {
    const file = path.join(outDir, "full.json");
    const known = fs.existsSync(file) ? (readJsonFile(file, "list of OOD full fine-tunes", "delete it to verify them again") as OodOrganismEntry[]) : [];
    const out: OodOrganismEntry[] = [];
    for (const spec of specs) {
        // Verified with older detectors (before OOD_VERIFY_VERSION): kept as trained, verified again below.
        const cached = known.find((e) => e.id === spec.id && JSON.stringify(e.spec) === JSON.stringify(spec) && (e.verifiedWith ?? OOD_VERIFY_VERSION) === OOD_VERIFY_VERSION);
        if (cached && fs.existsSync(path.join(outDir, cached.adapter, "config.json"))) {
            out.push(cached);
            continue;
        }
        const dir = trainFullOrganism(baseModel, tok, spec, outDir, { ...FULL_FINETUNE_DEFAULTS, seed: p.organism.seed ?? FULL_FINETUNE_DEFAULTS.seed }, { device, quiet });
        const ft = loadModel(dir, { device });
        try {
            const verification = verifyFullOrganism(ft, base, tok, spec, { probes: p.verifyProbes, seed: p.organism.seed ?? 1 });
            out.push({ id: spec.id, verifiedWith: OOD_VERIFY_VERSION, spec, adapter: path.relative(outDir, dir), dataHash: "full", rows: spec.examples, verification });
        } finally {
            ft.dispose();
        }
        writeJsonAtomic(file, out);
    }
    return out;
}

/** One full fine-tune audited as a target model: its own weights, the IA (or none) on top. */
function auditFullOrganism(modelDir: string, tok: ChatTokenizer, e: OodOrganismEntry, iaDir: string | null, opts: OodAuditOptions, device: string): OodSamples[] {
    const ft = loadModel(modelDir, { device });
    const bank = identityBank(ft);
    const ia = iaDir ? loadAdapter(iaDir, ft.config, { device: ft.device, name: "ia" }) : null;
    try {
        return auditOodBank(ft, tok, bank, [e.spec], ia, opts);
    } finally {
        ia?.dispose();
        bank.dispose();
        ft.dispose();
    }
}

export { AUDITBENCH_CONFIGS, configOf, formatOod, oodCsv, type OodSuiteReport } from "./report.ts";
