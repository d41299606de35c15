// Data-parallel training (src/parallel/dataParallel.ts) on the tiny world's base: two single-threaded processes give
// the model one single-threaded process gives, bit for bit, and so does a run whose peer is killed part way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildBase } from "../../src/base/buildBase.ts";
import { getNumThreads, initEngine, setNumThreads } from "../../src/engine/runtime.ts";
import { processAlive } from "../../src/io/staleTemps.ts";
import { runDataParallel } from "../../src/parallel/dataParallel.ts";
import { tmpDir } from "../helpers/engineUtil.ts";
import { WAITING_PEER, waitForPeer } from "./dataParallelPeers.ts";

initEngine(2);
const root = tmpDir("data-parallel");
// The test preset at enough steps to start a peer (buildBase's DATA_PARALLEL_MIN_STEPS) and to outlast its start.
const STEPS = 300;
// Where startDataParallel puts its exchange folder.
const SHARED = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();

function base(cache: string, workers: string) {
    const saved = process.env.IA_WORKERS;
    process.env.IA_WORKERS = workers;
    try {
        return buildBase({ preset: "test", seed: 1, cacheDir: path.join(root, cache), overrides: { steps: STEPS }, quiet: true });
    } finally {
        if (saved === undefined) delete process.env.IA_WORKERS;
        else process.env.IA_WORKERS = saved;
    }
}

const weights = (dir: string) => fs.readFileSync(path.join(dir, "model.safetensors"));
const metrics = (dir: string) => fs.readFileSync(path.join(path.dirname(dir), "train", "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { loss: number; liveTensors: number });
const losses = (dir: string) => metrics(dir).map((m) => m.loss);

let alone: ReturnType<typeof base>;
test("base: one single-threaded process", () => {
    const threads = getNumThreads();
    setNumThreads(1);
    try {
        alone = base("one", "1");
    } finally {
        setNumThreads(threads);
    }
});

test("base: two processes train the same model, bit for bit, and log the same losses", () => {
    const two = base("two", "2");
    assert.ok(weights(two.dir).equals(weights(alone.dir)), "same weights");
    assert.deepEqual(losses(two.dir), losses(alone.dir));
    // The gradient exchange leaves no tensor behind from step to step (rank 0's count, logged with its metrics).
    const live = metrics(two.dir).map((m) => m.liveTensors);
    assert.deepEqual(live, live.map(() => live[0]), `live tensors per logged step: ${live.join(", ")}`);
    assert.equal(two.evaluation.accuracy, alone.evaluation.accuracy);
    assert.equal(fs.readdirSync(SHARED).filter((f) => f.startsWith(`ia-dp-${process.pid}-`)).length, 0, "the exchange folder is removed");
});

test("base: a peer killed part way leaves rank 0 to finish alone, with the same model", async () => {
    // Once the peer has sent a step (a file of its in the exchange folder), kill it: its command line names its
    // job file in that folder ("[.]" keeps the pattern from matching this shell's own command line).
    const dir = path.join(SHARED, `ia-dp-${process.pid}-`);
    const killer = spawn("sh", ["-c", `for i in $(seq 1 600); do if ls ${dir}*/s*-r1.bin >/dev/null 2>&1; then sleep 0.2; pkill -9 -f "peer[.]ts ${dir}" && exit 0; exit 2; fi; sleep 0.05; done; exit 1`]);
    const exited = once(killer, "exit");
    const killed = base("killed", "2");
    const [code] = await exited;
    assert.equal(code, 0, "the peer was killed while it ran");
    assert.ok(weights(killed.dir).equals(weights(alone.dir)), "same weights");
});

test("a rank 0 that fails stops its peers and removes the exchange folder", () => {
    const threads = getNumThreads();
    let dir = "";
    let peer = 0;
    assert.throws(() => runDataParallel({ processes: 2, runner: WAITING_PEER, job: null }, (group) => {
        dir = group.dir;
        peer = waitForPeer(group);
        throw new Error("rank 0 failed");
    }), /rank 0 failed/);
    assert.ok(dir.includes(`ia-dp-${process.pid}-`), dir);
    assert.ok(!fs.existsSync(dir), "the exchange folder is removed");
    assert.ok(!processAlive(peer), "the peer is stopped");
    assert.equal(getNumThreads(), threads, "the thread count is restored");
});

test("a peer whose rank 0 was killed removes the exchange folder and stops", async () => {
    const script = path.join(import.meta.dirname, "dataParallelPeers.ts");
    const rank0 = spawn(process.execPath, ["--import", "tsx", script], { cwd: path.resolve(import.meta.dirname, "../.."), stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    for await (const chunk of rank0.stdout) {
        out += String(chunk);
        if (out.includes("\n")) break;
    }
    const { dir, peer } = JSON.parse(out) as { dir: string; peer: number };
    assert.ok(fs.existsSync(dir));
    const exited = once(rank0, "exit");
    rank0.kill("SIGKILL");
    await exited;
    for (let waited = 0; waited < 30_000 && (fs.existsSync(dir) || processAlive(peer)); waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(!fs.existsSync(dir), "the exchange folder is removed");
    assert.ok(!processAlive(peer), "the peer stopped");
});
