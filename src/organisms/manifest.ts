/**
 * The population manifest (<popDir>/manifest.json): one entry per organism with its spec, label, adapter folder,
 * data hash and verification result. Written atomically after every trained group, so an interrupted build
 * resumes without redoing finished organisms.
 */
import fs from "node:fs";
import path from "node:path";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { writeJsonAtomic } from "../io/atomic.ts";

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
    return m;
}

export function writeManifest(dir: string, m: PopulationManifest): void {
    writeJsonAtomic(path.join(dir, "manifest.json"), m);
}
