// Kill -9 fault injection, small (tools/faults runs the full version: node --import tsx tools/faults/run.ts).
// Each CLI command runs once uninterrupted, then is killed with SIGKILL at seeded random points and rerun: no
// artifact may be half-written, the rerun must finish from the last checkpoint (at most one checkpoint interval of
// steps redone), and the final results must equal the uninterrupted run's (same machine, bit for bit).
import { before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { initEngine } from "../../src/engine/runtime.ts";
import { buildFixtures, type FixtureSizes } from "../../tools/faults/fixtures.ts";
import { runCommand, type CommandResult } from "../../tools/faults/harness.ts";
import { COMMANDS, scenarios, type CommandName, type ScenarioSizes } from "../../tools/faults/scenarios.ts";
import { tempDir } from "../helpers/tempDir.ts";

// Five organisms in banks of 3: kills land inside a bank and between banks (a resumed build keeps the banks and
// their seeds).
const SIZES: FixtureSizes & ScenarioSizes = { conversations: 32, perFamily: 1, examples: 48, families: ["quirk", "rare", "backdoor", "null", "decoy"], trainSteps: 16, bankSize: 3, benchWithBase: true };
const KILLS = 2;
const CHECKPOINT_EVERY = 3;

const work = tempDir("ia-faults-test");
const results = new Map<CommandName, CommandResult>();

// Two commands at a time, one thread each: a CLI process spends seconds starting up on one core, so side by side
// the two cores stay busy (kill times are random anyway; each command's runs all use the same thread count).
before(async () => {
    initEngine();
    const all = scenarios(buildFixtures(path.join(work, "fixtures"), SIZES), SIZES);
    const queue = [...COMMANDS];
    const worker = async () => {
        for (let name = queue.shift(); name; name = queue.shift()) {
            results.set(name, await runCommand(all[name], { kills: KILLS, seed: 1, workDir: work, checkpointEvery: CHECKPOINT_EVERY, minDelayMs: 0, maxDelayFraction: 0.6, env: { IA_THREADS: "1" } }));
        }
    };
    await Promise.all([worker(), worker()]);
});

for (const name of COMMANDS) test(`ia ${name} survives kill -9 (${KILLS} seeded kills)`, () => {
    const r = results.get(name)!;
    assert.equal(r.kills, KILLS, `${r.command}: ${r.kills} kills landed`);
    assert.deepEqual(r.errors, [], `${r.command}: runs failed by themselves`);
    assert.ok(r.resumedOk, `${r.command}: the rerun did not finish`);
    assert.deepEqual(r.corrupted, [], `${r.command}: corrupted artifacts`);
    assert.ok(r.maxLostSteps <= r.interval, `${r.command}: a rerun redid ${r.maxLostSteps} steps (checkpoint interval ${r.interval})`);
    assert.deepEqual(r.resumeMismatches, []);
    assert.deepEqual(r.finalDiffs, [], `${r.command}: final results differ from the uninterrupted run`);
});
