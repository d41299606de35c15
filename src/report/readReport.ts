/**
 * Reading the JSON artifacts a report page is made from. A missing, unparsable or wrongly shaped file fails with an
 * Error naming the file and what was expected of it, never with a TypeError deep inside the page builder.
 */
import fs from "node:fs";
import type { AuditResult } from "../ia/audit.ts";
import type { BenchReport } from "../ia/benchmark.ts";
import type { SweepPoint } from "../ia/sweeps.ts";

/** sweep.json as the sweeps write it. */
export interface SweepFile {
    sweep: "families" | "organisms" | "base";
    /** Family sweep: the family held out of every point's IA training. */
    heldOut?: string;
    points: SweepPoint[];
}

type Check = (x: Record<string, unknown>) => string | null;

function readJson(file: string, what: string, check: Check): unknown {
    if (!fs.existsSync(file)) throw new Error(`${file}: no ${what} there (missing file)`);
    let x: unknown;
    try {
        x = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file}: unreadable ${what} (${(e as Error).message})`);
    }
    const problem = typeof x !== "object" || x === null || Array.isArray(x) ? "not a JSON object" : check(x as Record<string, unknown>);
    if (problem) throw new Error(`${file}: not a ${what} (${problem})`);
    return x;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** The first field of `fields` that is missing or of the wrong kind, described; null when all are right. */
function expect(x: Record<string, unknown>, fields: Record<string, "object" | "array" | "string" | "number" | "string|null">): string | null {
    for (const [k, kind] of Object.entries(fields)) {
        const v = x[k];
        const ok = kind === "object" ? isObject(v) : kind === "array" ? Array.isArray(v) : kind === "string|null" ? v === null || typeof v === "string" : typeof v === kind;
        if (!ok) return `"${k}" should be ${kind === "array" ? "an array" : kind === "object" ? "an object" : `a ${kind}`}, got ${v === undefined ? "nothing" : JSON.stringify(v).slice(0, 40)}`;
    }
    return null;
}

export function readBenchReport(file: string): BenchReport {
    return readJson(file, "benchmark report (bench.json)", (x) => {
        const top = expect(x, { preset: "string", temperature: "number", base: "object", population: "array", groupSizes: "object", prior: "object", results: "object", summary: "array", chosen: "string|null", examples: "array" });
        if (top) return top;
        const bad = (x.summary as unknown[]).findIndex((s) => !isObject(s) || expect(s, { condition: "string", group: "string", scope: "string", metric: "string", seeds: "number" }) !== null);
        return bad >= 0 ? `summary[${bad}] is not a summary figure` : null;
    }) as BenchReport;
}

export function readAuditResult(file: string): AuditResult {
    return readJson(file, "audit result (audit.json)", (x) => {
        const top = expect(x, { target: "string", ia: "string", summary: "object", reports: "array" });
        if (top) return top;
        const s = expect(x.summary as Record<string, unknown>, { reports: "number", denials: "number", candidates: "array" });
        if (s) return `summary: ${s}`;
        const bad = (x.reports as unknown[]).findIndex((r) => !isObject(r) || typeof r.prompt !== "string" || typeof r.report !== "string");
        return bad >= 0 ? `reports[${bad}] has no prompt and report text` : null;
    }) as AuditResult;
}

export function readSweepFile(file: string): SweepFile {
    return readJson(file, "sweep result (sweep.json)", (x) => {
        if (!["families", "organisms", "base"].includes(x.sweep as string)) return `"sweep" should be families, organisms or base, got ${JSON.stringify(x.sweep)}`;
        if (!Array.isArray(x.points)) return `"points" should be an array`;
        const bad = x.points.findIndex((p: unknown) => !isObject(p) || expect(p, { label: "string", x: "number", sftOrganisms: "number", figures: "object" }) !== null);
        return bad >= 0 ? `points[${bad}] is not a sweep point` : null;
    }) as SweepFile;
}
