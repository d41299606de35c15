/**
 * `sha256:<hex>` of a file, read in 16 MiB pieces (adapters of large models are several GiB, past what one
 * readFileSync may return).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";

export function fileSha256(file: string): string {
    const hash = createHash("sha256");
    const buf = Buffer.allocUnsafe(16 << 20);
    const fd = fs.openSync(file, "r");
    try {
        for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
    } finally {
        fs.closeSync(fd);
    }
    return `sha256:${hash.digest("hex")}`;
}
