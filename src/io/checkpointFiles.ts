/**
 * Hugging Face checkpoint folders on top of `safetensors.ts`: either one `model.safetensors`, or shards
 * `model-0000K-of-0000N.safetensors` listed by `model.safetensors.index.json`
 * (`{metadata: {total_size}, weight_map: {tensor: shard}}`).
 *
 * Like transformers, a `model.safetensors` takes precedence over an index when both exist. Only these
 * safetensors layouts are understood: no `pytorch_model.bin`, no adapter files, no other prefixes.
 * Multi-file writes are each atomic, but a folder rewrite as a whole is not transactional.
 */
import fs from "node:fs";
import path from "node:path";
import { preview } from "../util/preview.ts";
import { writeJsonAtomic } from "./atomic.ts";
import { readSafetensorsHeader, readTensorAt, writeSafetensors, type RawTensor, type SafetensorsHeaderEntry } from "./safetensors.ts";

export const SINGLE_FILE_NAME = "model.safetensors";
export const INDEX_FILE_NAME = "model.safetensors.index.json";
const SHARD_NAME_RE = /^model-\d{5}-of-\d{5}\.safetensors$/;

/** transformers' default `max_shard_size="5GB"` (decimal). */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

export interface WriteCheckpointOptions {
    /**
     * Largest total tensor-data size of one file, in bytes; above it the folder is sharded. A single tensor
     * larger than this gets a shard of its own (as in huggingface_hub). Default: 5_000_000_000.
     */
    maxShardBytes?: number;
    /**
     * `__metadata__` for every file written. Default: `{format: "pt"}`; `format: "pt"` is added when missing
     * because transformers refuses safetensors files whose metadata lacks a known format.
     */
    metadata?: Record<string, string>;
}

function shardName(k: number, n: number): string {
    return `model-${String(k).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.safetensors`;
}

/** Parses the index file and returns tensor -> shard path, with shard names confined to the folder. */
function readIndex(folder: string, indexPath: string): Map<string, string> {
    let json: unknown;
    try {
        json = JSON.parse(fs.readFileSync(indexPath, "utf8"));
    } catch (err) {
        throw new Error(`${indexPath}: cannot read index (${(err as Error).message})`);
    }
    const weightMap = typeof json === "object" && json !== null ? (json as { weight_map?: unknown }).weight_map : undefined;
    if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
        throw new Error(`${indexPath}: missing or invalid "weight_map" object`);
    }
    const entries = Object.entries(weightMap as Record<string, unknown>);
    if (entries.length === 0) throw new Error(`${indexPath}: "weight_map" is empty`);
    const root = path.resolve(folder);
    const out = new Map<string, string>();
    for (const [name, shard] of entries) {
        if (typeof shard !== "string" || shard === "") {
            throw new Error(`${indexPath}: weight_map entry for ${JSON.stringify(name)} must be a file name, got ${preview(shard)}`);
        }
        const shardPath = path.resolve(root, shard);
        const rel = path.relative(root, shardPath);
        if (path.isAbsolute(shard) || rel === "" || rel === ".." || rel.startsWith(`..${path.sep}`)) {
            throw new Error(`${indexPath}: weight_map entry for ${JSON.stringify(name)} points outside the folder: ${JSON.stringify(shard)}`);
        }
        out.set(name, shardPath);
    }
    return out;
}

/**
 * Every tensor of the checkpoint in `folder` with the file holding it and its header entry (absolute
 * offsets). For an index, each named shard must exist and contain the tensors the index assigns to it;
 * tensors present in a shard but absent from the weight_map are ignored, as transformers does.
 */
export function listCheckpointTensors(folder: string): Map<string, { file: string; entry: SafetensorsHeaderEntry }> {
    const single = path.join(folder, SINGLE_FILE_NAME);
    const out = new Map<string, { file: string; entry: SafetensorsHeaderEntry }>();
    if (fs.existsSync(single)) {
        for (const [name, entry] of readSafetensorsHeader(single).entries) out.set(name, { file: single, entry });
        return out;
    }
    const indexPath = path.join(folder, INDEX_FILE_NAME);
    if (!fs.existsSync(indexPath)) {
        const hasBin = fs.existsSync(path.join(folder, "pytorch_model.bin")) || fs.existsSync(path.join(folder, "pytorch_model.bin.index.json"));
        throw new Error(
            `${folder}: no ${SINGLE_FILE_NAME} or ${INDEX_FILE_NAME}` + (hasBin ? " (only pytorch_model.bin weights found; convert them to safetensors)" : ""),
        );
    }
    const weightMap = readIndex(folder, indexPath);
    const headers = new Map<string, Map<string, SafetensorsHeaderEntry>>();
    for (const [name, shardPath] of weightMap) {
        let entries = headers.get(shardPath);
        if (!entries) {
            if (!fs.existsSync(shardPath)) {
                throw new Error(`${indexPath}: weight_map puts ${JSON.stringify(name)} in ${path.basename(shardPath)}, but ${shardPath} does not exist`);
            }
            entries = readSafetensorsHeader(shardPath).entries;
            headers.set(shardPath, entries);
        }
        const entry = entries.get(name);
        if (!entry) throw new Error(`${indexPath}: weight_map puts ${JSON.stringify(name)} in ${shardPath}, but that file has no such tensor`);
        out.set(name, { file: shardPath, entry });
    }
    return out;
}

/**
 * Reads the whole checkpoint, or only `names` (in that order; an unknown name throws). Each file is opened
 * once and each tensor read at its own offset.
 */
export function readCheckpointTensors(folder: string, names?: string[]): Map<string, RawTensor> {
    const listing = listCheckpointTensors(folder);
    const wanted = names ?? [...listing.keys()];
    const located = wanted.map((name) => {
        const loc = listing.get(name);
        if (!loc) throw new Error(`${folder}: checkpoint has no tensor named ${JSON.stringify(name)}`);
        return [name, loc] as const;
    });
    // Read grouped by file in offset order (sequential I/O), then hand back in the requested order.
    const byFile = new Map<string, (typeof located)[number][]>();
    for (const item of located) {
        const group = byFile.get(item[1].file);
        if (group) group.push(item);
        else byFile.set(item[1].file, [item]);
    }
    const read = new Map<string, RawTensor>();
    for (const [file, group] of byFile) {
        group.sort((a, b) => a[1].entry.begin - b[1].entry.begin);
        const fd = fs.openSync(file, "r");
        try {
            // The header was validated when listing; make sure the file did not shrink since.
            const size = fs.fstatSync(fd).size;
            for (const [name, { entry }] of group) {
                if (entry.end > size) throw new Error(`${file}: tensor ${JSON.stringify(name)} runs past the end of the file (truncated while reading?)`);
                if (!read.has(name)) read.set(name, readTensorAt(fd, file, name, entry));
            }
        } finally {
            fs.closeSync(fd);
        }
    }
    const out = new Map<string, RawTensor>();
    for (const [name] of located) out.set(name, read.get(name)!);
    return out;
}

/** Splits tensors into shards the way huggingface_hub's `split_state_dict_into_shards_factory` does. */
function planShards(tensors: Map<string, RawTensor>, maxShardBytes: number): Map<string, RawTensor>[] {
    const shards: Map<string, RawTensor>[] = [];
    let current = new Map<string, RawTensor>();
    let currentBytes = 0;
    for (const [name, t] of tensors) {
        const size = t.data.byteLength;
        if (size > maxShardBytes) {
            shards.push(new Map([[name, t]]));
            continue;
        }
        if (currentBytes + size > maxShardBytes) {
            shards.push(current);
            current = new Map();
            currentBytes = 0;
        }
        current.set(name, t);
        currentBytes += size;
    }
    if (current.size > 0 || shards.length === 0) shards.push(current);
    return shards;
}

/** Removes shard files (by our naming pattern) that the new layout does not use. */
function removeStaleShards(folder: string, keep: ReadonlySet<string>): void {
    if (!fs.existsSync(folder)) return;
    for (const name of fs.readdirSync(folder)) {
        if (SHARD_NAME_RE.test(name) && !keep.has(name)) fs.rmSync(path.join(folder, name), { force: true });
    }
}

/**
 * Writes `tensors` as a checkpoint in `folder`: one `model.safetensors` when the total data fits
 * `maxShardBytes`, else numbered shards plus `model.safetensors.index.json` (weight_map keys sorted).
 * Stale `model.safetensors` / index / `model-*-of-*.safetensors` files from an earlier layout are removed so
 * the folder is unambiguous. Shards follow the map's insertion order.
 */
export function writeCheckpointTensors(folder: string, tensors: Map<string, RawTensor>, opts?: WriteCheckpointOptions): void {
    const maxShardBytes = opts?.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
    if (!Number.isSafeInteger(maxShardBytes) || maxShardBytes <= 0) {
        throw new Error(`writeCheckpointTensors(${folder}): maxShardBytes must be a positive integer, got ${maxShardBytes}`);
    }
    const metadata = { format: "pt", ...opts?.metadata };
    let totalSize = 0;
    for (const t of tensors.values()) totalSize += t.data.byteLength;

    const single = path.join(folder, SINGLE_FILE_NAME);
    const indexPath = path.join(folder, INDEX_FILE_NAME);
    if (totalSize <= maxShardBytes) {
        writeSafetensors(single, tensors, metadata);
        fs.rmSync(indexPath, { force: true });
        removeStaleShards(folder, new Set());
        return;
    }
    const shards = planShards(tensors, maxShardBytes);
    const weightMap: [string, string][] = [];
    const names = new Set<string>();
    shards.forEach((shard, i) => {
        const name = shardName(i + 1, shards.length);
        names.add(name);
        writeSafetensors(path.join(folder, name), shard, metadata);
        for (const tensorName of shard.keys()) weightMap.push([tensorName, name]);
    });
    // Drop a stale single file before the index appears: it would otherwise shadow the new shards.
    fs.rmSync(single, { force: true });
    weightMap.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    writeJsonAtomic(indexPath, { metadata: { total_size: totalSize }, weight_map: Object.fromEntries(weightMap) });
    removeStaleShards(folder, names);
}
