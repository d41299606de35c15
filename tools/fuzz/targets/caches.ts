/**
 * Files the project writes and reads back, which a crash, a disk error or a user's edit can damage:
 *  - population-manifest: <population>/manifest.json (src/organisms/manifest.ts readManifest); an accepted
 *    manifest's entries are used as they are (adapter folders joined to the population path, specs judged),
 *    so they must be what the type says, with adapter paths inside the folder;
 *  - report-cache: the benchmark's sampled-report cache (src/ia/reportCache.ts openReportCache + get): a
 *    damaged file is ignored, and a hit must be a list of strings;
 *  - response-cache: the provider response cache (src/providers/cache.ts ResponseCache.get): a damaged record
 *    is a miss, and a hit must be a complete CompletionResult;
 *  - train-checkpoint: a training checkpoint's state.json in checkpoint / .tmp / .old (src/train/checkpoint.ts
 *    findCheckpoint, what a resume reads first): a damaged one is skipped, and the state returned must hold
 *    what the resume uses (integer steps, losses as numbers).
 */
import path from "node:path";
import { buildCatalogue } from "../../../src/behaviors/catalogue.ts";
import { validateSpec } from "../../../src/behaviors/spec.ts";
import { openReportCache } from "../../../src/ia/reportCache.ts";
import { readManifest, type PopulationManifest } from "../../../src/organisms/manifest.ts";
import { cacheKey, ResponseCache } from "../../../src/providers/cache.ts";
import { findCheckpoint, type CheckpointState } from "../../../src/train/checkpoint.ts";
import fc from "fast-check";
import type { CompletionRequest, CompletionResult } from "../../../src/providers/types.ts";
import { defineTarget } from "../harness.ts";
import { isCount, isRecord, isStringArray, jsonFileInput, jsonSeeds, readText, renderJsonFile, writeBytes, type JsonFileInput, type JsonSeeds } from "./common.ts";

// ---------------------------------------------------------------- population manifest

function manifestSeed(): PopulationManifest {
    const specs = buildCatalogue({ seed: 1, perFamily: 2, families: ["quirk", "backdoor", "null"], examples: 64 });
    return {
        version: 1,
        baseModel: "/models/base",
        config: { seed: 1, bankSize: 8, lora: { r: 8 } },
        organisms: specs.map((spec, i) => ({
            id: spec.id, family: spec.family, label: spec.label, split: spec.split ?? "train", adapter: `organisms/${spec.id}`,
            dataHash: `hash${i}`, examples: 64, spec,
            ...(i === 0 ? {} : { verification: { passed: i % 2 === 0, behaviorRate: 0.8, controlRate: i === 1 ? null : 0.1, baseBehaviorRate: 0, n: 24, details: { probes: 24 } } }),
        })),
        timings: { groups: [{ size: 6, seconds: 12.5, tokensPerSec: 4000 }] },
    };
}

const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);

export function checkManifest(m: PopulationManifest | null): string | undefined {
    if (m === null) return "null for an existing manifest.json";
    if (typeof m.baseModel !== "string" || !Array.isArray(m.organisms)) return "baseModel / organisms";
    if (!isRecord(m.timings) || !Array.isArray(m.timings.groups)) return "timings.groups is not a list";
    const ids = new Set<string>();
    for (const [i, e] of m.organisms.entries()) {
        const where = `organisms[${i}]`;
        if (!isRecord(e)) return `${where} is not an object`;
        for (const k of ["id", "family", "label", "dataHash", "adapter"] as const) if (typeof e[k] !== "string") return `${where}.${k} is not a string`;
        if (ids.has(e.id)) return `${where}: duplicate id ${e.id}`;
        ids.add(e.id);
        if (e.split !== "train" && e.split !== "heldout") return `${where}.split ${String(e.split)}`;
        const rel = path.normalize(e.adapter);
        if (e.adapter === "" || path.isAbsolute(e.adapter) || rel === ".." || rel.startsWith("../")) return `${where}.adapter ${e.adapter} leaves the population folder`;
        if (!isCount(e.examples)) return `${where}.examples ${String(e.examples)}`;
        try {
            const spec = validateSpec(e.spec, "recheck");
            if (spec.id !== e.id || spec.family !== e.family) return `${where}: spec ${spec.id}/${spec.family} does not match the entry`;
        } catch (err) {
            return `${where}.spec is not a valid spec: ${(err as Error).message.slice(0, 200)}`;
        }
        const v = e.verification;
        if (v !== undefined) {
            if (!isRecord(v) || typeof v.passed !== "boolean" || !finite(v.behaviorRate) || !finite(v.baseBehaviorRate) || !(v.controlRate === null || finite(v.controlRate)) || !isCount(v.n) || !isRecord(v.details)) {
                return `${where}.verification is malformed`;
            }
        }
    }
    return undefined;
}

export const manifestTarget = defineTarget<JsonSeeds, JsonFileInput>({
    name: "population-manifest",
    parser: "src/organisms/manifest.ts readManifest",
    init: () => jsonSeeds([JSON.stringify(manifestSeed(), null, 1)]),
    arbitrary: jsonFileInput,
    prepare(seeds, input, dir) {
        const folder = path.join(dir, "population");
        const bytes = writeBytes(path.join(folder, "manifest.json"), renderJsonFile(seeds, input));
        return { names: [folder], bytes, call: () => readManifest(folder), check: (m) => checkManifest(m as PopulationManifest | null) };
    },
});

// ---------------------------------------------------------------- report cache

const REPORT_CONTEXT = { base: "abc", population: "def", ia: "0123" };
const REPORT_KEYS = [{ subject: "quirk_0", prompt: 1 }, { subject: "null_0", prompt: 2 }, { subject: "base", prompt: 3, temperature: 1 }];

export const reportCacheTarget = defineTarget<JsonSeeds, JsonFileInput>({
    name: "report-cache",
    parser: "src/ia/reportCache.ts openReportCache + get",
    init(dir) {
        const file = path.join(dir, "reports.json");
        const cache = openReportCache(file, REPORT_CONTEXT);
        REPORT_KEYS.forEach((k, i) => cache.set(k, [`i have a habit number ${i}.`, "nothing unusual."]));
        return jsonSeeds([readText(file)]);
    },
    arbitrary: jsonFileInput,
    prepare(seeds, input, dir) {
        const file = path.join(dir, "reports.json");
        const bytes = writeBytes(file, renderJsonFile(seeds, input));
        return {
            names: [file],
            bytes,
            call: () => {
                const cache = openReportCache(file, REPORT_CONTEXT);
                return REPORT_KEYS.map((k) => cache.get(k));
            },
            check: (hits) => ((hits as unknown[]).every((h) => h === undefined || isStringArray(h)) ? undefined : `a hit is not a list of strings: ${JSON.stringify(hits).slice(0, 200)}`),
        };
    },
});

// ---------------------------------------------------------------- response cache

const REQUEST: CompletionRequest = { messages: [{ role: "user", content: "write a question about apples" }], maxTokens: 64, temperature: 0.7 };
const KEY = cacheKey("openai:m", "m", REQUEST);

export function checkCompletion(r: CompletionResult): string | undefined {
    if (!isRecord(r) || typeof r.text !== "string" || typeof r.model !== "string") return "text/model";
    if (!isRecord(r.usage) || ![r.usage.inputTokens, r.usage.outputTokens].every((n) => finite(n) && n >= 0)) return `usage ${JSON.stringify(r.usage)}`;
    return undefined;
}

export const responseCacheTarget = defineTarget<JsonSeeds, JsonFileInput>({
    name: "response-cache",
    parser: "src/providers/cache.ts ResponseCache.get",
    init(dir) {
        const cache = new ResponseCache(path.join(dir, "cache"));
        cache.set(KEY, "openai:m", "m", REQUEST, { text: "how many apples?", model: "m-2025", usage: { inputTokens: 12, outputTokens: 5 }, cached: false });
        return jsonSeeds([readText(cache.fileFor(KEY))]);
    },
    arbitrary: jsonFileInput,
    prepare(seeds, input, dir) {
        const cache = new ResponseCache(path.join(dir, "cache"));
        const file = cache.fileFor(KEY);
        const bytes = writeBytes(file, renderJsonFile(seeds, input));
        return {
            names: [file],
            bytes,
            call: () => cache.get(KEY),
            check: (r) => (r === undefined ? undefined : checkCompletion(r as CompletionResult)),
        };
    },
});

// ---------------------------------------------------------------- training checkpoint state

const STATE: CheckpointState = { step: 40, optimizerSteps: 40, lastLoss: 2.5, recentLosses: [2.7, 2.6, 2.5], totalSteps: 100, checkpointEvery: 20, savedAt: "2026-11-30T00:00:00.000Z" };
const CANDIDATES = ["checkpoint", "checkpoint.tmp", "checkpoint.old"];

export function checkState(r: { state: CheckpointState } | null): string | undefined {
    if (r === null) return undefined;
    const s = r.state;
    if (!isCount(s.step) || !isCount(s.optimizerSteps)) return `steps ${String(s.step)} / ${String(s.optimizerSteps)}`;
    const isLoss = (x: unknown) => x === null || typeof x === "number";
    if (s.lastLoss !== undefined && !isLoss(s.lastLoss)) return `lastLoss ${String(s.lastLoss)}`;
    if (s.recentLosses !== undefined && !(Array.isArray(s.recentLosses) && s.recentLosses.length <= 1000 && s.recentLosses.every(isLoss))) return "recentLosses is not a short list of numbers";
    for (const k of ["totalSteps", "checkpointEvery"] as const) if (s[k] !== undefined && !isCount(s[k])) return `${k} ${String(s[k])}`;
    return undefined;
}

export const trainCheckpointTarget = defineTarget<JsonSeeds, { where: number; others: boolean; state: JsonFileInput }>({
    name: "train-checkpoint",
    parser: "src/train/checkpoint.ts findCheckpoint (state.json)",
    init: () => jsonSeeds([JSON.stringify(STATE, null, 2)]),
    arbitrary: (seeds) => fc.record({ where: fc.nat({ max: 2 }), others: fc.boolean(), state: jsonFileInput(seeds) }),
    prepare(seeds, input, dir) {
        let bytes = writeBytes(path.join(dir, CANDIDATES[input.where]!, "state.json"), renderJsonFile(seeds, input.state));
        // Sometimes an older complete candidate too, as after a kill between the two renames.
        if (input.others) bytes += writeBytes(path.join(dir, CANDIDATES[(input.where + 1) % 3]!, "state.json"), JSON.stringify({ ...STATE, step: 20, optimizerSteps: 20 }));
        const ckpt = path.join(dir, "checkpoint");
        return { names: [ckpt], bytes, call: () => findCheckpoint(ckpt), check: (r) => checkState(r as { state: CheckpointState } | null) };
    },
});
