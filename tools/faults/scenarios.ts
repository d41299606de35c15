/**
 * The four commands under test, at small sizes, each with the outputs to audit and the fingerprint of its final
 * results (what must equal an uninterrupted run's on the same machine). Fingerprints replace the run's own folder
 * with "<out>" so two runs in different folders compare equal.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Fixtures } from "./fixtures.ts";
import { ORGANISM_FLAGS } from "./fixtures.ts";

export type CommandName = "train" | "organisms" | "ia-train" | "bench";
export const COMMANDS: CommandName[] = ["train", "organisms", "ia-train", "bench"];

export interface Scenario {
    name: CommandName;
    /** CLI arguments for a run writing under `out` (a rerun uses the same arguments). */
    args(out: string): string[];
    /** The folders to audit after a kill. */
    roots(out: string): string[];
    /** The base model the adapters belong to (null: found under the roots, bench builds its own). */
    base: string | null;
    /** key -> value of everything that must equal the uninterrupted run. */
    fingerprint(out: string): Record<string, string>;
    /** Called before the first run in a fresh output folder (the reference and each chain). */
    prepare?(out: string): void;
}

const sha = (file: string) => (fs.existsSync(file) ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16) : "(missing)");

/** JSON text with the run folder masked and volatile fields (timings, throughput, dates) dropped. */
function stableJson(file: string, out: string): string {
    if (!fs.existsSync(file)) return "(missing)";
    const volatile = new Set(["seconds", "tokensPerSec", "timings", "savedAt", "elapsed", "trainSeconds"]);
    const text = fs.readFileSync(file, "utf8").split(path.resolve(out)).join("<out>");
    return JSON.stringify(JSON.parse(text), (k, v) => (volatile.has(k) ? undefined : v));
}

/** Every file's hash under `dir` whose name matches. */
function hashes(dir: string, match: RegExp, keyPrefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (!fs.existsSync(dir)) return out;
    for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        const p = path.join(e.parentPath, e.name);
        if (e.isFile() && match.test(e.name) && !/\.(tmp|old)/.test(p) && !p.includes(`${path.sep}checkpoint${path.sep}`)) {
            out[`${keyPrefix}${path.relative(dir, p)}`] = sha(p);
        }
    }
    return out;
}

export interface ScenarioSizes {
    /** `ia train` optimizer steps. */
    trainSteps: number;
    /** `ia organisms --bank-size`. */
    bankSize: number;
    /**
     * `ia bench` starts from the fixture's base model already in its cache (the same preset and seed, so the same
     * cache entry): kills then land in the organism, IA and benchmark stages only. For the quick test.
     */
    benchWithBase?: boolean;
}

export function scenarios(fx: Fixtures, sizes: ScenarioSizes): Record<CommandName, Scenario> {
    return {
        train: {
            name: "train",
            args: (out) => ["train", "--model", fx.base, "--data", fx.data, "--out", out, "--max-steps", String(sizes.trainSteps), "--batch-size", "4", "--resume"],
            roots: (out) => [out],
            base: fx.base,
            fingerprint: (out) => ({
                ...hashes(path.join(out, "adapter"), /./, "adapter/"),
                // The final loss as the run recorded it (the checkpoint keeps it across a resume).
                finalLoss: String(JSON.parse(fs.existsSync(path.join(out, "checkpoint/state.json")) ? fs.readFileSync(path.join(out, "checkpoint/state.json"), "utf8") : "{}").lastLoss),
            }),
        },
        organisms: {
            name: "organisms",
            args: (out) => ["organisms", "--base", fx.base, "--specs", fx.specs, "--out", out, "--bank-size", String(sizes.bankSize), "--epochs", String(ORGANISM_FLAGS.epochs), "--probes", String(ORGANISM_FLAGS.probes)],
            roots: (out) => [out],
            base: fx.base,
            fingerprint: (out) => ({ manifest: stableJson(path.join(out, "manifest.json"), out), ...hashes(path.join(out, "organisms"), /\.safetensors$/, "") }),
        },
        "ia-train": {
            name: "ia-train",
            args: (out) => ["ia-train", "--base", fx.base, "--population", fx.population, "--out", out, "--preset", "tiny"],
            roots: (out) => [out],
            base: fx.base,
            fingerprint: (out) => ({
                ...hashes(out, /^adapter_model\.safetensors$/, ""),
                sftDone: stableJson(path.join(out, "seed-1/ia-sft/done.json"), out),
                dpoDone: stableJson(path.join(out, "seed-1/ia-dpo/done.json"), out),
                pairs: sha(path.join(out, "seed-1/ia-dpo/pairs.json")),
            }),
        },
        bench: {
            name: "bench",
            args: (out) => ["bench", "--preset", "test", "--run", path.join(out, "run"), "--cache", path.join(out, "cache"), "--device", "cpu"],
            roots: (out) => [path.join(out, "run"), path.join(out, "cache")],
            base: null,
            prepare: (out) => {
                if (!sizes.benchWithBase) return;
                const entry = path.dirname(fx.base);
                fs.cpSync(entry, path.join(out, "cache", "base", path.basename(entry)), { recursive: true });
            },
            fingerprint: (out) => ({
                bench: stableJson(path.join(out, "run/bench/bench.json"), out),
                ...hashes(path.join(out, "run"), /^adapter_model\.safetensors$/, "run/"),
                ...hashes(path.join(out, "cache"), /\.safetensors$/, "cache/"),
            }),
        },
    };
}
