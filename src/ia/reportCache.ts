/**
 * Sampled self-reports kept on disk so an interrupted or extended benchmark (another IA seed added to a run)
 * does not sample again what it already sampled. Only the raw reports are kept: grading always reruns with the
 * current judge. An entry is reused only when everything that determines the samples matches: the base model,
 * the population, the IA's weights (a content hash), and the requests with their sampling settings.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { writeJsonAtomic } from "../io/atomic.ts";

export interface ReportCache {
    get(key: unknown): string[] | undefined;
    set(key: unknown, reports: string[]): void;
}

interface CacheFile {
    context: string;
    entries: Record<string, string[]>;
}

const sha = (x: string | Buffer) => crypto.createHash("sha256").update(x).digest("hex");

export function fileFingerprint(file: string): string {
    return sha(fs.readFileSync(file)).slice(0, 16);
}

/** A PEFT adapter folder by its weights: an adapter retrained in place invalidates what was sampled with it. */
export function adapterFingerprint(dir: string): string {
    return fileFingerprint(path.join(dir, "adapter_model.safetensors"));
}

/** Hits are handed to the grader as they are: every entry must be a list of report strings. */
function isEntries(x: unknown): x is Record<string, string[]> {
    if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
    return Object.values(x).every((v) => Array.isArray(v) && v.every((r) => typeof r === "string"));
}

/** A cache in one JSON file; a file written for another context (model, population, IA) is ignored and replaced. */
export function openReportCache(file: string, context: unknown): ReportCache {
    const ctx = sha(JSON.stringify(context));
    let data: CacheFile = { context: ctx, entries: {} };
    if (fs.existsSync(file)) {
        try {
            const read = JSON.parse(fs.readFileSync(file, "utf8")) as CacheFile;
            if (read.context === ctx && isEntries(read.entries)) data = read;
        } catch {
            // A damaged cache only costs a resample: it is rewritten whole on the next set.
        }
    }
    return {
        get: (key) => data.entries[sha(JSON.stringify(key))],
        set: (key, reports) => {
            data.entries[sha(JSON.stringify(key))] = reports;
            writeJsonAtomic(file, data);
        },
    };
}
