/**
 * Independent tasks (organism banks, IA seeds) spread over several single-threaded processes of one machine.
 *
 * Why processes: the tiny world's ops are small (hidden size 128), so a second libtorch thread buys only 1.35-1.4x
 * on 2 cores, while two single-threaded processes run side by side at 0.95x each (1.9x together; measured on
 * base-model training steps, RESULTS.md "Both cores at work"). Work whose tasks share nothing but files gains the
 * difference.
 *
 * How: every process, this one included, claims tasks in order by creating `<dir>/<task>.claim` exclusively, runs
 * them, and claims the next; a finished task keeps its claim until the pool ends. The calling process blocks (the
 * pipeline is synchronous) until every task reports done through `isDone` (the task's own result files), so results
 * and their bookkeeping stay the caller's. A child that
 * dies or fails leaves a claim whose process is gone: the caller runs that task itself, so a child's error surfaces
 * here with its own message, and a pool never does less than a single process would. Children are spawned with
 * IA_THREADS=1 and leave when their parent is gone (exitIfOrphaned, checked between tasks and at every training
 * step), so a killed pipeline leaves nothing training behind it; the task's checkpoint stays for whoever claims
 * it next.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defaultThreads, getNumThreads, setNumThreads } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readJsonFile } from "../io/json.ts";
import { processAlive } from "../io/staleTemps.ts";

/** What a child process loads to run tasks: `module`'s export `name`, called once with `job`, returns the runner. */
export interface TaskRunnerRef {
    module: string;
    name: string;
}
export type TaskRunnerFactory = (job: unknown) => (task: string) => void;

export interface TaskPoolOptions {
    /** Where claims and the job file go (created; claims of dead processes are removed on entry). */
    dir: string;
    /** Task ids, safe as file names, in the order they are claimed. */
    tasks: readonly string[];
    /** Processes in all, this one included (see poolProcesses). 1 runs every task here, in order. */
    processes: number;
    /** How children run a task. */
    runner: TaskRunnerRef;
    /** Everything a child's runner needs (JSON). */
    job: unknown;
    /** How this process runs a task (may share what it already loaded). */
    runHere: (task: string) => void;
    /** Whether a task's results are complete (read from the files the task writes). */
    isDone: (task: string) => boolean;
    /** Called in this process after each task it ran and while it waits (e.g. to merge results as they arrive). */
    onProgress?: () => void;
    label: string;
    quiet?: boolean;
}

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const WAIT_MS = 250;

/**
 * Processes to use for `tasks` independent tasks: IA_WORKERS when set (1 turns the pool off), else `perCore` per core
 * the run may use (IA_THREADS, else every core) on the CPU (more than one when a few long tasks would otherwise leave a core idle at the end); one on a GPU (the tasks would share one device, and a GPU run is not bound by small CPU ops).
 */
export function poolProcesses(device: string, tasks: number, perCore = 1): number {
    const env = Number(process.env.IA_WORKERS);
    const wanted = Number.isInteger(env) && env > 0 ? env : device === "cpu" ? perCore * defaultThreads() : 1;
    return Math.max(1, Math.min(wanted, tasks));
}

export function runTaskPool(o: TaskPoolOptions): void {
    const log = (m: string) => o.quiet || process.stderr.write(`[${o.label}] ${m}\n`);
    const todo = o.tasks.filter((t) => !o.isDone(t));
    if (todo.length === 0) return;
    fs.mkdirSync(o.dir, { recursive: true });
    for (const t of o.tasks) releaseIfDead(o.dir, t, true);
    const children: ChildProcess[] = [];
    const threads = getNumThreads();
    const processes = Math.max(1, Math.min(o.processes, todo.length));
    try {
        if (processes > 1) {
            const jobFile = path.join(o.dir, "job.json");
            writeJsonAtomic(jobFile, { runner: o.runner, job: o.job, dir: o.dir, tasks: todo });
            setNumThreads(1);
            for (let i = 1; i < processes; i++) children.push(spawnChild(WORKER, jobFile));
            log(`${todo.length} tasks over ${processes} single-threaded processes (IA_WORKERS=1 runs them in this one)`);
        }
        for (;;) {
            const mine = claimNext(o.dir, o.tasks, o.isDone);
            if (mine) {
                if (processes > 1) process.env.IA_POOL_TASK = mine;
                try {
                    o.runHere(mine);
                } finally {
                    delete process.env.IA_POOL_TASK;
                }
                o.onProgress?.();
                continue;
            }
            const waiting = o.tasks.filter((t) => !o.isDone(t));
            if (waiting.length === 0) break;
            // A claim whose process is gone will never finish: free it, and the next claimNext takes it here.
            if (waiting.some((t) => releaseIfDead(o.dir, t, false))) continue;
            sleep(WAIT_MS);
            o.onProgress?.();
        }
    } finally {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
        if (threads !== getNumThreads()) setNumThreads(threads);
        for (const t of o.tasks) {
            if (o.isDone(t)) fs.rmSync(claimFile(o.dir, t), { force: true });
            else releaseIfDead(o.dir, t, false);
        }
        fs.rmSync(path.join(o.dir, "job.json"), { force: true });
        try {
            fs.rmdirSync(o.dir);
        } catch {
            // Claims of live processes (another run sharing the folder) stay.
        }
    }
}

/** Claims the first task that is neither done nor claimed; null when there is none. */
export function claimNext(dir: string, tasks: readonly string[], isDone: (task: string) => boolean): string | null {
    for (const t of tasks) {
        if (isDone(t)) continue;
        try {
            fs.writeFileSync(claimFile(dir, t), String(process.pid), { flag: "wx" });
            return t;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        }
    }
    return null;
}

/** Frees `task`'s claim when its process is gone (or, with `ownToo`, is this one: a claim left from a run that stopped). */
function releaseIfDead(dir: string, task: string, ownToo: boolean): boolean {
    const file = claimFile(dir, task);
    let pid: number;
    try {
        pid = Number(fs.readFileSync(file, "utf8"));
    } catch {
        return false;
    }
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && (pid !== process.pid || !ownToo)) return false;
    fs.rmSync(file, { force: true });
    return true;
}

function claimFile(dir: string, task: string): string {
    return path.join(dir, `${task}.claim`);
}

/**
 * A single-threaded child process of this one running `entry` (a .ts file) on `jobFile`, with this process's loader
 * flags (tsx) but not its test-runner or inspector flags, and its output going where ours goes. IA_WORKERS=1 keeps
 * it from starting pools of its own; IA_POOL_PARENT lets it notice when we are gone (exitIfOrphaned).
 */
export function spawnChild(entry: string, jobFile: string): ChildProcess {
    const loader: string[] = [];
    const a = process.execArgv;
    for (let i = 0; i < a.length; i++) {
        const f = a[i]!;
        if (f === "--import" || f === "--loader" || f === "--require" || f === "-r") loader.push(f, a[++i]!);
        else if (/^--(import|loader|require|experimental-[a-z-]+)(=|$)/.test(f)) loader.push(f);
    }
    return spawn(process.execPath, [...loader, entry, jobFile], {
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, IA_THREADS: "1", IA_WORKERS: "1", IA_POOL_PARENT: String(process.pid) },
    });
}

/**
 * In a child (worker.ts, peer.ts): reads the job file its parent wrote and loads the entry point it names (an export
 * of a module, by path). Returns the job file's contents and the entry.
 */
export async function loadChildJob<J extends { runner: TaskRunnerRef }>(what: string): Promise<{ spec: J; entry: (...args: never[]) => unknown }> {
    const jobFile = process.argv[2];
    if (!jobFile) throw new Error(`usage: ${path.basename(process.argv[1] ?? "child")} <job.json> (started by its parent: ${what})`);
    const spec = readJsonFile(jobFile, what) as J;
    const mod = (await import(pathToFileURL(path.resolve(spec.runner.module)).href)) as Record<string, unknown>;
    const entry = mod[spec.runner.name];
    if (typeof entry !== "function") throw new Error(`${jobFile}: ${spec.runner.module} has no export ${JSON.stringify(spec.runner.name)} to run (${what})`);
    return { spec, entry: entry as (...args: never[]) => unknown };
}

const poolParent = Number(process.env.IA_POOL_PARENT);

/** In a pool's child: exits when the parent is gone (killed); elsewhere a no-op. */
export function exitIfOrphaned(): void {
    if (!Number.isInteger(poolParent) || poolParent <= 0 || processAlive(poolParent)) return;
    process.stderr.write(`[pool] parent ${poolParent} is gone: child ${process.pid} stops\n`);
    process.exit(1);
}

export function sleep(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
