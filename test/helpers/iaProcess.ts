// bin/ia as a child process, the way users start it. Asynchronous, so a scripted LLM server living in the test's own
// process keeps answering while the command runs.
import { spawn } from "node:child_process";
import path from "node:path";

export const IA_BIN = path.resolve(import.meta.dirname, "../../bin/ia");

export interface IaRun {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** @param cwd where the command runs: the providers' response cache (.cache/providers) lands there, not in the repository. */
export function runIa(args: string[], cwd: string, env: Record<string, string> = { IA_THREADS: "2" }): Promise<IaRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(IA_BIN, args, { cwd, env: { ...process.env, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}
