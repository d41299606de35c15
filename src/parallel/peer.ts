/**
 * A peer process of startDataParallel (dataParallel.ts): `node --import tsx peer.ts <job.json>`. Joins the group
 * with its rank and runs the job's training entry, which trains its share of every step.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { initEngine } from "../engine/runtime.ts";
import { readJsonFile } from "../io/json.ts";
import { DataParallelGroup, type DataParallelPeer } from "./dataParallel.ts";
import type { TaskRunnerRef } from "./pool.ts";

const jobFile = process.argv[2];
if (!jobFile) throw new Error("usage: peer.ts <job.json> (started by startDataParallel)");
const spec = readJsonFile(jobFile, "data-parallel job") as { runner: TaskRunnerRef; job: unknown; dir: string; rank: number; world: number };
initEngine();
const mod = (await import(pathToFileURL(path.resolve(spec.runner.module)).href)) as Record<string, unknown>;
const entry = mod[spec.runner.name];
if (typeof entry !== "function") throw new Error(`${jobFile}: ${spec.runner.module} has no data-parallel entry ${JSON.stringify(spec.runner.name)}`);
const group = new DataParallelGroup(spec.dir, spec.rank, spec.world);
(entry as DataParallelPeer)(spec.job, group);
group.close();
