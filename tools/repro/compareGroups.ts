/**
 * Compares the IA groups of two runs of the same preset (e.g. built on two machines, or under two BLAS kernel
 * paths): every organism must have been drawn into the same role on both (groups.json records the role each failed
 * organism was drawn into), so the runs differ only by which organisms failed verification.
 *
 *   node --import tsx tools/repro/compareGroups.ts runs/a/groups.json runs/b/groups.json
 *
 * Exits 1 when a role disagrees.
 */
import fs from "node:fs";

interface GroupsFile {
    failed?: string[];
    failedDrawnInto?: Record<string, string>;
    [role: string]: unknown;
}

/** Kept organisms by role, and the role every organism (kept or failed) was drawn into. */
function roles(file: string): { role: Map<string, string>; drawn: Map<string, string>; failed: Set<string> } {
    const g = JSON.parse(fs.readFileSync(file, "utf8")) as GroupsFile;
    if (!g.failedDrawnInto) throw new Error(`${file}: no "failedDrawnInto" (written by runs since groups are drawn before verification)`);
    const role = new Map<string, string>();
    for (const [name, ids] of Object.entries(g)) if (name !== "failed" && Array.isArray(ids)) for (const id of ids as string[]) role.set(id, name);
    const drawn = new Map([...role, ...Object.entries(g.failedDrawnInto)]);
    return { role, drawn, failed: new Set(g.failed ?? []) };
}

const [fileA, fileB] = process.argv.slice(2);
if (!fileA || !fileB) {
    process.stderr.write("usage: compareGroups.ts A/groups.json B/groups.json\n");
    process.exit(2);
}
const a = roles(fileA), b = roles(fileB);
let disagreements = 0;
const roleNames = [...new Set([...a.role.values(), ...b.role.values()])].sort();
const lines = ["| group | kept in A | kept in B | kept in both | same role in both |", "|---|---|---|---|---|"];
for (const r of roleNames) {
    const inA = [...a.role].filter(([, x]) => x === r).map(([id]) => id);
    const inB = [...b.role].filter(([, x]) => x === r).map(([id]) => id);
    const both = inA.filter((id) => b.role.has(id));
    const same = both.filter((id) => b.role.get(id) === r);
    disagreements += both.length - same.length;
    lines.push(`| ${r} | ${inA.length} | ${inB.length} | ${both.length} | ${same.length} |`);
}
for (const [id, r] of a.drawn) {
    if (!b.drawn.has(id)) {
        process.stdout.write(`${id}: drawn in A only\n`);
        disagreements++;
    } else if (b.drawn.get(id) !== r) {
        process.stdout.write(`${id}: drawn into ${r} in A, ${b.drawn.get(id)} in B\n`);
        disagreements++;
    }
}
if (b.drawn.size !== a.drawn.size) disagreements++;
const onlyFailedA = [...a.failed].filter((id) => !b.failed.has(id));
const onlyFailedB = [...b.failed].filter((id) => !a.failed.has(id));
process.stdout.write(`${lines.join("\n")}\n\nfailed verification: A ${a.failed.size}, B ${b.failed.size}; only in A: ${onlyFailedA.join(", ") || "none"}; only in B: ${onlyFailedB.join(", ") || "none"}\n`);
process.stdout.write(disagreements === 0 ? `all ${a.drawn.size} organisms were drawn into the same role in both runs\n` : `${disagreements} organisms differ in their drawn role\n`);
process.exit(disagreements === 0 ? 0 : 1);
