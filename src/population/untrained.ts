/**
 * Organisms imported without an adapter — the paper's released organism folders, `<id>/train.jsonl` +
 * `behavior.txt` — listed in `<population>/untrained.json` until they are trained:
 *
 *   {"version": 1, "baseModel": "/abs/base", "organisms": [
 *     {"id", "family", "label", "split", "data": "/abs/.../train.jsonl", "examples": 123, "dataHash": "sha256:..."}]}
 *
 * The tiny world's organism builder (`ia organisms`) synthesizes its own data from structured specs and cannot take a
 * train.jsonl, so these are trained one at a time with `ia train` (LoRA SFT on chat JSONL) and then added with
 * `ia population add --id ID`, which takes the label, family, split and data hash from this list and removes the
 * organism from it. `untrained.sh` beside the list has both commands for every organism (rerunnable: it skips
 * organisms already in the population). Entries whose id is already in manifest.json are dropped when read (a kill
 * between writing the manifest and this list leaves nothing stale).
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { readJsonFile } from "../io/json.ts";
import type { BehaviorFamily } from "../behaviors/types.ts";
import { checkFamily } from "./naming.ts";

export const UNTRAINED_FILE = "untrained.json";
export const UNTRAINED_SCRIPT = "untrained.sh";

export interface UntrainedOrganism {
    id: string;
    family: BehaviorFamily;
    label: string;
    split: "train" | "heldout";
    /** The organism's training data (absolute path): chat JSONL, one {"messages": [...]} per line. */
    data: string;
    examples: number;
    dataHash: string;
}

export interface UntrainedList {
    version: 1;
    baseModel: string;
    organisms: UntrainedOrganism[];
}

/** The list in a population folder, or null; entries already in the manifest (`known` ids) are dropped. */
export function readUntrained(popDir: string, known: ReadonlySet<string> = new Set()): UntrainedList | null {
    const file = path.join(popDir, UNTRAINED_FILE);
    if (!fs.existsSync(file)) return null;
    const j = readJsonFile(file, "list of untrained organisms") as Record<string, unknown> | null;
    const fail = (m: string): never => {
        throw new Error(`${file}: ${m}`);
    };
    if (!j || typeof j !== "object" || j.version !== 1 || typeof j.baseModel !== "string" || !Array.isArray(j.organisms)) fail(`expected {"version": 1, "baseModel": ..., "organisms": [...]}`);
    const organisms = (j!.organisms as unknown[]).map((x, i): UntrainedOrganism => {
        const o = x as Record<string, unknown>;
        const where = `organisms[${i}]`;
        if (!o || typeof o !== "object") fail(`${where}: not an object`);
        for (const k of ["id", "family", "label", "data", "dataHash"]) if (typeof o[k] !== "string") fail(`${where}: "${k}" must be a string`);
        if (o.split !== "train" && o.split !== "heldout") fail(`${where}: "split" must be "train" or "heldout"`);
        if (typeof o.examples !== "number" || !Number.isSafeInteger(o.examples) || o.examples < 0) fail(`${where}: "examples" must be a non-negative integer`);
        return {
            id: o.id as string, family: checkFamily(o.family as string, `${file}: ${where}`), label: o.label as string, split: o.split as "train" | "heldout",
            data: o.data as string, examples: o.examples as number, dataHash: o.dataHash as string,
        };
    });
    return { version: 1, baseModel: j!.baseModel as string, organisms: organisms.filter((o) => !known.has(o.id)) };
}

function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The commands that train and add every listed organism (bash; rerunnable). */
export function untrainedScript(popDir: string, list: UntrainedList, iaBin: string): string {
    const pop = path.resolve(popDir);
    const lines = [
        "#!/usr/bin/env bash",
        "# Written by `ia population import`: trains each organism listed in untrained.json with `ia train` (LoRA SFT on its",
        "# train.jsonl; default settings, see `ia train --help`) and adds it with `ia population add`. Rerunnable: organisms",
        "# already in the population are skipped, an interrupted training resumes.",
        "set -euo pipefail",
        `IA=${shellQuote(iaBin)}`,
        `BASE=${shellQuote(list.baseModel)}`,
        `POP=${shellQuote(pop)}`,
    ];
    for (const o of list.organisms) {
        lines.push(
            "",
            `# ${o.id} (${o.family}): ${o.label.replace(/\n/g, " ")}`,
            `if [ ! -d "$POP/organisms/${o.id}" ]; then`,
            `  "$IA" train --model "$BASE" --data ${shellQuote(o.data)} --out "$POP/untrained/${o.id}" --resume`,
            `  "$IA" population add --population "$POP" --base "$BASE" --adapter "$POP/untrained/${o.id}/adapter" --id ${o.id}`,
            "fi",
        );
    }
    return lines.join("\n") + "\n";
}

/** Writes the list and its script (each atomically); an empty list removes both. */
export function writeUntrained(popDir: string, list: UntrainedList, iaBin: string): void {
    const file = path.join(popDir, UNTRAINED_FILE), script = path.join(popDir, UNTRAINED_SCRIPT);
    if (list.organisms.length === 0) {
        fs.rmSync(file, { force: true });
        fs.rmSync(script, { force: true });
        return;
    }
    writeJsonAtomic(file, list);
    writeFileAtomic(script, untrainedScript(popDir, list, iaBin));
    fs.chmodSync(script, 0o755);
}
