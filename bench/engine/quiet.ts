/**
 * Waits for the machine to be quiet before a timed phase. Shared CPU machines (CI, several sessions on one VM)
 * make 2-thread timings swing 2-4x when another process takes a core; the benchmark waits (bounded) until the
 * whole machine is mostly idle and records how busy it was, so a reader can tell a clean figure from a noisy one.
 * Linux only (/proc/stat); elsewhere it returns at once with busyPct null.
 */
import fs from "node:fs";

export interface QuietOptions {
    /** Busy share of all CPUs (percent, over a 0.5 s window) under which the machine counts as quiet. Default 15. */
    maxBusyPct?: number;
    /** Give up waiting after this many seconds (and measure anyway). Default 60. */
    maxWaitS?: number;
}

export interface QuietReport {
    /** Seconds spent waiting. */
    waitedS: number;
    /** Busy percent of the last window; null where /proc/stat is unavailable. */
    busyPct: number | null;
    quiet: boolean;
}

function cpuTimes(): { busy: number; total: number } | null {
    try {
        const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
        const f = line.trim().split(/\s+/).slice(1).map(Number);
        const idle = (f[3] ?? 0) + (f[4] ?? 0);
        const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
        return { busy: total - idle, total };
    } catch {
        return null;
    }
}

function sleepMs(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Busy percent of all CPUs over the next `ms` milliseconds (this process is asleep meanwhile). */
export function busyPercent(ms = 500): number | null {
    const a = cpuTimes();
    if (!a) return null;
    sleepMs(ms);
    const b = cpuTimes();
    if (!b || b.total === a.total) return null;
    return (100 * (b.busy - a.busy)) / (b.total - a.total);
}

export function waitForQuiet(o: QuietOptions = {}): QuietReport {
    const max = o.maxBusyPct ?? 15, limit = (o.maxWaitS ?? 60) * 1000;
    const t0 = performance.now();
    for (;;) {
        const busy = busyPercent();
        const waited = performance.now() - t0;
        if (busy === null || busy <= max || waited >= limit) {
            return { waitedS: Math.round(waited / 100) / 10, busyPct: busy === null ? null : Math.round(busy), quiet: busy !== null && busy <= max };
        }
    }
}
