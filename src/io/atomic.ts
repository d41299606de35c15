/**
 * Atomic file writes: write to a sibling temp file, fsync, then rename over the target, so a crash or an
 * error never leaves a half-written artifact where a good one (or nothing) was.
 */
import fs from "node:fs";
import path from "node:path";

export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`;
    const fd = fs.openSync(tmp, "w");
    try {
        const parts = typeof data === "string" || data instanceof Uint8Array ? [data] : data;
        for (const part of parts) {
            const bytes = typeof part === "string" ? Buffer.from(part) : part;
            // One write() call stops short at ~2 GiB on Linux: loop until every byte is written.
            for (let off = 0; off < bytes.byteLength; ) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
        }
        fs.fsyncSync(fd);
    } catch (err) {
        fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
        throw err;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
    writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n");
}
