// Ablations on the test preset: every point measured on validation, IA stages shared between points that differ only
// in DPO or decoding, a rerun trains and samples nothing, and an unknown point is refused before any work.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ablationPoint } from "../../src/ablate/points.ts";
import { runAblations } from "../../src/ablate/run.ts";
import { pipelinePreset } from "../../src/ia/presets.ts";
import { getNumThreads, setNumThreads } from "../../src/engine/runtime.ts";
import { poolProcesses } from "../../src/parallel/pool.ts";
import { tempDir } from "../helpers/tempDir.ts";

const tmp = tempDir("ia-ablate");

test("points share IA stages by config, measure the right IA, and a rerun reuses everything", () => {
    const o = { preset: pipelinePreset("test"), points: ["baseline", "greedy", "baseline-dpo", "sft-half"], seeds: [1, 2], runDir: path.join(tmp, "run"), cacheDir: path.join(tmp, "cache"), quiet: true };
    const rows = runAblations(o);
    assert.deepEqual(rows.map((r) => [r.point, r.condition, r.perSeed.length]), [["baseline", "ia-sft", 2], ["greedy", "ia-sft", 2], ["baseline-dpo", "ia-dpo", 2], ["sft-half", "ia-sft", 2]]);
    // baseline, greedy and baseline-dpo share one SFT folder; sft-half (another SFT organism count) has its own.
    const sftDirs = fs.readdirSync(o.runDir).filter((d) => d.startsWith("sft-"));
    assert.equal(sftDirs.length, 2);
    assert.ok(rows[3]!.sftOrganisms < rows[0]!.sftOrganisms, "half the SFT organisms");
    for (const r of rows) for (const s of r.perSeed) assert.ok(s.reports > 0 && s.category >= 0 && s.category <= 1, `${r.point} seed ${s.seed}`);
    const table = fs.readFileSync(path.join(o.runDir, "ablation.md"), "utf8");
    for (const p of o.points) assert.match(table, new RegExp(`\\| ${p} \\|`));

    const stamp = (f: string) => fs.statSync(f).mtimeMs;
    const sftAdapter = path.join(o.runDir, sftDirs[0]!, "seed-1", "ia-sft", "adapter", "adapter_model.safetensors");
    const before = stamp(sftAdapter);
    const again = runAblations(o);
    assert.equal(stamp(sftAdapter), before, "no IA retrained");
    assert.deepEqual(again.map((r) => r.perSeed), rows.map((r) => r.perSeed), "the same figures from the cached reports");

    // A combined point added by a later command: its rows join the earlier ones in the table.
    const more = runAblations({ ...o, points: ["k2+baseline-dpo"] });
    assert.deepEqual(more.map((r) => [r.point, r.condition, r.perSeed.length]), [["k2+baseline-dpo", "ia-dpo", 2]]);
    const saved = JSON.parse(fs.readFileSync(path.join(o.runDir, "ablation.json"), "utf8")) as { rows: { point: string }[] };
    assert.deepEqual(saved.rows.map((r) => r.point), [...o.points, "k2+baseline-dpo"]);
    assert.match(fs.readFileSync(path.join(o.runDir, "ablation.md"), "utf8"), /\| k2\+baseline-dpo \|/);
});

test("a point's seeds measured side by side give the figures of one single-threaded process", () => {
    const o = { preset: pipelinePreset("test"), points: ["baseline-dpo"], seeds: [1, 2], cacheDir: path.join(tmp, "cache"), quiet: true };
    assert.ok(poolProcesses("cpu", 2, 2) > 1, "the default runs seeds in a pool");
    const pooled = runAblations({ ...o, runDir: path.join(tmp, "pooled") });
    const threads = getNumThreads();
    process.env.IA_WORKERS = "1";
    setNumThreads(1);
    try {
        const single = runAblations({ ...o, runDir: path.join(tmp, "single") });
        assert.deepEqual(pooled.map((r) => r.perSeed), single.map((r) => r.perSeed));
        // The figures of the test preset's IAs are small; the IAs themselves must be the same bytes.
        const adapters = (run: string) => fs.readdirSync(path.join(tmp, run), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(path.join("adapter", "adapter_model.safetensors"))).sort();
        assert.equal(adapters("pooled").length, 4, "SFT and DPO adapters of 2 seeds");
        assert.deepEqual(adapters("single"), adapters("pooled"));
        for (const f of adapters("pooled")) assert.ok(fs.readFileSync(path.join(tmp, "pooled", f)).equals(fs.readFileSync(path.join(tmp, "single", f))), f);
    } finally {
        delete process.env.IA_WORKERS;
        setNumThreads(threads);
    }
    assert.ok(!fs.existsSync(path.join(tmp, "pooled", "claims", "baseline-dpo")), "the pool leaves no claims behind");
});

test("two DPO rounds: the first is the one-round DPO, the second trains on the first IA's own rollouts", () => {
    const o = { preset: pipelinePreset("test"), seeds: [1], cacheDir: path.join(tmp, "cache"), quiet: true };
    const one = runAblations({ ...o, points: ["baseline-dpo"], runDir: path.join(tmp, "rounds") });
    const two = runAblations({ ...o, points: ["dpo-rounds2"], runDir: path.join(tmp, "rounds") });
    assert.equal(two[0]!.condition, "ia-dpo");
    const dirs = (point: string) => (JSON.parse(fs.readFileSync(path.join(tmp, "rounds", "points", `${point}.json`), "utf8")) as { dirs: { dpo: string }[] }).dirs[0]!.dpo;
    const weights = (dir: string) => fs.readFileSync(path.join(dir, "adapter_model.safetensors"));
    const single = dirs("baseline-dpo"), rounds = dirs("dpo-rounds2");
    assert.ok(fs.existsSync(path.join(rounds, "round-2", "pairs.json")), "the second round built its own pairs");
    assert.ok(weights(path.join(rounds, "checkpoint", "weights")).equals(weights(path.join(single, "adapter"))), "round 1 is the one-round DPO");
    assert.ok(!weights(path.join(rounds, "adapter")).equals(weights(path.join(single, "adapter"))), "round 2 moved the IA");
    assert.ok(one[0]!.perSeed[0]!.reports > 0 && two[0]!.perSeed[0]!.reports > 0);
});

test("an unknown ablation point is refused, naming the known ones", () => {
    assert.throws(() => ablationPoint("k3"), /unknown ablation point "k3" \(known: baseline, /);
    assert.throws(() => ablationPoint("k2+k3"), /unknown ablation point "k3" in "k2\+k3"/);
    const both = ablationPoint("neg0.15+dpo-beta0.5");
    const p = pipelinePreset("demo");
    both.apply(p, { sftOrganisms: 10 });
    assert.deepEqual([both.dpo, p.ia.sft.negativeFraction, p.ia.dpo.beta], [true, 0.15, 0.5]);
});
