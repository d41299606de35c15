/**
 * A child process of runTaskPool (pool.ts): `node --import tsx worker.ts <job.json>`. Loads the runner the job
 * names, then claims and runs tasks until none is left, or until its parent is gone (an interrupted pipeline must
 * not leave children training behind it).
 */
import { initEngine } from "../engine/runtime.ts";
import { claimNext, exitIfOrphaned, loadChildJob, type TaskRunnerFactory, type TaskRunnerRef } from "./pool.ts";

initEngine();
const { spec, entry } = await loadChildJob<{ runner: TaskRunnerRef; job: unknown; dir: string; tasks: string[] }>("task pool job");
const run = (entry as TaskRunnerFactory)(spec.job);
// The job lists the tasks left when the pool started, and a finished task keeps its claim until the pool ends, so
// an unclaimed task is one nobody has run: no completion check is needed here (the parent makes it).
for (;;) {
    exitIfOrphaned();
    const task = claimNext(spec.dir, spec.tasks, () => false);
    if (!task) break;
    process.env.IA_POOL_TASK = task;
    run(task);
}
