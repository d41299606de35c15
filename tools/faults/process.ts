/**
 * One `bin/ia` process: started, optionally killed with SIGKILL after a delay, its stderr kept. bin/ia execs node,
 * so the signal reaches the process doing the work (and its libtorch threads) directly. The delay counts from the
 * process's first line of output: the seconds before it (loading Node, tsx and libtorch) write nothing, and on a
 * loaded 2-core machine they vary too much to aim kills at the work by wall time from the start.
 */
import { spawn } from "node:child_process";
import path from "node:path";

export const REPO = path.resolve(import.meta.dirname, "../..");
const BIN = path.join(REPO, "bin/ia");

export interface RunOutcome {
    /** True when the SIGKILL landed (the process was still running at the kill time). */
    killed: boolean;
    /** Exit code when it exited by itself. */
    code: number | null;
    ms: number;
    /** Milliseconds from the first output to the exit (the work a kill can interrupt). */
    workMs: number;
    stderr: string;
    stdout: string;
}

export function runIa(args: string[], env: Record<string, string>, killAfterMs: number | null): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const child = spawn(BIN, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "", stdout = "", killed = false, firstOutput: number | null = null;
        let timer: NodeJS.Timeout | null = null;
        const started = () => {
            if (firstOutput !== null) return;
            firstOutput = performance.now();
            if (killAfterMs !== null) timer = setTimeout(() => { killed = child.kill("SIGKILL"); }, killAfterMs);
        };
        child.stderr.on("data", (d: Buffer) => { started(); stderr += d.toString(); });
        child.stdout.on("data", (d: Buffer) => { started(); stdout += d.toString(); });
        child.on("error", reject);
        child.on("close", (code, signal) => {
            if (timer) clearTimeout(timer);
            const end = performance.now();
            resolve({ killed: killed && signal === "SIGKILL", code, ms: end - t0, workMs: end - (firstOutput ?? end), stderr, stdout });
        });
    });
}

/** The last progress-looking line before the kill (what the process was doing), for the report. */
export function lastLine(stderr: string): string {
    const lines = stderr.trim().split("\n").filter((l) => l.trim());
    return (lines[lines.length - 1] ?? "(no output yet)").slice(0, 140);
}

/** `[label] resumed from step S (dir)` lines: checkpoint folder -> step the process resumed from. */
export function resumedSteps(stderr: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of stderr.matchAll(/resumed from step (\d+) \((.+)\)$/gm)) out.set(path.resolve(m[2]!), Number(m[1]));
    return out;
}
