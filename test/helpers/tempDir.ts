/**
 * Temp folders for tests: a fresh folder under os.tmpdir(), removed when the test process exits. Test support only.
 *
 * Removal happens on the process's 'exit' event, not in node:test's `after` hook, so one helper works wherever it is
 * called: at module top level, in a shared fixture, in a test, and in a `before` hook (an `after` registered inside
 * a `before` hook belongs to that hook and runs as soon as the hook ends, before the tests use the folder). Under
 * `node --test` every test file runs in a process of its own, so "when the process exits" is "when the file is
 * done". Child processes the tests started and waited for have finished writing by then; a late writer only makes
 * removal retry.
 *
 * Not removed: folders of a test process killed by a signal (no 'exit' event then). IA_KEEP_TEST_TMP=1 keeps every
 * folder and names them on stderr at exit, for debugging.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const dirs = new Set<string>();
let registered = false;

function removeAll(): void {
    if (process.env.IA_KEEP_TEST_TMP === "1") {
        if (dirs.size > 0) process.stderr.write(`IA_KEEP_TEST_TMP=1: kept ${[...dirs].join(", ")}\n`);
        return;
    }
    for (const dir of dirs) {
        try {
            fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
        } catch (err) {
            process.stderr.write(`could not remove test temp folder ${dir}: ${(err as Error).message}\n`);
        }
    }
    dirs.clear();
}

/** A fresh folder `<os.tmpdir()>/<prefix>-XXXXXX`, removed when this process exits. */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    dirs.add(dir);
    if (!registered) {
        process.on("exit", removeAll);
        registered = true;
    }
    return dir;
}
