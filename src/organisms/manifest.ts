/**
 * The population manifest (<popDir>/manifest.json): one entry per organism with its spec, label, adapter folder,
 * data hash and verification result. Written atomically after every trained group, so an interrupted build
 * resumes without redoing finished organisms.
 */
import fs from "node:fs";
import path from "node:path";
import { validateSpec } from "../behaviors/spec.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { preview } from "../util/preview.ts";

export interface Verification {
    passed: boolean;
    behaviorRate: number;
    controlRate: number | null;
    /** The base model's rates on the same probes (the control). */
    baseBehaviorRate: number;
    n: number;
    details: Record<string, unknown>;
}

export interface OrganismEntry {
    id: string;
    family: string;
    label: string;
    split: "train" | "heldout";
    /** Relative to the population folder. */
    adapter: string;
    dataHash: string;
    examples: number;
    spec: BehaviorSpec;
    verification?: Verification;
    /**
     * Relative to the population folder: the organism's own introspection rows (the paper's `prediction_*` JSONL,
     * src/population/introspectionRows.ts). IA training draws its rows for this organism from them instead of
     * building rows from its label and the question sets. Absent: built from the label.
     */
    introspectionRows?: string;
}

export interface PopulationManifest {
    version: 1;
    baseModel: string;
    config: unknown;
    organisms: OrganismEntry[];
    timings: { groups: { size: number; seconds: number; tokensPerSec: number }[] };
}

export function readManifest(dir: string): PopulationManifest | null {
    const file = path.join(dir, "manifest.json");
    if (!fs.existsSync(file)) return null;
    let m: PopulationManifest;
    try {
        m = JSON.parse(fs.readFileSync(file, "utf8")) as PopulationManifest;
    } catch (e) {
        throw new Error(`${file}: unreadable population manifest (${(e as Error).message})`);
    }
    if (!m || typeof m !== "object" || typeof m.baseModel !== "string" || !Array.isArray(m.organisms)) {
        throw new Error(`${file}: not a population manifest (expected "baseModel" and an "organisms" list)`);
    }
    if (typeof m.timings !== "object" || m.timings === null || !Array.isArray(m.timings.groups)) {
        throw new Error(`${file}: not a population manifest (expected "timings": {"groups": [...]})`);
    }
    const ids = new Set<string>();
    m.organisms.forEach((e, i) => {
        checkEntry(e, `${file}: organisms[${i}]`);
        if (ids.has(e.id)) throw new Error(`${file}: organisms[${i}]: duplicate id ${JSON.stringify(e.id)}`);
        ids.add(e.id);
    });
    return m;
}

/**
 * Entries are used as they are (adapter folders joined to the population path, specs judged, verification
 * read), so each must be what OrganismEntry says, with its adapter inside the population folder.
 */
function checkEntry(e: unknown, where: string): asserts e is OrganismEntry {
    const fail = (msg: string): never => {
        throw new Error(`${where}: ${msg}`);
    };
    if (typeof e !== "object" || e === null || Array.isArray(e)) fail("not an object");
    const o = e as Record<string, unknown>;
    for (const k of ["id", "family", "label", "dataHash", "adapter"]) if (typeof o[k] !== "string") fail(`"${k}" must be a string`);
    if (o.split !== "train" && o.split !== "heldout") fail(`"split" must be "train" or "heldout"`);
    const inside = (p: string) => {
        const n = path.normalize(p);
        return !(n === "." || path.isAbsolute(n) || n === ".." || n.startsWith(`..${path.sep}`));
    };
    if (!inside(o.adapter as string)) fail(`"adapter" must be a folder inside the population, got ${preview(o.adapter)}`);
    if (o.introspectionRows !== undefined && (typeof o.introspectionRows !== "string" || !inside(o.introspectionRows))) fail(`"introspectionRows" must be a file inside the population, got ${preview(o.introspectionRows)}`);
    if (typeof o.examples !== "number" || !Number.isSafeInteger(o.examples) || o.examples < 0) fail(`"examples" must be a non-negative integer`);
    const spec = validateSpec(o.spec, `${where}.spec`);
    if (spec.id !== o.id || spec.family !== o.family) fail(`spec ${JSON.stringify(spec.id)} (${spec.family}) does not match the entry`);
    const v = o.verification as Record<string, unknown> | undefined;
    if (v === undefined) return;
    const rate = (x: unknown) => typeof x === "number" && Number.isFinite(x);
    if (typeof v !== "object" || v === null || typeof v.passed !== "boolean" || !rate(v.behaviorRate) || !rate(v.baseBehaviorRate) ||
        !(v.controlRate === null || rate(v.controlRate)) || typeof v.n !== "number" || !Number.isSafeInteger(v.n) || v.n < 0 ||
        typeof v.details !== "object" || v.details === null) {
        fail(`"verification" must be {passed, behaviorRate, controlRate, baseBehaviorRate, n, details}`);
    }
}

export function writeManifest(dir: string, m: PopulationManifest): void {
    writeJsonAtomic(path.join(dir, "manifest.json"), m);
}
