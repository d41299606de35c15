/**
 * The engine benchmark's result shape, its readable table, and the machine description saved with it.
 * Pure formatting: no timing happens here.
 */
import fs from "node:fs";
import os from "node:os";
import type { QuietReport } from "./quiet.ts";

export interface Figure {
    best: number;
    median: number;
}

export interface Row {
    /** Stable key: train, train_stacked, train_dropout, decode_b1, decode_b32. */
    key: string;
    label: string;
    unit: string;
    ours: Figure | null;
    torch: Figure | null;
    /** ours / PyTorch on the best-of figures (null without a baseline). */
    ratioBest: number | null;
    ratioMedian: number | null;
    /** Training rows: model FLOPs utilisation of our best step, 4N (LoRA, frozen base) and 6N conventions. */
    mfu4n?: number;
    mfu6n?: number;
    /** How busy the machine was before our measurement (see quiet.ts). */
    quiet?: QuietReport;
    /** Raw samples in ms (training steps, or decode phases of generation), in the order taken. */
    oursMs?: number[];
    torchMs?: number[];
    note?: string;
}

export interface ConfigResult {
    name: string;
    shape: Record<string, number | boolean>;
    batch: number;
    seq: number;
    /** Matmul parameters (non-embedding + lm_head). */
    params: number;
    loraParams: number;
    flopsPerToken: { lora4n: number; full6n: number; stacked4n: number; stacked6n: number };
    rows: Row[];
    /** How to run the PyTorch side by hand. */
    baselineCommand: string;
    torchError?: string;
}

export interface MachineInfo {
    cpuModel: string;
    logicalCpus: number;
    threads: number;
    node: string;
    oursTorch: string;
    baselineTorch: string | null;
    peakFlops: number;
    env: Record<string, string | null>;
    loadavgStart: number[];
    loadavgEnd?: number[];
}

export interface EngineBenchResult {
    date: string;
    command: string;
    machine: MachineInfo;
    conventions: Record<string, string>;
    configs: ConfigResult[];
}

export function cpuModel(): string {
    try {
        const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
        if (m?.[1]) return m[1].trim();
    } catch {
        // not Linux: fall through
    }
    return os.cpus()[0]?.model ?? "unknown";
}

export function envSnapshot(): Record<string, string | null> {
    const keys = ["OMP_WAIT_POLICY", "LD_PRELOAD", "MALLOC_CONF", "GLIBC_TUNABLES", "IA_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"];
    return Object.fromEntries(keys.map((k) => [k, process.env[k] ?? null]));
}

const int = (x: number): string => Math.round(x).toLocaleString("en-US");
const num = (x: number): string => (x >= 100 ? int(x) : x.toFixed(1));
const fig = (f: Figure | null): string => (f ? `${num(f.best)} [${num(f.median)}]` : "–");

export function formatTable(r: EngineBenchResult): string {
    const m = r.machine;
    const lines: string[] = [];
    lines.push(`engine benchmark ${r.date}: ${m.cpuModel}, ${m.threads} threads of ${m.logicalCpus} CPUs; ours libtorch ${m.oursTorch}, baseline PyTorch ${m.baselineTorch ?? "n/a"} eager`);
    lines.push(`figures: best [median] of N; ratio = ours / PyTorch (best; median in parentheses); MFU of our best step vs ${(m.peakFlops / 1e9).toFixed(0)} GFLOP/s peak`);
    const head = ["config", "measurement", "ours", "PyTorch", "ratio", "MFU 4N / 6N", "busy"];
    const rows: string[][] = [];
    for (const c of r.configs) {
        for (const row of c.rows) {
            rows.push([
                c.name,
                `${row.label} (${row.unit})`,
                fig(row.ours),
                row.torch ? fig(row.torch) : c.torchError ? "error" : "–",
                row.ratioBest === null ? "–" : `${row.ratioBest.toFixed(2)}x (${(row.ratioMedian ?? NaN).toFixed(2)}x)`,
                row.mfu4n === undefined ? "" : `${(row.mfu4n * 100).toFixed(1)}% / ${((row.mfu6n ?? NaN) * 100).toFixed(1)}%`,
                row.quiet?.busyPct == null ? "" : `${row.quiet.busyPct}%${row.quiet.quiet ? "" : "!"}`,
            ]);
        }
    }
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => (x[i] ?? "").length)));
    const fmt = (cells: string[]): string => cells.map((x, i) => (i >= 2 && i <= 4 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
    lines.push(fmt(head), widths.map((w) => "-".repeat(w)).join("  "));
    let last = "";
    for (const x of rows) {
        if (last && x[0] !== last) lines.push("");
        last = x[0] ?? "";
        lines.push(fmt(x));
    }
    for (const c of r.configs) if (c.torchError) lines.push(`${c.name}: PyTorch baseline failed: ${c.torchError}`);
    lines.push("busy = share of all CPUs other processes used just before our measurement; '!' = the machine never got quiet (figure is noisy)");
    return lines.join("\n");
}
