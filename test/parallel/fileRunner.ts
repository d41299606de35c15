// A task runner for the pool's tests (loaded by pool children by path): each task writes `<out>/<task>.done`
// holding the pid that ran it; with `failInChild` a child dies on any task it takes, as a crash would, leaving
// `<task>.died`; with `claims`, the caller's first task waits until a child has claimed one (children take about a
// second to start), so that the tests see children at work whatever the machine's speed.
import fs from "node:fs";
import path from "node:path";
import { sleep, type TaskRunnerFactory } from "../../src/parallel/pool.ts";

export interface FileJob {
    out: string;
    failInChild?: boolean;
    delayMs?: number;
    claims?: string;
}

/** Waits (at most a minute) for a claim file in `dir` written by another process. */
function awaitChildClaim(dir: string): void {
    for (let waited = 0; waited < 60_000; waited += 50) {
        const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".claim")) : [];
        if (names.some((f) => { try { return fs.readFileSync(path.join(dir, f), "utf8") !== String(process.pid); } catch { return false; } })) return;
        sleep(50);
    }
    throw new Error(`no child claimed a task in ${dir} within a minute`);
}

export const fileRunner: TaskRunnerFactory = (job) => {
    const j = job as FileJob;
    let first = true;
    return (task) => {
        if (j.claims && first && !process.env.IA_POOL_PARENT) awaitChildClaim(j.claims);
        first = false;
        if (j.failInChild && process.env.IA_POOL_PARENT) {
            fs.writeFileSync(path.join(j.out, `${task}.died`), String(process.pid));
            process.exit(3);
        }
        sleep(j.delayMs ?? 0);
        fs.writeFileSync(path.join(j.out, `${task}.done`), `${process.pid} ${process.env.IA_THREADS ?? ""}`);
    };
};
