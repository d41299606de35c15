/**
 * A child process of runTaskPool (pool.ts): `node --import tsx worker.ts <job.json>`. Loads the runner the job
 * names, then claims and runs tasks until none is left, or until its parent is gone (an interrupted pipeline must
 * not leave children training behind it).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { readJsonFile } from "../io/json.ts";
import { claimNext, exitIfOrphaned, type TaskRunnerFactory, type TaskRunnerRef } from "./pool.ts";
import { initEngine } from "../engine/runtime.ts";

interface JobFile {
    runner: TaskRunnerRef;
    job: unknown;
    dir: string;
    tasks: string[];
}

const jobFile = process.argv[2];
if (!jobFile) throw new Error("usage: worker.ts <job.json> (started by runTaskPool)");
const spec = readJsonFile(jobFile, "task pool job") as JobFile;

initEngine();
const mod = (await import(pathToFileURL(path.resolve(spec.runner.module)).href)) as Record<string, unknown>;
const factory = mod[spec.runner.name];
if (typeof factory !== "function") throw new Error(`${jobFile}: ${spec.runner.module} has no task runner ${JSON.stringify(spec.runner.name)}`);
const run = (factory as TaskRunnerFactory)(spec.job);
// The job lists the tasks left when the pool started, and a finished task keeps its claim until the pool ends, so
// an unclaimed task is one nobody has run: no completion check is needed here (the parent makes it).
for (;;) {
    exitIfOrphaned();
    const task = claimNext(spec.dir, spec.tasks, () => false);
    if (!task) break;
    process.env.IA_POOL_TASK = task;
    run(task);
}
