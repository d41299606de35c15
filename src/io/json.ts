/**
 * Reading JSON files the project wrote itself: a manifest or config that is damaged fails naming the file (it is
 * trusted afterwards); a cache that is damaged or was written for other inputs is simply recomputed.
 */
import fs from "node:fs";

/** The parsed file; a damaged one fails with the file, what it is and `hint` (what to do about it). */
export function readJsonFile(file: string, what: string, hint?: string): unknown {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file}: unreadable ${what} (${(e as Error).message})${hint ? `; ${hint}` : ""}`);
    }
}

/**
 * A cache file `{ key, ... }`: its contents when it was written for `key`, else null (missing, damaged, or written for
 * other inputs: recomputed and overwritten, never trusted). Without `key`, any key is accepted.
 */
export function readKeyedCache<T extends object>(file: string, ...key: [unknown?]): T | null {
    if (!fs.existsSync(file)) return null;
    try {
        const c = JSON.parse(fs.readFileSync(file, "utf8")) as T & { key?: unknown };
        if (typeof c !== "object" || c === null) return null;
        return key.length === 0 || JSON.stringify(c.key) === JSON.stringify(key[0]) ? c : null;
    } catch {
        return null;
    }
}
