/** Every file under dir with a hash of its bytes: shows that a refused command wrote nothing. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export function treeHashes(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (!fs.existsSync(dir)) return out;
    for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
        const p = path.join(dir, f);
        if (fs.statSync(p).isFile()) out[f] = createHash("sha256").update(fs.readFileSync(p)).digest("hex");
    }
    return out;
}
