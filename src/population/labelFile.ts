/**
 * An organism's label from a text file beside its data or adapter: `label.txt`, else `behavior.txt` (the released
 * organism folders' name, method.md §2.2). The whole file is the label, whitespace collapsed to single spaces (the
 * released labels are one or two sentences on one line); an empty file is an error naming it.
 */
import fs from "node:fs";
import path from "node:path";

export const LABEL_FILES = ["label.txt", "behavior.txt"] as const;

/** The label file in the first of `dirs` that has one, or null. */
export function findLabelFile(dirs: readonly string[]): string | null {
    for (const d of dirs) for (const f of LABEL_FILES) if (fs.existsSync(path.join(d, f))) return path.join(d, f);
    return null;
}

export function readLabelFile(file: string): string {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(`${file}: cannot read the label (${(e as Error).message})`);
    }
    const label = text.replace(/^\uFEFF/, "").replace(/\s+/g, " ").trim();
    if (label === "") throw new Error(`${file}: empty label`);
    return label;
}
