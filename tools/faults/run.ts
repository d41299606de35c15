/**
 * Kill -9 fault injection for `ia train`, `ia organisms`, `ia ia-train` and `ia bench` (small sizes):
 *   node --import tsx tools/faults/run.ts [--kills 20] [--seed 1] [--commands train,organisms,ia-train,bench]
 *        [--checkpoint-every 5] [--work DIR] [--report FILE] [--keep]
 * Prints a table (command, kills, resumed ok, artifacts corrupted, max lost steps, final == uninterrupted) and
 * writes a markdown report (default bench/results/faults-<date>.md). Exit status 1 when any check fails.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO } from "./process.ts";
import { markdownReport, textTable } from "./report.ts";
import { COMMANDS, type CommandName } from "./scenarios.ts";
import { FULL_SIZES, runFaults } from "./suite.ts";

const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
};
const kills = Number(arg("kills") ?? 20);
const seed = Number(arg("seed") ?? 1);
const checkpointEvery = Number(arg("checkpoint-every") ?? 5);
const commands = (arg("commands") ?? COMMANDS.join(",")).split(",").map((s) => s.trim()) as CommandName[];
for (const c of commands) if (!COMMANDS.includes(c)) throw new Error(`--commands: unknown command ${c} (known: ${COMMANDS.join(", ")})`);
const workDir = arg("work") ?? fs.mkdtempSync(path.join(os.tmpdir(), "ia-faults-"));
const date = new Date().toISOString().slice(0, 10);
const reportFile = arg("report") ?? path.join(REPO, "bench", "results", `faults-${date}.md`);

const t0 = performance.now();
const results = await runFaults({ kills, seed, commands, workDir, checkpointEvery, minDelayMs: 0, sizes: FULL_SIZES, log: (l) => process.stderr.write(l + "\n") });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(textTable(results) + "\n");
const command = `node --import tsx tools/faults/run.ts ${process.argv.slice(2).join(" ")}`.trim();
const sizes = `ia train ${FULL_SIZES.trainSteps} steps on ${FULL_SIZES.conversations} chats; ${FULL_SIZES.perFamily} organism per family (10) x ${FULL_SIZES.examples} examples, banks of ${FULL_SIZES.bankSize}; ia-train --preset tiny on that population; bench --preset test; base: the test preset`;
fs.mkdirSync(path.dirname(reportFile), { recursive: true });
fs.writeFileSync(reportFile, markdownReport(results, { command, seed, kills, checkpointEvery, seconds, date, sizes }));
process.stdout.write(`report: ${path.relative(process.cwd(), reportFile)} (${seconds.toFixed(0)} s)\n`);
if (!process.argv.includes("--keep")) fs.rmSync(workDir, { recursive: true, force: true });
const ok = results.every((r) => r.resumedOk && r.corrupted.length === 0 && r.maxLostSteps <= r.interval && r.finalEqual && r.resumeMismatches.length === 0);
process.exitCode = ok ? 0 : 1;
