/** The fuzz run's table (terminal) and markdown report. */
import { FAILURES, type TargetResult, type Verdict } from "./harness.ts";

const COLUMNS: [string, (r: TargetResult) => string][] = [
    ["parser", (r) => r.target],
    ["inputs", (r) => String(r.inputs)],
    ["accepted", (r) => String(r.counts.accepted)],
    ["rejected", (r) => String(r.counts.rejected)],
    ["crashes", (r) => String(r.counts.crash)],
    ["hangs", (r) => String(r.counts.hang)],
    ["unnamed errors", (r) => String(r.counts.unnamed)],
    ["big allocs", (r) => String(r.counts.alloc)],
    ["bad accepts", (r) => String(r.counts.invalid)],
    ["tensor leaks", (r) => String(r.counts.leak)],
    ["seconds", (r) => r.seconds.toFixed(1)],
    ["slowest ms", (r) => r.slowestMs.toFixed(0)],
];

export function formatTable(results: readonly TargetResult[]): string {
    const rows = [COLUMNS.map(([h]) => h), ...results.map((r) => COLUMNS.map(([, f]) => f(r)))];
    const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    const fmt = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    return [fmt(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(fmt)].join("\n");
}

export interface ReportMeta {
    command: string;
    runs: number;
    seed: number;
    started: string;
    totalSeconds: number;
    node: string;
    cpus: number;
}

const VERDICT_TEXT: Record<Verdict, string> = {
    accepted: "returned normally and the result passed the target's type check",
    rejected: "threw an Error naming the input file or folder",
    crash: "threw a non-Error or an engine error (TypeError, RangeError, ...), or the worker process died",
    unnamed: "threw an Error that does not name the input",
    invalid: "accepted a result its own type says cannot exist",
    hang: "more than 2 s + 4 s per MB of input in CPU time (10x that in wall time), or no progress for 120 s",
    alloc: "heap/external memory grew by more than 64 MiB + 64 x input size, or the worker passed the RSS cap",
    leak: "native tensors left alive after a failed or disposed load",
};

export function formatMarkdown(meta: ReportMeta, results: readonly TargetResult[]): string {
    const lines = [
        `# Parser fuzzing (${meta.started.slice(0, 10)})`,
        "",
        `Command: \`${meta.command}\` — ${meta.runs} inputs per parser, fast-check seed ${meta.seed}, ` +
            `${meta.totalSeconds.toFixed(0)} s on ${meta.cpus} CPU cores, Node ${meta.node}. Each parser runs in its own child process.`,
        "",
        "| " + COLUMNS.map(([h]) => h).join(" | ") + " |",
        "|" + COLUMNS.map((_, i) => (i === 0 ? "---" : "---:")).join("|") + "|",
        ...results.map((r) => "| " + COLUMNS.map(([, f]) => f(r)).join(" | ") + " |"),
        "",
        "| parser | function under test |",
        "|---|---|",
        ...results.map((r) => `| ${r.target} | ${r.parser} |`),
        "",
        "Verdicts:",
        "",
        ...(Object.keys(VERDICT_TEXT) as Verdict[]).map((v) => `- **${v}**: ${VERDICT_TEXT[v]}`),
        "",
    ];
    const failing = results.filter((r) => FAILURES.some((v) => r.counts[v] > 0));
    if (failing.length === 0) lines.push("No failures.", "");
    for (const r of failing) {
        lines.push(`## ${r.target}: failures`, "");
        for (const f of r.failures.slice(0, 10)) {
            lines.push(`- input ${f.index} (${f.verdict}): ${f.detail.split("\n")[0]}`, "", "  ```", `  ${f.input.slice(0, 600)}`, "  ```", "");
        }
    }
    return lines.join("\n");
}
