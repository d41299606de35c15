/**
 * Leftovers of writers killed mid-write: `<name>.tmp-<pid>-<n>` files (writeFileAtomic) and `<name>.tmp-<pid>-<n>` /
 * `<name>.old-<pid>-<n>` folders (writeDirAtomic). Nothing reads them, so they only cost disk space; a stage
 * removes those in its own folder when it starts. Only leftovers of processes that are no longer alive are
 * removed: another live process may be writing next to us (two runs sharing a cache).
 */
import fs from "node:fs";
import path from "node:path";

export const TEMP_NAME_RE = /\.(tmp|old)-(\d+)-\d+$/;

/**
 * Whether `pid` still runs. A child that exited stays a zombie until its parent's event loop reaps it, which never
 * happens while a synchronous stage blocks (src/parallel/pool.ts), so a zombie counts as gone: it writes nothing more.
 */
export function processAlive(pid: number): boolean {
    if (pid === process.pid) return true;
    try {
        process.kill(pid, 0);
    } catch (err) {
        // EPERM: the process exists but belongs to someone else.
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const end = stat.lastIndexOf(")");
        return stat.slice(end + 2, end + 3) !== "Z";
    } catch {
        // No /proc (not Linux): the signal check alone.
        return true;
    }
}

/** Removes dead writers' temp files and folders directly inside `dir` (not below). Returns what it removed. */
export function removeStaleTemps(dir: string): string[] {
    let names: string[];
    try {
        names = fs.readdirSync(dir);
    } catch {
        return [];
    }
    const removed: string[] = [];
    for (const name of names) {
        const m = TEMP_NAME_RE.exec(name);
        if (!m || processAlive(Number(m[2]))) continue;
        const p = path.join(dir, name);
        fs.rmSync(p, { recursive: true, force: true });
        removed.push(p);
    }
    return removed;
}
