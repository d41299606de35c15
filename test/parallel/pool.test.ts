// The process pool (src/parallel/pool.ts): tasks spread over real child processes, a child that dies mid-task, and
// the population and pipeline built side by side giving, bit for bit, what one single-threaded process gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildBase } from "../../src/base/buildBase.ts";
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import { getNumThreads, initEngine, setNumThreads } from "../../src/engine/runtime.ts";
import { runPipeline } from "../../src/ia/pipeline.ts";
import { pipelinePreset } from "../../src/ia/presets.ts";
import { buildPopulation } from "../../src/organisms/population.ts";
import { processAlive } from "../../src/io/staleTemps.ts";
import { poolProcesses, runTaskPool } from "../../src/parallel/pool.ts";
import { tmpDir } from "../helpers/engineUtil.ts";
import { fileRunner, type FileJob } from "./fileRunner.ts";

initEngine(2);
const root = tmpDir("pool");
const RUNNER = { module: fileURLToPath(new URL("./fileRunner.ts", import.meta.url)), name: "fileRunner" };

function withEnv<R>(vars: Record<string, string | undefined>, fn: () => R): R {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(vars)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    try {
        return fn();
    } finally {
        for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    }
}

function pool(name: string, job: Omit<FileJob, "out">, processes: number, pre: string[] = []) {
    const out = path.join(root, name);
    fs.mkdirSync(out, { recursive: true });
    for (const t of pre) fs.writeFileSync(path.join(out, `${t}.done`), "before");
    const full: FileJob = { ...job, out, ...(processes > 1 ? { claims: path.join(out, "claims") } : {}) };
    const tasks = Array.from({ length: 6 }, (_, i) => `t${i}`);
    const done = (t: string) => fs.existsSync(path.join(out, `${t}.done`));
    const threads = getNumThreads();
    runTaskPool({ dir: path.join(out, "claims"), tasks, processes, runner: RUNNER, job: full, runHere: fileRunner(full), isDone: done, label: "pool-test", quiet: true });
    assert.equal(getNumThreads(), threads, "the caller's thread count is restored");
    assert.ok(!fs.existsSync(path.join(out, "claims")), "claims are cleared");
    return Object.fromEntries(tasks.map((t) => [t, fs.readFileSync(path.join(out, `${t}.done`), "utf8")]));
}

test("pool: tasks run in single-threaded children and here; finished tasks are not rerun", () => {
    const ran = pool("spread", { delayMs: 100 }, 3, ["t0"]);
    assert.equal(ran.t0, "before");
    const pids = new Set(Object.values(ran).filter((v) => v !== "before").map((v) => v.split(" ")[0]));
    assert.ok(pids.has(String(process.pid)), "this process took tasks");
    assert.ok(pids.size >= 2, `children took tasks too (pids ${[...pids].join(", ")})`);
    for (const v of Object.values(ran)) if (v !== "before" && !v.startsWith(`${process.pid} `)) assert.equal(v.split(" ")[1], "1", "children run one thread");
});

test("pool: a child that dies on a task leaves it to the caller, which runs it", () => {
    const ran = pool("crash", { failInChild: true, delayMs: 100 }, 2);
    const died = fs.readdirSync(path.join(root, "crash")).filter((f) => f.endsWith(".died")).map((f) => f.replace(/\.died$/, ""));
    assert.equal(died.length, 1, "the child took a task and died on it");
    for (const v of Object.values(ran)) assert.ok(v.startsWith(`${process.pid} `), "every task, the dead child's too, was run here");
});

test("pool: one process runs every task here, in order, with no child", () => {
    const ran = pool("single", {}, 1);
    for (const v of Object.values(ran)) assert.ok(v.startsWith(`${process.pid} `));
});

test("poolProcesses: IA_WORKERS decides, else cores × perCore on the CPU and one process on a GPU, never more than the tasks", () => {
    withEnv({ IA_WORKERS: "3" }, () => assert.equal(poolProcesses("cpu", 10), 3));
    withEnv({ IA_WORKERS: "3" }, () => assert.equal(poolProcesses("cpu", 2), 2));
    withEnv({ IA_WORKERS: "1" }, () => assert.equal(poolProcesses("cpu", 10), 1));
    withEnv({ IA_WORKERS: undefined }, () => {
        assert.equal(poolProcesses("cuda", 10), 1);
        const cores = poolProcesses("cpu", 1000);
        assert.ok(cores >= 1);
        assert.equal(poolProcesses("cpu", 1000, 2), 2 * cores);
        assert.equal(poolProcesses("cpu", 1), 1);
    });
});

test("a pool child whose parent is gone stops at its next check", () => {
    const gone = spawnSync("true").pid!;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", `import(${JSON.stringify(fileURLToPath(new URL("../../src/parallel/pool.ts", import.meta.url)))}).then((m) => { m.exitIfOrphaned(); console.log("still here"); })`], { env: { ...process.env, IA_POOL_PARENT: String(gone) }, encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /parent \d+ is gone/);
    assert.doesNotMatch(r.stdout, /still here/);
    assert.equal(processAlive(gone), false);
    const child = spawn("sleep", ["5"]);
    try {
        assert.equal(processAlive(child.pid!), true);
    } finally {
        child.kill("SIGKILL");
    }
});

test("population: banks trained side by side equal banks trained one after another, bit for bit (one thread each)", () => {
    const base = buildBase({ preset: "test", seed: 1, cacheDir: path.join(root, "base"), quiet: true });
    const specs = buildCatalogue({ seed: 1, perFamily: 1, examples: 16 });
    const build = (name: string, workers: string) => withEnv({ IA_WORKERS: workers }, () =>
        buildPopulation({ baseModel: base.dir, specs, outDir: path.join(root, name), config: { bankSize: 3, epochs: 1 }, verifyProbes: 4, quiet: true }));
    const threads = getNumThreads();
    setNumThreads(1);
    let one;
    try {
        one = build("pop-one", "1");
    } finally {
        setNumThreads(threads);
    }
    const two = build("pop-two", "2");
    assert.deepEqual(two.organisms.map((e) => e.id), specs.map((s) => s.id), "every organism, in spec order");
    assert.deepEqual(two.organisms.map((e) => e.verification), one.organisms.map((e) => e.verification));
    assert.equal(two.timings.groups.length, 4, "10 organisms in 4 banks of 3, 3, 2, 2");
    assert.deepEqual(two.timings.groups.map((g) => g.size).sort(), [2, 2, 3, 3]);
    for (const e of two.organisms) {
        const file = (dir: string) => fs.readFileSync(path.join(root, dir, e.adapter, "adapter_model.safetensors"));
        assert.ok(file("pop-two").equals(file("pop-one")), `${e.id}: same adapter`);
    }
    assert.deepEqual(fs.readdirSync(path.join(root, "pop-two", "work")), [], "no bank results or claims left behind");
});

test("pipeline: IA seeds trained and sampled side by side give the single process's IAs and figures, bit for bit", () => {
    const preset = { ...pipelinePreset("test"), seeds: [1, 2, 3] };
    const cacheDir = path.join(root, "cache");
    const threads = getNumThreads();
    setNumThreads(1);
    let one;
    try {
        one = withEnv({ IA_WORKERS: "1" }, () => runPipeline({ preset, runDir: path.join(root, "run-one"), cacheDir, device: "cpu", quiet: true }));
    } finally {
        setNumThreads(threads);
    }
    const pooled = withEnv({ IA_WORKERS: "3" }, () => runPipeline({ preset, runDir: path.join(root, "run-pool"), cacheDir, device: "cpu", quiet: true }));
    assert.deepEqual(pooled.report.results, one.report.results);
    assert.deepEqual(pooled.report.summary, one.report.summary);
    for (const seed of preset.seeds) {
        for (const stage of ["ia-sft", "ia-dpo"]) {
            const file = (run: string) => fs.readFileSync(path.join(root, run, `seed-${seed}`, stage, "adapter", "adapter_model.safetensors"));
            assert.ok(file("run-pool").equals(file("run-one")), `seed ${seed} ${stage}: same adapter`);
        }
        assert.ok(fs.existsSync(path.join(root, "run-pool", `seed-${seed}`, "sampled.json")), `seed ${seed} was run by the pool`);
    }
    assert.ok(!fs.existsSync(path.join(root, "run-pool", "claims")));
});
