/**
 * The full fuzz run: every target (or --targets a,b) in its own child process (tools/fuzz/worker.ts), so a
 * native abort or a V8 out-of-memory is counted as a crash of that input instead of killing the run, and the
 * run goes on from the next input. The parent also kills a child that stops reporting progress (a hang the
 * in-process timer cannot see) or whose resident memory passes --max-rss-mb (an allocation sized by the input).
 * Prints the table and writes bench/results/fuzz-<date>.{md,json}; failing inputs are copied under
 * runs/fuzz/failures/<target>/.
 *
 *   node --import tsx tools/fuzz/run.ts [--runs 10000] [--seed 1] [--targets safetensors,model-config]
 *        [--only INDEX]   (replay one input of one target and print it)
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { FAILURES, type Failure, type TargetResult, type Verdict } from "./harness.ts";
import { formatMarkdown, formatTable } from "./report.ts";
import { TARGETS } from "./targets/index.ts";
import { REPO } from "./targets/common.ts";

const { values } = parseArgs({
    options: {
        runs: { type: "string", default: "10000" },
        seed: { type: "string", default: "1" },
        targets: { type: "string" },
        only: { type: "string" },
        "hang-ms": { type: "string", default: "2000" },
        "kill-after-s": { type: "string", default: "120" },
        "max-rss-mb": { type: "string", default: "4096" },
        out: { type: "string", default: path.join(REPO, "bench/results") },
        failures: { type: "string", default: path.join(REPO, "runs/fuzz/failures") },
    },
});

const runs = Number(values.runs);
const seed = Number(values.seed);
const killAfterMs = Number(values["kill-after-s"]) * 1000;
const maxRssKb = Number(values["max-rss-mb"]) * 1024;
const wanted = values.targets ? values.targets.split(",") : TARGETS.map((t) => t.name);
for (const name of wanted) if (!TARGETS.some((t) => t.name === name)) throw new Error(`unknown target ${name} (targets: ${TARGETS.map((t) => t.name).join(", ")})`);
const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "ia-fuzz-"));

interface WorkerEnd {
    result?: TargetResult;
    /** Index of the input that was running when the worker died or was killed. */
    lastIndex: number;
    failures: Failure[];
    /** Verdicts reported input by input (still there when the worker dies). */
    counts: Record<Verdict, number>;
    death?: { verdict: Verdict; detail: string };
}

function zeroCounts(): Record<Verdict, number> {
    return Object.fromEntries(["accepted", "rejected", ...FAILURES].map((v) => [v, 0])) as Record<Verdict, number>;
}

function rssKb(pid: number): number {
    try {
        const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) : 0;
    } catch {
        return 0;
    }
}

function runWorker(target: string, work: string, from: number): Promise<WorkerEnd> {
    const args = ["--import", "tsx", "--max-old-space-size=2048", path.join(REPO, "tools/fuzz/worker.ts"),
        "--target", target, "--runs", String(runs), "--seed", String(seed), "--work", work, "--hang-ms", values["hang-ms"]!,
        "--failures", path.join(values.failures!, target), "--from", String(from)];
    if (values.only !== undefined) args.push("--only", values.only);
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
    const end: WorkerEnd = { lastIndex: from - 1, failures: [], counts: zeroCounts() };
    let lastBeat = Date.now();
    let buffered = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
        lastBeat = Date.now();
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const l of lines) {
            if (l.startsWith("P ")) end.lastIndex = Number(l.slice(2));
            else if (l.startsWith("V ")) end.counts[l.slice(2) as Verdict]++;
            else if (l.startsWith("F ")) end.failures.push(JSON.parse(l.slice(2)) as Failure);
            else if (l.startsWith("R ")) end.result = JSON.parse(l.slice(2)) as TargetResult;
            else if (l.startsWith("O ") || l.startsWith("  input:")) process.stdout.write(l + "\n");
        }
    });
    const guard = setInterval(() => {
        if (Date.now() - lastBeat > killAfterMs) {
            end.death = { verdict: "hang", detail: `no progress for ${killAfterMs / 1000} s: killed` };
            child.kill("SIGKILL");
        } else if (child.pid !== undefined && rssKb(child.pid) > maxRssKb) {
            end.death = { verdict: "alloc", detail: `resident memory passed ${maxRssKb / 1024} MiB: killed` };
            child.kill("SIGKILL");
        }
    }, 250);
    return new Promise((resolve) => {
        child.on("exit", (code, signal) => {
            clearInterval(guard);
            if (!end.result && !end.death) end.death = { verdict: "crash", detail: `worker died (${signal ?? `exit code ${code}`})` };
            resolve(end);
        });
    });
}

/** Runs one target to the end, restarting the worker after the input that killed it. */
async function runOne(target: string): Promise<TargetResult> {
    const work = path.join(workRoot, target);
    const merged: TargetResult = {
        target, parser: TARGETS.find((t) => t.name === target)!.parser, seed, inputs: 0,
        counts: zeroCounts(),
        seconds: 0, slowestMs: 0, slowestIndex: -1, failures: [],
    };
    const t0 = performance.now();
    let from = 0;
    for (;;) {
        const end = await runWorker(target, work, from);
        for (const v of Object.keys(end.counts) as Verdict[]) merged.counts[v] += end.counts[v];
        if (end.result) {
            const r = end.result;
            if (r.slowestMs > merged.slowestMs) [merged.slowestMs, merged.slowestIndex] = [r.slowestMs, r.slowestIndex];
            merged.failures.push(...r.failures);
            break;
        }
        const death = end.death!;
        const index = end.lastIndex;
        merged.counts[death.verdict]++;
        merged.failures.push(...end.failures, { index, verdict: death.verdict, detail: death.detail, input: `(files in ${path.join(values.failures!, target, `${index}-${death.verdict}`)})` });
        fs.cpSync(path.join(work, "input"), path.join(values.failures!, target, `${index}-${death.verdict}`), { recursive: true });
        from = index + 1;
        if (from >= runs || values.only !== undefined) break;
    }
    merged.inputs = Object.values(merged.counts).reduce((a, b) => a + b, 0);
    merged.seconds = (performance.now() - t0) / 1000;
    return merged;
}

const started = new Date();
const results: TargetResult[] = [];
for (const name of wanted) {
    process.stderr.write(`[fuzz] ${name}: ${runs} inputs, seed ${seed}\n`);
    const r = await runOne(name);
    results.push(r);
    process.stderr.write(formatTable([r]).split("\n").slice(2).join("\n") + "\n");
}
const command = `node --import tsx tools/fuzz/run.ts ${process.argv.slice(2).join(" ")}`.trim();
const totalSeconds = (Date.now() - started.getTime()) / 1000;
process.stdout.write(formatTable(results) + `\n\ntotal ${totalSeconds.toFixed(0)} s\n`);
if (values.only === undefined) {
    const stamp = started.toISOString().slice(0, 10);
    fs.mkdirSync(values.out!, { recursive: true });
    const base = path.join(values.out!, `fuzz-${stamp}`);
    const meta = { command, runs, seed, started: started.toISOString(), totalSeconds, node: process.version, cpus: os.cpus().length };
    fs.writeFileSync(`${base}.json`, JSON.stringify({ ...meta, results }, null, 1) + "\n");
    fs.writeFileSync(`${base}.md`, formatMarkdown(meta, results));
    process.stdout.write(`report: ${path.relative(REPO, base)}.{md,json}\n`);
}
fs.rmSync(workRoot, { recursive: true, force: true });
process.exitCode = results.some((r) => FAILURES.some((v) => r.counts[v] > 0)) ? 1 : 0;
