/**
 * The fault suite: fixtures once, then the kill harness for each command in turn (one at a time: the machine's
 * cores go to the process under test, so kill times stay meaningful).
 */
import path from "node:path";
import { initEngine } from "../../src/engine/runtime.ts";
import { buildFixtures, type FixtureSizes } from "./fixtures.ts";
import { runCommand, type CommandResult } from "./harness.ts";
import { scenarios, type CommandName, type ScenarioSizes } from "./scenarios.ts";

export interface SuiteOptions {
    kills: number;
    seed: number;
    commands: CommandName[];
    workDir: string;
    checkpointEvery: number;
    minDelayMs: number;
    sizes: FixtureSizes & ScenarioSizes;
    log?: (line: string) => void;
}

/** 10 organisms in 3 banks (group-level resume), 40 `ia train` steps. */
export const FULL_SIZES: FixtureSizes & ScenarioSizes = { conversations: 64, perFamily: 1, examples: 96, trainSteps: 40, bankSize: 4 };

export async function runFaults(o: SuiteOptions): Promise<CommandResult[]> {
    initEngine();
    const fx = buildFixtures(path.join(o.workDir, "fixtures"), o.sizes);
    const all = scenarios(fx, o.sizes);
    const results: CommandResult[] = [];
    for (const name of o.commands) {
        results.push(await runCommand(all[name], { kills: o.kills, seed: o.seed, workDir: o.workDir, checkpointEvery: o.checkpointEvery, minDelayMs: o.minDelayMs, log: o.log }));
    }
    return results;
}
