/**
 * Where adapter names may point: only inside the configured roots. A root is `DIR` (names are paths under it)
 * or `PREFIX=DIR` (the name `PREFIX` is DIR itself and `PREFIX/sub` is under it). A name is a relative path of
 * plain segments ([A-Za-z0-9._-], no `.`/`..`, no empty segment, no backslash); its real path (symlinks
 * resolved) must stay inside the root's real path, so neither `../` nor a symlink can reach outside.
 */
import fs from "node:fs";
import path from "node:path";
import { ApiError } from "./errors.ts";

export interface AdapterRoot {
    prefix: string;
    dir: string;
    /** realpath of dir */
    real: string;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const MAX_NAME = 200;

export class AdapterRoots {
    readonly roots: AdapterRoot[];

    constructor(specs: readonly string[]) {
        this.roots = specs.map((spec) => {
            const eq = spec.indexOf("=");
            const prefix = eq > 0 && !spec.slice(0, eq).includes("/") ? spec.slice(0, eq) : "";
            const dir = path.resolve(prefix ? spec.slice(eq + 1) : spec);
            if (prefix && !checkName(prefix)) throw new Error(`adapter root ${spec}: prefix '${prefix}' is not a plain name ([A-Za-z0-9._-])`);
            let real: string;
            try {
                real = fs.realpathSync(dir);
            } catch {
                throw new Error(`adapter root ${dir}: folder does not exist`);
            }
            if (!fs.statSync(real).isDirectory()) throw new Error(`adapter root ${dir}: not a folder`);
            return { prefix, dir, real };
        });
    }

    /** The real path of the adapter folder `name`, or an ApiError saying why not (never a path outside a root). */
    resolve(name: string): string {
        if (!checkName(name)) {
            throw new ApiError(400, `invalid adapter name '${printable(name)}': use a relative name of plain segments ([A-Za-z0-9._-], no '..', no leading '/')`, "invalid_adapter_name", "model");
        }
        let escaped = false;
        for (const root of this.roots) {
            let rel: string;
            if (root.prefix) {
                if (name === root.prefix) rel = "";
                else if (name.startsWith(root.prefix + "/")) rel = name.slice(root.prefix.length + 1);
                else continue;
            } else rel = name;
            const candidate = path.join(root.real, rel);
            let real: string;
            try {
                real = fs.realpathSync(candidate);
            } catch {
                continue;
            }
            if (real !== root.real && !real.startsWith(root.real + path.sep)) {
                escaped = true;
                continue;
            }
            if (!fs.statSync(real).isDirectory() || !fs.existsSync(path.join(real, "adapter_config.json"))) {
                throw new ApiError(404, `adapter '${name}' is not a PEFT adapter folder (no adapter_config.json)`, "adapter_not_found", "model");
            }
            return real;
        }
        if (escaped) throw new ApiError(403, `adapter '${name}' resolves outside the configured adapter roots (symlink); refused`, "adapter_outside_roots", "model");
        throw new ApiError(404, `adapter '${name}' not found in the configured adapter roots`, "adapter_not_found", "model");
    }

    /** Adapter names found under the roots (folders with adapter_config.json), up to `depth` levels, at most `limit`. */
    list(depth = 3, limit = 1000): string[] {
        const out: string[] = [];
        const walk = (real: string, name: string, d: number): void => {
            if (out.length >= limit) return;
            if (name && fs.existsSync(path.join(real, "adapter_config.json"))) out.push(name);
            if (d === 0) return;
            let entries: fs.Dirent[];
            try {
                entries = fs.readdirSync(real, { withFileTypes: true });
            } catch {
                return;
            }
            for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
                if (!e.isDirectory() || !SEGMENT.test(e.name)) continue; // symlinks are not followed when listing
                walk(path.join(real, e.name), name ? `${name}/${e.name}` : e.name, d - 1);
            }
        };
        for (const r of this.roots) walk(r.real, r.prefix, depth);
        return [...new Set(out)];
    }
}

function checkName(name: string): boolean {
    if (name.length === 0 || name.length > MAX_NAME) return false;
    return name.split("/").every((s) => SEGMENT.test(s) && s !== "." && s !== "..");
}

function printable(s: string): string {
    const t = s.length > 80 ? s.slice(0, 80) + "..." : s;
    return t.replace(/[^\x20-\x7e]/g, "?");
}
