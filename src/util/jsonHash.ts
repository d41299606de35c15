import crypto from "node:crypto";

/**
 * A short content key: sha256 of `JSON.stringify(x)`, cut to `length` hex digits. Cache folders and stage keys are
 * named with it; each caller keeps the length its existing keys were made with, so that no cache is invalidated.
 */
export function jsonHash(x: unknown, length = 64): string {
    return crypto.createHash("sha256").update(JSON.stringify(x)).digest("hex").slice(0, length);
}
