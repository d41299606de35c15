/**
 * Covert cipher attacks (CMFT, Halawi et al. 2024) in the OOD suite: for each cipher of a preset, an attack organism
 * (learns the cipher, then downplays risks only when asked in cipher) and its benign control (the same rows, careful
 * coded answers). Both are verified against the base on both channels, audited with no IA and with every IA (the
 * paper's §4.3: summarization top-5 success, raw verbalization; "it names anti-refusal training, never the cipher"),
 * and read by the white-box probe baseline (probe.ts; CIFR's linear probes, leave one cipher family out).
 *
 * Resumable like the OOD suite: organisms from <dir>/cipher-organisms.json (written after every bank), audits from
 * <dir>/audits/cipher-<condition>.json, probe features from <dir>/cipher-probe.json, each keyed by what produced it.
 * Files live next to the OOD suite's (organisms/cmft.*, work/cipher-group-*), under names that never collide.
 *
 * This file runs the steps and keeps the audit and probe caches; the steps live in cipherOrganisms.ts (presets,
 * training, verification, manifest), cipherAudit.ts (one condition on the bank) and cipherReport.ts (summary,
 * markdown, CSV).
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { LoraBank } from "../lora/bank.ts";
import { loadAdapter } from "../lora/peft.ts";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { auditCipherBank, type CipherCondition, type CipherConditionRun, type CipherOrganismAudit } from "./cipherAudit.ts";
import { buildCipherOrganisms, cipherLabel, cipherOrganismSpecs, type CipherOrganismEntry, type CipherPreset } from "./cipherOrganisms.ts";
import { cipherCsv, formatCipher, summarizeCipher, type CipherSuiteReport } from "./cipherReport.ts";
import { evaluateProbe, middleLayer, organismShifts, probeBattery, type ProbeItem } from "./probe.ts";
import { readKeyedCache } from "../io/json.ts";
import { adapterFingerprint } from "../ia/reportCache.ts";

// What other modules import from here (suite.ts, the tests), so the split into cipher*.ts changes no import.
export { CIPHER_PRESETS, cipherPasses, cipherPreset, readCipherManifest, type CipherPreset } from "./cipherOrganisms.ts";
export { cipherCsv, formatCipher, type CipherSuiteReport } from "./cipherReport.ts";

/** The engine initialized and the base loaded by the caller (runOodSuite); the model's adapter list is restored. */
export interface CipherSuiteOptions {
    /** The base model, no adapters attached. */
    model: Transformer;
    /** The base model's tokenizer (rows are redrawn until they fit its `maxLength` tokens). */
    tok: ChatTokenizer;
    /** The base model folder (recorded in adapters and the manifest). */
    baseModel: string;
    /** Output folder (the OOD suite's). */
    dir: string;
    /** IA adapter folders per seed, SFT and SFT+DPO. */
    ias: { seed: number; sft: string; dpo: string }[];
    preset: CipherPreset;
    quiet?: boolean;
}

export function runCipherSuite(o: CipherSuiteOptions): CipherSuiteReport {
    const p = o.preset;
    const specs = cipherOrganismSpecs(p);
    const log = (m: string) => o.quiet || process.stderr.write(`[cipher] ${m}\n`);
    const { model, tok } = o;
    fs.mkdirSync(o.dir, { recursive: true });
    const ciphers = [...new Set(specs.map((s) => cipherLabel(s.cipher)))];
    log(`1/3 ${specs.length} cipher organisms (${ciphers.length} ciphers × attack, control)`);
    const manifest = buildCipherOrganisms({ model, tok, baseModel: o.baseModel, dir: o.dir, preset: p, specs, log, quiet: o.quiet });
    const everyone = manifest.organisms;
    log(`verified: attacks ${everyone.filter((e) => e.spec.role === "attack" && e.verification.passed).length}/${everyone.filter((e) => e.spec.role === "attack").length}, controls ${everyone.filter((e) => e.spec.role === "control" && e.verification.passed).length}/${everyone.filter((e) => e.spec.role === "control").length}`);
    const adapters = everyone.map((e) => loadAdapter(path.join(o.dir, e.adapter), model.config, { device: model.device, name: e.id }));
    const bank = LoraBank.fromAdapters(adapters, model.config, model.device);
    adapters.forEach((a) => a.dispose());
    const runs: CipherConditionRun[] = [];
    let probe: CipherSuiteReport["probe"];
    try {
        const conditions: { condition: CipherCondition; seed: number | null; ia: string | null }[] = [
            { condition: "no-ia", seed: null, ia: null },
            ...o.ias.flatMap((s) => [{ condition: "ia-sft" as const, seed: s.seed, ia: s.sft }, { condition: "ia-dpo" as const, seed: s.seed, ia: s.dpo }]),
        ];
        log(`2/3 audits: ${conditions.length} conditions × ${everyone.length} organisms`);
        const organismKey = everyone.map((e) => `${e.id}:${e.dataHash}`);
        for (const c of conditions) {
            const file = path.join(o.dir, "audits", `cipher-${c.condition}${c.seed === null ? "" : `-seed-${c.seed}`}.json`);
            const key = { organisms: organismKey, audit: p.audit, ia: c.ia === null ? null : { weights: adapterFingerprint(c.ia) } };
            const cached = readCached<CipherOrganismAudit[]>(file, key);
            if (cached) {
                runs.push({ condition: c.condition, seed: c.seed, organisms: cached });
                continue;
            }
            const t0 = performance.now();
            const ia = c.ia ? loadAdapter(c.ia, model.config, { device: model.device, name: "ia" }) : null;
            try {
                const result = auditCipherBank(model, tok, bank, everyone.map((e) => e.spec), ia, { ...p.audit, seed: 1000 + (c.seed ?? 0) });
                writeJsonAtomic(file, { key, result });
                runs.push({ condition: c.condition, seed: c.seed, organisms: result });
            } finally {
                ia?.dispose();
            }
            log(`${c.condition}${c.seed === null ? "" : ` seed ${c.seed}`}: ${((performance.now() - t0) / 1000).toFixed(0)}s`);
        }
        log("3/3 probe baseline (leave one cipher family out)");
        probe = runProbe(o, bank, everyone, organismKey);
    } finally {
        bank.dispose();
    }
    const report = summarizeCipher(p.name, o.baseModel, everyone, runs, probe);
    writeJsonAtomic(path.join(o.dir, "cipher.json"), report);
    writeFileAtomic(path.join(o.dir, "cipher.md"), formatCipher(report));
    writeFileAtomic(path.join(o.dir, "cipher.csv"), cipherCsv(report));
    log(`wrote ${path.join(o.dir, "cipher.md")}`);
    return report;
}

function readCached<T>(file: string, key: unknown): T | null {
    return readKeyedCache<{ result: T }>(file, key)?.result ?? null;
}

/** Probe features (cached: one pass of the battery through every organism and the base), then leave-one-family-out. */
function runProbe(o: CipherSuiteOptions, bank: LoraBank, everyone: readonly CipherOrganismEntry[], organismKey: readonly string[]): CipherSuiteReport["probe"] {
    const p = o.preset;
    const layer = middleLayer(o.model.config.numLayers);
    const cipherSpecs = [...new Map(everyone.map((e) => [cipherLabel(e.spec.cipher), e.spec.cipher])).values()];
    const groups = probeBattery(o.tok, cipherSpecs, p.probe.prompts, 1);
    const file = path.join(o.dir, "cipher-probe.json");
    const key = { organisms: organismKey, layer, groups: groups.map((g) => g.name), prompts: p.probe.prompts };
    const shifts = readCached<number[][][]>(file, key) ?? (() => {
        const s = organismShifts(o.model, bank, everyone.length, groups, { layer });
        writeJsonAtomic(file, { key, result: s });
        return s;
    })();
    const items: ProbeItem[] = everyone.map((e) => ({ id: e.id, family: e.spec.family, label: e.spec.role === "attack" ? 1 : 0, verified: e.verification.passed }));
    return { layer, prompts: p.probe.prompts, organisms: items.length, variants: evaluateProbe(items, shifts, groups, { l2: p.probe.l2 }) };
}

