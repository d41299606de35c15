/**
 * Kill -9 harness for one command. First an uninterrupted reference run (its working time bounds the kill times and
 * its fingerprint is the expected result). Then a chain of runs on one output folder, each killed with SIGKILL
 * after a seeded random delay; after every kill the artifacts are audited and the rerun's resume point checked;
 * a run that finishes before its kill time is compared with the reference and the chain starts over in a fresh
 * folder. After the last kill a rerun goes to the end and its result is compared with the reference.
 *
 * Lost steps: every loop prints "starting N steps (dir)" or "resumed from step S (dir)" and, with IA_LOG_EVERY=1,
 * a line per step. A step a run executes that an earlier run of the same chain had already executed (same
 * checkpoint folder, same step) was lost to a kill; per run and loop this must not exceed the checkpoint interval.
 */
import fs from "node:fs";
import path from "node:path";
import { Rng } from "../../src/util/rng.ts";
import { auditArtifacts } from "./audit.ts";
import { lastLine, resumedSteps, runIa, type RunOutcome } from "./process.ts";
import type { Scenario } from "./scenarios.ts";
import { loopStates, type LoopState } from "./steps.ts";

export interface KillRecord {
    delayMs: number;
    /** The last line the process printed before the kill. */
    phase: string;
    corrupted: { path: string; reason: string }[];
    temps: string[];
    /** Loops interrupted mid-way at this kill: steps done vs the checkpoint a rerun loads. */
    loops: LoopState[];
}

export interface CommandResult {
    command: string;
    kills: number;
    /** Runs that finished before their kill time (each compared with the reference, then a fresh chain). */
    completions: number;
    /** Runs that exited with an error by themselves (a failed resume), with their last lines. */
    errors: string[];
    resumedOk: boolean;
    corrupted: { path: string; reason: string; kill: number }[];
    /** Most steps one run re-executed in one loop after a kill, and the interval it must not exceed. */
    maxLostSteps: number;
    interval: number;
    /** Reruns whose "resumed from step S" differed from the checkpoint found on disk after the kill. */
    resumeMismatches: string[];
    finalEqual: boolean;
    finalDiffs: string[];
    /** Distinct temp leftovers seen after kills (allowed: nothing reads them). */
    temps: string[];
    referenceSeconds: number;
    seconds: number;
    records: KillRecord[];
}

export interface HarnessOptions {
    kills: number;
    seed: number;
    workDir: string;
    /** IA_CHECKPOINT_EVERY for every loop of the command. */
    checkpointEvery: number;
    /** Kill delays (from a run's first output) are uniform in [minDelayMs, maxDelayFraction x the reference's time from first output to exit]. */
    minDelayMs: number;
    /** Default 1. Below 1, fewer reruns finish before their kill time (each such finish costs a whole fresh run). */
    maxDelayFraction?: number;
    log?: (line: string) => void;
    /** Extra environment for every run of the command (e.g. IA_THREADS=1 when commands run side by side). */
    env?: Record<string, string>;
}

/** (checkpoint folder -> steps executed) of one run, from its stderr. */
function executedSteps(stderr: string): Map<string, number[]> {
    const out = new Map<string, number[]>();
    let current: number[] | null = null;
    for (const line of stderr.split("\n")) {
        const start = /^\[[^\]]+\] (?:starting \d+ steps|resumed from step \d+) \((.+)\)$/.exec(line);
        if (start) {
            const dir = path.resolve(start[1]!);
            current = out.get(dir) ?? [];
            out.set(dir, current);
            continue;
        }
        const step = /^\[[^\]]+\] step (\d+)\/\d+ \|/.exec(line);
        if (step && current) current.push(Number(step[1]));
    }
    return out;
}

function diffFingerprints(want: Record<string, string>, got: Record<string, string>): string[] {
    const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
    return keys.filter((k) => want[k] !== got[k]).map((k) => `${k}: ${(want[k] ?? "(absent)").slice(0, 60)} != ${(got[k] ?? "(absent)").slice(0, 60)}`);
}

export async function runCommand(sc: Scenario, o: HarnessOptions): Promise<CommandResult> {
    const t0 = performance.now();
    const log = o.log ?? (() => {});
    const env = { ...o.env, IA_LOG_EVERY: "1", IA_CHECKPOINT_EVERY: String(o.checkpointEvery) };
    const dir = path.join(o.workDir, sc.name);
    fs.rmSync(dir, { recursive: true, force: true });

    const refOut = path.join(dir, "reference");
    sc.prepare?.(refOut);
    const ref = await runIa(sc.args(refOut), env, null);
    if (ref.code !== 0) throw new Error(`${sc.name}: the uninterrupted reference run failed (exit ${ref.code}):\n${ref.stderr.slice(-2000)}`);
    const want = sc.fingerprint(refOut);
    log(`[faults] ${sc.name}: reference run ${(ref.ms / 1000).toFixed(1)}s (${(ref.workMs / 1000).toFixed(1)}s after its first output)`);

    const res: CommandResult = {
        command: sc.name, kills: 0, completions: 0, errors: [], resumedOk: false, corrupted: [], maxLostSteps: 0,
        interval: o.checkpointEvery, resumeMismatches: [], finalEqual: true, finalDiffs: [], temps: [],
        referenceSeconds: ref.ms / 1000, seconds: 0, records: [],
    };
    const rng = new Rng(`faults:${o.seed}:${sc.name}`);
    let chain = 0;
    let out = path.join(dir, `chain-${chain}`);
    sc.prepare?.(out);
    let executed = new Map<string, Set<number>>();
    let expectResume: LoopState[] = [];
    const temps = new Set<string>();

    /** Lost-step and resume-point bookkeeping for a run that followed a kill. */
    const afterRun = (r: RunOutcome) => {
        for (const [d, steps] of executedSteps(r.stderr)) {
            const seen = executed.get(d) ?? new Set<number>();
            const redone = steps.filter((s) => seen.has(s)).length;
            res.maxLostSteps = Math.max(res.maxLostSteps, redone);
            for (const s of steps) seen.add(s);
            executed.set(d, seen);
        }
        const resumed = resumedSteps(r.stderr);
        for (const l of expectResume) {
            const got = resumed.get(path.join(l.dir, "checkpoint"));
            if (got !== undefined && got !== l.resumeAt) res.resumeMismatches.push(`${l.dir}: checkpoint on disk at step ${l.resumeAt}, rerun resumed from ${got}`);
        }
    };
    const compare = () => {
        const diffs = diffFingerprints(want, sc.fingerprint(out));
        if (diffs.length) {
            res.finalEqual = false;
            res.finalDiffs.push(...diffs.map((d) => `chain ${chain}: ${d}`));
        }
    };

    for (let attempt = 0; res.kills < o.kills && attempt < o.kills * 5; attempt++) {
        const delay = o.minDelayMs + rng.next() * Math.max(0, (o.maxDelayFraction ?? 1) * ref.workMs - o.minDelayMs);
        const r = await runIa(sc.args(out), env, delay);
        afterRun(r);
        if (!r.killed) {
            if (r.code !== 0) {
                res.errors.push(`exit ${r.code}: ${lastLine(r.stderr)}`);
                continue;
            }
            // Finished before its kill time: compare, then start over so later kills land in real work.
            res.completions++;
            compare();
            chain++;
            out = path.join(dir, `chain-${chain}`);
            sc.prepare?.(out);
            executed = new Map();
            expectResume = [];
            continue;
        }
        res.kills++;
        const audit = auditArtifacts(sc.roots(out), sc.base);
        const loops = loopStates(sc.roots(out)).filter((l) => l.reached < l.totalSteps || l.resumeAt < l.totalSteps);
        for (const c of audit.corrupted) res.corrupted.push({ ...c, kill: res.kills });
        for (const t of audit.temps) temps.add(t);
        res.records.push({ delayMs: Math.round(delay), phase: lastLine(r.stderr), corrupted: audit.corrupted, temps: audit.temps, loops });
        expectResume = loops;
        log(`[faults] ${sc.name}: kill ${res.kills}/${o.kills} at ${(delay / 1000).toFixed(2)}s during "${lastLine(r.stderr).slice(0, 80)}"` +
            (audit.corrupted.length ? `; CORRUPTED: ${audit.corrupted.map((c) => c.path).join(", ")}` : "") +
            (loops.length ? `; ${loops.map((l) => `${path.basename(l.dir)} ${l.reached}->${l.resumeAt}`).join(", ")}` : ""));
    }
    const fin = await runIa(sc.args(out), env, null);
    afterRun(fin);
    if (fin.code !== 0) res.errors.push(`final rerun exit ${fin.code}: ${lastLine(fin.stderr)}`);
    const finalAudit = auditArtifacts(sc.roots(out), sc.base);
    for (const c of finalAudit.corrupted) res.corrupted.push({ ...c, kill: 0 });
    compare();
    res.resumedOk = fin.code === 0 && res.errors.length === 0;
    res.temps = [...temps].map((t) => path.relative(dir, t));
    res.seconds = (performance.now() - t0) / 1000;
    return res;
}
