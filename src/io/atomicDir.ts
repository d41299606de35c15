/**
 * Folder-level atomic writes, for artifacts made of several files (a PEFT adapter: weights + adapter_config.json;
 * a model folder: weights, config, tokenizer). The folder is filled under a sibling temp name and renamed into
 * place, so a reader (or a rerun after a kill) sees the old complete folder, the new complete folder, or — only
 * for the instant between the two renames of a replacement — no folder: never a mix or a half-written one.
 * Linux cannot rename a folder over a non-empty one, hence the two renames.
 */
import fs from "node:fs";
import path from "node:path";

let counter = 0;

/** `${dir}.tmp-<pid>-<n>`: the pid lets removeStaleTemps tell a dead writer's leftovers from a live one's. */
function siblingName(dir: string, kind: "tmp" | "old"): string {
    return `${dir}.${kind}-${process.pid}-${counter++}`;
}

/** Calls `fill(tmpDir)` to write the folder's files, then swaps the result in at `dir`. */
export function writeDirAtomic(dir: string, fill: (tmpDir: string) => void): void {
    const target = path.resolve(dir);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = siblingName(target, "tmp");
    fs.mkdirSync(tmp);
    try {
        fill(tmp);
    } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw err;
    }
    if (!fs.existsSync(target)) {
        fs.renameSync(tmp, target);
        return;
    }
    const old = siblingName(target, "old");
    fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
}
