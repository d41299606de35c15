/**
 * What an import source folder holds. Two layouts, told apart per organism folder (one source may mix them):
 *
 * (a) trained: `SRC/<name>/` is a PEFT adapter folder (any layout src/lora/peftLayout.ts resolves: adapter files in
 *     the folder, or in its one named-adapter subfolder) with `label.txt` or `behavior.txt` beside
 *     adapter_config.json (or in `<name>/`);
 * (b) released organism data (method.md §2.2, e.g. `introspection-auditing/llama-problematic-mo-training-data`):
 *     `SRC/<name>/train.jsonl` + `behavior.txt`, no adapter yet. train.jsonl must be chat JSONL
 *     (`{"messages": [...]}` per line, what `ia train` reads): the released schema is not documented (method.md §7),
 *     so every line is checked now and a file in another shape is refused, naming its file and line.
 *
 * SRC may also be one organism folder itself. Hidden entries and plain files at the top (README.md,
 * .gitattributes of a Hugging Face dataset) are ignored; any other folder that is neither (a) nor (b) is an error.
 */
import fs from "node:fs";
import path from "node:path";
import { readChatJsonl } from "../train/chatData.ts";
import { ADAPTER_CONFIG, resolveAdapterFolder } from "../lora/peftLayout.ts";
import { fileSha256 } from "./fileHash.ts";
import { findLabelFile, LABEL_FILES, readLabelFile } from "./labelFile.ts";

export interface SourceAdapter {
    kind: "adapter";
    /** The organism folder (SRC/<name>). */
    dir: string;
    name: string;
    label: string;
}

export interface SourceData {
    kind: "data";
    dir: string;
    name: string;
    label: string;
    /** SRC/<name>/train.jsonl (absolute). */
    data: string;
    examples: number;
    dataHash: string;
}

export type SourceOrganism = SourceAdapter | SourceData;

function hasAdapter(dir: string): boolean {
    if (fs.existsSync(path.join(dir, ADAPTER_CONFIG))) return true;
    try {
        return resolveAdapterFolder(dir).layout === "named";
    } catch {
        return true; // a PEFT-shaped folder with a problem (pickle, several adapters): let the adapter check say what
    }
}

function isOrganismFolder(dir: string): boolean {
    return fs.existsSync(path.join(dir, "train.jsonl")) || fs.existsSync(path.join(dir, ADAPTER_CONFIG));
}

/** One organism folder of the source. */
export function readSourceOrganism(dir: string): SourceOrganism {
    const name = path.basename(path.resolve(dir));
    if (hasAdapter(dir)) {
        let labelDirs = [dir];
        try {
            labelDirs = [resolveAdapterFolder(dir).dir, dir];
        } catch {
            // The adapter check reports it.
        }
        const file = findLabelFile(labelDirs);
        if (!file) throw new Error(`${dir}: a PEFT adapter folder without a label: put its first-person label in ${LABEL_FILES.join(" or ")} beside adapter_config.json`);
        return { kind: "adapter", dir, name, label: readLabelFile(file) };
    }
    const data = path.join(dir, "train.jsonl");
    if (fs.existsSync(data)) {
        const behavior = findLabelFile([dir]);
        if (!behavior) throw new Error(`${dir}: released organism data (train.jsonl) without behavior.txt (its label)`);
        const label = readLabelFile(behavior);
        let rows;
        try {
            rows = readChatJsonl(data);
        } catch (e) {
            throw new Error(`${(e as Error).message} (\`ia train\` learns from chat JSONL, {"messages": [{"role", "content"}, ...]} per line; convert the released train.jsonl to that shape first)`);
        }
        return { kind: "data", dir, name, label, data: path.resolve(data), examples: rows.length, dataHash: fileSha256(data) };
    }
    throw new Error(`${dir}: neither a PEFT adapter folder (adapter_config.json + adapter_model.safetensors, with label.txt or behavior.txt) nor a released organism folder (train.jsonl + behavior.txt)`);
}

/** Every organism folder of the source, sorted by name; problems of all of them in one error (at most 20 listed). */
export function readImportSource(src: string): SourceOrganism[] {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(src);
    } catch {
        throw new Error(`${src}: import source does not exist`);
    }
    if (!stat.isDirectory()) throw new Error(`${src}: import source must be a folder of organism folders`);
    const dirs = isOrganismFolder(src) ? [src] : fs.readdirSync(src).filter((n) => !n.startsWith(".") && fs.statSync(path.join(src, n)).isDirectory()).sort().map((n) => path.join(src, n));
    if (dirs.length === 0) throw new Error(`${src}: no organism folders (expected <name>/adapter_config.json with label.txt, or <name>/train.jsonl with behavior.txt)`);
    const out: SourceOrganism[] = [];
    const problems: string[] = [];
    for (const d of dirs) {
        try {
            out.push(readSourceOrganism(d));
        } catch (e) {
            problems.push((e as Error).message);
        }
    }
    if (problems.length > 0) {
        const shown = problems.slice(0, 20).map((p) => `  ${p}`).join("\n");
        throw new Error(`${src}: ${problems.length} of ${dirs.length} organism folders cannot be imported (nothing was imported):\n${shown}${problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : ""}`);
    }
    return out;
}
