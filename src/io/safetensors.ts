/**
 * Pure-TypeScript reader/writer for single safetensors files (https://github.com/huggingface/safetensors).
 *
 * Layout: u64 little-endian header length N, N bytes of JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}}` (offsets relative to
 * the first byte after the header), then the tensor bytes (little-endian, row-major).
 *
 * Reading goes tensor by tensor through a file descriptor (never the whole file into one buffer) and
 * validates the header strictly enough that a malformed or truncated file throws an Error naming the file,
 * instead of yielding wrong data. Unlike the Rust library it tolerates gaps between tensors and trailing
 * bytes, since those cannot corrupt what is read. Writing reproduces the Python/Rust library byte for byte:
 * tensors ordered by dtype (descending, the library's enum order, so every tensor stays aligned to its
 * item size) then by name, compact JSON, `__metadata__` first, header padded with spaces to a multiple of 8.
 *
 * Sharded checkpoint folders live in `checkpointFiles.ts`; float16/bfloat16 conversion in `floatConvert.ts`
 * (re-exported here).
 */
import fs from "node:fs";
import { preview } from "../util/preview.ts";
import { writeFileAtomic } from "./atomic.ts";

export { f32ToBf16Bytes, bf16BytesToF32, f32ToF16Bytes, f16BytesToF32 } from "./floatConvert.ts";

export type SafeDType = "F32" | "F16" | "BF16" | "F64" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/**
 * One tensor in memory. `data` holds exactly numel*itemsize little-endian bytes, row-major.
 * Tensors returned by the readers own their ArrayBuffer with byteOffset 0, so typed-array views over
 * `data.buffer` are safe.
 */
export interface RawTensor {
    dtype: SafeDType;
    shape: number[];
    data: Uint8Array;
}

/** Header entry with absolute byte offsets into the file (data start already added). */
export interface SafetensorsHeaderEntry {
    dtype: SafeDType;
    shape: number[];
    begin: number;
    end: number;
}

const ITEM_SIZE: Readonly<Record<SafeDType, number>> = {
    F64: 8,
    I64: 8,
    F32: 4,
    I32: 4,
    F16: 2,
    BF16: 2,
    I16: 2,
    I8: 1,
    U8: 1,
    BOOL: 1,
};

/**
 * Position in the Rust library's `Dtype` enum (restricted to the dtypes we support). The library sorts
 * tensors by this, descending, before the name; reproducing it is what makes our files byte-identical.
 */
const LIBRARY_DTYPE_RANK: Readonly<Record<SafeDType, number>> = {
    BOOL: 0,
    U8: 1,
    I8: 2,
    I16: 3,
    F16: 4,
    BF16: 5,
    I32: 6,
    F32: 7,
    F64: 8,
    I64: 9,
};

/** Same limit as the reference implementation; anything larger is a corrupt length field. */
const MAX_HEADER_BYTES = 100_000_000;

/** Reads and writes go in pieces of at most this size: one read()/write() call is capped near 2 GiB. */
const IO_CHUNK_BYTES = 1 << 28;

const METADATA_KEY = "__metadata__";

export function isSafeDType(d: unknown): d is SafeDType {
    return typeof d === "string" && Object.prototype.hasOwnProperty.call(ITEM_SIZE, d);
}

export function dtypeItemSize(d: SafeDType): number {
    if (!isSafeDType(d)) throw new Error(`dtypeItemSize: unknown safetensors dtype ${JSON.stringify(d)}`);
    return ITEM_SIZE[d];
}

/** Element count of a shape, validating every dim; `where` prefixes the error message. */
export function shapeNumel(shape: unknown, where: string): number {
    if (!Array.isArray(shape)) throw new Error(`${where}: shape must be an array, got ${preview(shape)}`);
    let n = 1;
    for (const d of shape) {
        if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
            throw new Error(`${where}: shape ${preview(shape)} has an invalid dimension ${preview(d)} (need a non-negative integer)`);
        }
        n *= d;
        if (!Number.isSafeInteger(n)) throw new Error(`${where}: shape ${preview(shape)} has too many elements`);
    }
    return n;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------- reading

interface ParsedHeader {
    entries: Map<string, SafetensorsHeaderEntry>;
    metadata: Record<string, string>;
    dataStart: number;
}

function fileSizeOf(fd: number): number {
    return fs.fstatSync(fd).size;
}

/** Reads exactly `length` bytes at `position` into `dst`, or throws naming the file (truncation mid-read). */
function readExactly(fd: number, file: string, dst: Uint8Array, position: number, what: string): void {
    let done = 0;
    while (done < dst.byteLength) {
        const want = Math.min(IO_CHUNK_BYTES, dst.byteLength - done);
        const got = fs.readSync(fd, dst, done, want, position + done);
        if (got === 0) {
            throw new Error(`${file}: unexpected end of file while reading ${what} (got ${done} of ${dst.byteLength} bytes at offset ${position})`);
        }
        done += got;
    }
}

function parseHeaderFromFd(fd: number, file: string): ParsedHeader {
    const fileSize = fileSizeOf(fd);
    if (fileSize < 8) throw new Error(`${file}: not a safetensors file: only ${fileSize} bytes, shorter than the 8-byte header length`);
    const lenBuf = new Uint8Array(8);
    readExactly(fd, file, lenBuf, 0, "the header length");
    const n64 = new DataView(lenBuf.buffer).getBigUint64(0, true);
    if (n64 > BigInt(MAX_HEADER_BYTES)) {
        throw new Error(`${file}: safetensors header length ${n64} is absurd (limit ${MAX_HEADER_BYTES} bytes); not a safetensors file or corrupt`);
    }
    const n = Number(n64);
    if (8 + n > fileSize) {
        throw new Error(`${file}: safetensors header length ${n} runs past the end of the ${fileSize}-byte file (truncated or not a safetensors file)`);
    }
    const headerBytes = new Uint8Array(n);
    readExactly(fd, file, headerBytes, 8, "the header");
    let text: string;
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
    } catch {
        throw new Error(`${file}: safetensors header is not valid UTF-8`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (err) {
        throw new Error(`${file}: safetensors header is not valid JSON (${(err as Error).message})`);
    }
    if (!isPlainObject(json)) throw new Error(`${file}: safetensors header must be a JSON object, got ${Array.isArray(json) ? "an array" : preview(json)}`);

    const dataStart = 8 + n;
    let metadata: Record<string, string> = {};
    const raw: [string, SafetensorsHeaderEntry][] = [];
    for (const [name, value] of Object.entries(json)) {
        if (name === METADATA_KEY) {
            metadata = parseMetadata(value, file);
            continue;
        }
        raw.push([name, parseEntry(name, value, file, dataStart, fileSize)]);
    }
    // Sort by position so overlaps are adjacent, and so iteration follows the file (sequential reads).
    raw.sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
    for (let i = 1; i < raw.length; i++) {
        const [prevName, prev] = raw[i - 1]!;
        const [name, cur] = raw[i]!;
        if (cur.begin < prev.end) {
            throw new Error(`${file}: tensors ${JSON.stringify(prevName)} [${prev.begin - dataStart}, ${prev.end - dataStart}) and ${JSON.stringify(name)} [${cur.begin - dataStart}, ${cur.end - dataStart}) overlap`);
        }
    }
    return { entries: new Map(raw), metadata, dataStart };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
    if (value === null) return {};
    if (!isPlainObject(value)) throw new Error(`${file}: safetensors "__metadata__" must be an object of strings`);
    for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") throw new Error(`${file}: safetensors "__metadata__" value for ${JSON.stringify(k)} must be a string, got ${preview(v)}`);
    }
    return Object.fromEntries(Object.entries(value as Record<string, string>));
}

function parseEntry(name: string, value: unknown, file: string, dataStart: number, fileSize: number): SafetensorsHeaderEntry {
    const where = `${file}: tensor ${JSON.stringify(name)}`;
    if (!isPlainObject(value)) throw new Error(`${where}: header entry must be an object, got ${preview(value)}`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (!isSafeDType(dtype)) {
        throw new Error(`${where}: unknown or unsupported dtype ${preview(dtype)} (supported: ${Object.keys(ITEM_SIZE).join(", ")})`);
    }
    const numel = shapeNumel(shape, where);
    if (
        !Array.isArray(offsets) ||
        offsets.length !== 2 ||
        !offsets.every((o): o is number => typeof o === "number" && Number.isSafeInteger(o) && o >= 0)
    ) {
        throw new Error(`${where}: data_offsets must be two non-negative integers, got ${preview(offsets)}`);
    }
    const [b, e] = offsets as [number, number];
    if (e < b) throw new Error(`${where}: data_offsets [${b}, ${e}] end before they begin`);
    const expected = numel * ITEM_SIZE[dtype];
    if (e - b !== expected) {
        throw new Error(`${where}: data_offsets [${b}, ${e}] span ${e - b} bytes but ${dtype} shape ${preview(shape)} needs ${expected}`);
    }
    if (dataStart + e > fileSize) {
        throw new Error(`${where}: data_offsets [${b}, ${e}] run past the end of the file (${fileSize - dataStart} data bytes present); the file is truncated`);
    }
    return { dtype, shape: (shape as number[]).slice(), begin: dataStart + b, end: dataStart + e };
}

/** Parses and validates the header of a safetensors file without reading any tensor data. */
export function readSafetensorsHeader(file: string): { entries: Map<string, SafetensorsHeaderEntry>; metadata: Record<string, string>; dataStart: number } {
    const fd = fs.openSync(file, "r");
    try {
        return parseHeaderFromFd(fd, file);
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Reads one tensor's bytes from an open descriptor into a fresh ArrayBuffer. `entry` must come from this
 * file's validated header.
 */
export function readTensorAt(fd: number, file: string, name: string, entry: SafetensorsHeaderEntry): RawTensor {
    const data = new Uint8Array(entry.end - entry.begin);
    readExactly(fd, file, data, entry.begin, `tensor ${JSON.stringify(name)}`);
    return { dtype: entry.dtype, shape: entry.shape.slice(), data };
}

/**
 * Reads tensors from a safetensors file: all of them (in file order), or only `names` (in that order; an
 * absent name throws). Each tensor is read separately at its offset.
 */
export function readSafetensors(file: string, opts?: { names?: string[] }): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
    const fd = fs.openSync(file, "r");
    try {
        const { entries, metadata } = parseHeaderFromFd(fd, file);
        const wanted = opts?.names ?? [...entries.keys()];
        const tensors = new Map<string, RawTensor>();
        for (const name of wanted) {
            const entry = entries.get(name);
            if (!entry) throw new Error(`${file}: no tensor named ${JSON.stringify(name)} (file has ${entries.size} tensors)`);
            if (!tensors.has(name)) tensors.set(name, readTensorAt(fd, file, name, entry));
        }
        return { tensors, metadata };
    } finally {
        fs.closeSync(fd);
    }
}

// ---------------------------------------------------------------- writing

const utf8 = new TextEncoder();

/** Lone UTF-16 surrogates cannot be encoded as UTF-8 and would be silently replaced; refuse them. */
function checkWellFormed(s: string, what: string, file: string): void {
    if (/\p{Cs}/u.test(s)) throw new Error(`${file}: ${what} ${JSON.stringify(s)} contains a lone UTF-16 surrogate`);
}

/** Byte-wise UTF-8 order, which is how the Rust library compares names (JS `<` compares UTF-16 units). */
function compareUtf8(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Writes tensors to `file` atomically, in the exact byte layout the Python `safetensors` library produces.
 * `metadata` (when given, even empty) is written as `__metadata__`; its keys are sorted for determinism
 * (the Rust library uses a HashMap, so multi-key metadata order is arbitrary there).
 */
export function writeSafetensors(file: string, tensors: Map<string, RawTensor> | Record<string, RawTensor>, metadata?: Record<string, string>): void {
    const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
    for (const [name, t] of list) {
        const where = `${file}: tensor ${JSON.stringify(name)}`;
        if (name === METADATA_KEY) throw new Error(`${file}: a tensor cannot be named "${METADATA_KEY}"`);
        checkWellFormed(name, "tensor name", file);
        if (!isSafeDType(t.dtype)) throw new Error(`${where}: unknown dtype ${JSON.stringify(t.dtype)}`);
        const numel = shapeNumel(t.shape, where);
        if (!(t.data instanceof Uint8Array)) throw new Error(`${where}: data must be a Uint8Array`);
        const expected = numel * ITEM_SIZE[t.dtype];
        if (t.data.byteLength !== expected) {
            throw new Error(`${where}: data has ${t.data.byteLength} bytes but ${t.dtype} shape ${JSON.stringify(t.shape)} needs ${expected}`);
        }
    }
    list.sort((a, b) => LIBRARY_DTYPE_RANK[b[1].dtype] - LIBRARY_DTYPE_RANK[a[1].dtype] || compareUtf8(a[0], b[0]));

    // The JSON is assembled by hand: a JS object would reorder integer-like keys ahead of the others.
    const parts: string[] = [];
    if (metadata !== undefined) {
        const keys = Object.keys(metadata).sort(compareUtf8);
        const inner: string[] = [];
        for (const k of keys) {
            const v = metadata[k];
            if (typeof v !== "string") throw new Error(`${file}: metadata value for ${JSON.stringify(k)} must be a string`);
            checkWellFormed(k, "metadata key", file);
            checkWellFormed(v, "metadata value", file);
            inner.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
        }
        parts.push(`${JSON.stringify(METADATA_KEY)}:{${inner.join(",")}}`);
    }
    let offset = 0;
    for (const [name, t] of list) {
        const end = offset + t.data.byteLength;
        parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`);
        offset = end;
    }
    const json = utf8.encode(`{${parts.join(",")}}`);
    const padded = new Uint8Array(Math.ceil(json.byteLength / 8) * 8).fill(0x20);
    padded.set(json);
    const lenBytes = new Uint8Array(8);
    new DataView(lenBytes.buffer).setBigUint64(0, BigInt(padded.byteLength), true);

    const chunks: Uint8Array[] = [lenBytes, padded];
    for (const [, t] of list) {
        for (let i = 0; i < t.data.byteLength; i += IO_CHUNK_BYTES) {
            chunks.push(t.data.subarray(i, Math.min(i + IO_CHUNK_BYTES, t.data.byteLength)));
        }
    }
    writeFileAtomic(file, chunks);
}
