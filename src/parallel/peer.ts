/**
 * A peer process of runDataParallel (dataParallel.ts): `node --import tsx peer.ts <job.json>`. Joins the group
 * with its rank and runs the job's training entry, which trains its share of every step.
 */
import { initEngine } from "../engine/runtime.ts";
import { DataParallelGroup, type DataParallelPeer } from "./dataParallel.ts";
import { loadChildJob, type TaskRunnerRef } from "./pool.ts";

initEngine();
const { spec, entry } = await loadChildJob<{ runner: TaskRunnerRef; job: unknown; dir: string; rank: number; world: number }>("data-parallel job");
const group = new DataParallelGroup(spec.dir, spec.rank, spec.world);
(entry as DataParallelPeer)(spec.job, group);
group.close();
