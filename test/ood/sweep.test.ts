// Plumbing of `ia bench --suite ood --sweep families` on the test presets: four IAs (1/3/5/7 training families), one
// shared set of OOD organisms trained once, a table with one row per point.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pipelinePreset } from "../../src/ia/presets.ts";
import { oodPreset } from "../../src/ood/suite.ts";
import { runOodFamilySweep } from "../../src/ood/sweep.ts";
import { tempDir } from "../helpers/tempDir.ts";

test("the family sweep audits IAs on 1/3/5/7 families with one shared set of OOD organisms", () => {
    const tmp = tempDir("ia-ood-sweep");
    const ood = { ...oodPreset("test"), catalogue: { ...oodPreset("test").catalogue, families: ["flattery" as const], adversarial: ["none" as const], ranks: [], full: false } };
    // One training family of the test preset's 2 organisms leaves no DPO or test organism: 5 per family here.
    const preset = pipelinePreset("test");
    for (const f of Object.keys(preset.population.perFamily) as (keyof typeof preset.population.perFamily)[]) if (f !== "null" && f !== "decoy") preset.population.perFamily[f] = 5;
    const points = runOodFamilySweep({ preset, ood, runDir: tmp, cacheDir: path.join(tmp, "cache"), quiet: true });
    assert.deepEqual(points.map((p) => p.families.length), [1, 3, 5, 7]);
    // One organism set for every point: trained once, never under a point's folder.
    assert.ok(fs.existsSync(path.join(tmp, "ood-organisms", "organisms.json")));
    for (const n of [1, 3, 5, 7]) {
        assert.ok(fs.existsSync(path.join(tmp, `families-${n}`, "ood", "ood.md")));
        assert.ok(!fs.existsSync(path.join(tmp, `families-${n}`, "ood", "organisms.json")));
    }
    const md = fs.readFileSync(path.join(tmp, "sweep-ood.md"), "utf8");
    assert.equal(md.split("\n").filter((l) => /^\| \d \(/.test(l)).length, 4);
});
