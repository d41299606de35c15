// A task runner for the pool's tests (loaded by pool children by path): each task writes `<out>/<task>.done`
// holding the pid that ran it; with `failInChild` a child dies on any task it takes, as a crash would, leaving
// `<task>.died`.
import fs from "node:fs";
import path from "node:path";
import { sleep, type TaskRunnerFactory } from "../../src/parallel/pool.ts";

export interface FileJob {
    out: string;
    failInChild?: boolean;
    delayMs?: number;
}

export const fileRunner: TaskRunnerFactory = (job) => {
    const j = job as FileJob;
    return (task) => {
        if (j.failInChild && process.env.IA_POOL_PARENT) {
            fs.writeFileSync(path.join(j.out, `${task}.died`), String(process.pid));
            process.exit(3);
        }
        sleep(j.delayMs ?? 0);
        fs.writeFileSync(path.join(j.out, `${task}.done`), `${process.pid} ${process.env.IA_THREADS ?? ""}`);
    };
};
