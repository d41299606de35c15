/**
 * Data parallelism across single-threaded processes of one machine, for a training loop whose steps are split into
 * micro-batches: process r of n runs micro-batches r, r + n, ... of every step, and before the optimizer step the
 * processes sum their gradients and losses through files in a shared folder (/dev/shm where there is one). Every
 * process then holds the same gradient, so the same clipping and AdamW step keep the weights identical without
 * sending them again. Why processes: see pool.ts (two single-threaded processes do 1.9x the work of one; a second
 * thread, 1.4x).
 *
 * The sum is taken in rank order in every process, so it is bitwise the same in all of them, and equal to what one
 * process gets by accumulating the same micro-batches in order. Rank 0 owns everything written (checkpoints, logs)
 * and starts the others from its weights and optimizer state (`syncStart`), so they never read a checkpoint that
 * rank 0 may be recovering. A peer that dies leaves rank 0 to finish the step's micro-batches, and the run, alone.
 * The exchange folder is removed however the run ends: by rank 0 when it finishes or fails (runDataParallel), by a
 * peer that finds rank 0 killed.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cat, fromBytes } from "../engine/factory.ts";
import { getNumThreads, noGrad, setNumThreads } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { processAlive } from "../io/staleTemps.ts";
import { exitIfOrphaned, sleep, spawnChild, type TaskRunnerRef } from "./pool.ts";

/** A child's entry point: `module`'s export `name` is called with the job and the child's group, and trains. */
export type DataParallelPeer = (job: unknown, group: DataParallelGroup) => void;

const PEER = fileURLToPath(new URL("./peer.ts", import.meta.url));
/** Polls between checks for a peer's file: a step exchanges every ~100 ms or more, so this costs under 1%. */
const POLL_MS = 0.2;

export class DataParallelGroup {
    private alive = true;

    constructor(readonly dir: string, readonly rank: number, readonly world: number) {}

    /** Whether micro-batch i of a step is this process's to run (all of them once the peers are gone). */
    owns(i: number): boolean {
        return !this.alive || i % this.world === this.rank;
    }

    get active(): boolean {
        return this.alive && this.world > 1;
    }

    /**
     * Rank 0 sends its weights, optimizer state and start step; the others adopt them. Returns the start step, or
     * null on rank 0 when a peer is gone (it then trains alone).
     */
    syncStart(tensors: Tensor[], extra: number[]): number[] | null {
        if (!this.active) return extra;
        if (this.rank === 0) {
            this.write("start", tensors, extra);
            return this.waitForPeers("ready") ? extra : this.drop();
        }
        const got = this.read("start", 0, tensors.map((t) => t.shape), extra.length);
        if (!got) throw new Error(`data parallel ${this.dir}: rank 0 is gone before the start`);
        noGrad(() => tensors.forEach((t, i) => t.copy_(got.tensors[i]!)));
        got.tensors.forEach((t) => t.dispose());
        fs.writeFileSync(path.join(this.dir, `ready-r${this.rank}`), "");
        return got.extra;
    }

    /**
     * Replaces every gradient with the sum over processes (in rank order) and returns the summed loss; null when a
     * peer is gone (the gradients then hold this process's share only, and the caller runs the rest).
     */
    allReduce(step: number, params: Tensor[], loss: number): number | null {
        if (!this.active) return loss;
        const grads = params.map((p) => p.grad);
        if (grads.some((g) => !g)) throw new Error(`data parallel: a trainable parameter has no gradient at step ${step}`);
        this.write(`s${step}`, grads as Tensor[], [loss]);
        // Each process removes its own file of two steps back: every peer has read it before writing last step's.
        fs.rmSync(path.join(this.dir, `s${step - 2}-r${this.rank}.bin`), { force: true });
        const parts: { tensors: Tensor[]; extra: number[] }[] = [];
        try {
            for (let r = 0; r < this.world; r++) {
                if (r === this.rank) continue;
                const got = this.read(`s${step}`, r, params.map((p) => p.shape), 1);
                if (!got) return this.drop();
                parts[r] = got;
            }
            let total = 0;
            noGrad(() => grads.forEach((g, i) => tidy(() => {
                let acc: Tensor | null = null;
                for (let r = 0; r < this.world; r++) {
                    const t = r === this.rank ? g! : parts[r]!.tensors[i]!;
                    acc = acc ? acc.add(t) : t;
                }
                g!.copy_(acc!);
            })));
            for (let r = 0; r < this.world; r++) total += r === this.rank ? loss : parts[r]!.extra[0]!;
            return total;
        } finally {
            for (const p of parts) p?.tensors.forEach((t) => t.dispose());
        }
    }

    /** At the end: peers say they are done reading; rank 0 waits for them (or their exit). runDataParallel removes the folder. */
    close(): void {
        if (this.rank !== 0) {
            fs.writeFileSync(path.join(this.dir, `done-r${this.rank}`), "");
            return;
        }
        if (this.active) this.waitForPeers("done");
    }

    /** On a peer whose rank 0 was killed: nobody else will remove the exchange folder, so this one does, and stops. */
    private abandon(): never {
        fs.rmSync(this.dir, { recursive: true, force: true });
        process.stderr.write(`[data parallel] rank 0 is gone: rank ${this.rank} stops\n`);
        process.exit(1);
    }

    private drop(): null {
        this.alive = false;
        process.stderr.write(`[data parallel] a peer process is gone: rank ${this.rank} continues alone\n`);
        return null;
    }

    private write(name: string, tensors: Tensor[], extra: number[]): void {
        const flat = tidy(() => cat(tensors.map((t) => t.detach().reshape([t.numel]))).toBytes());
        const head = new Float64Array(extra);
        writeFileAtomic(path.join(this.dir, `${name}-r${this.rank}.bin`), [new Uint8Array(head.buffer), flat]);
    }

    /** Waits for rank `from`'s message `name` (as `write` names it) and reads it into tensors of `shapes`. */
    private read(name: string, from: number, shapes: readonly number[][], extras: number): { tensors: Tensor[]; extra: number[] } | null {
        const file = path.join(this.dir, `${name}-r${from}.bin`);
        if (!this.waitForFile(file, from)) return null;
        const buf = fs.readFileSync(file);
        const extra = Array.from(new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + 8 * extras)));
        const flat = fromBytes(buf.subarray(8 * extras), [(buf.length - 8 * extras) / 4], "float32");
        try {
            let at = 0;
            const tensors = shapes.map((shape) => {
                const n = shape.reduce((a, b) => a * b, 1);
                const t = tidy(() => flat.narrow(0, at, n).reshape(shape).clone());
                at += n;
                return t;
            });
            if (at * 4 !== buf.length - 8 * extras) throw new Error(`${file}: ${buf.length} bytes, expected ${8 * extras + at * 4}`);
            return { tensors, extra };
        } finally {
            flat.dispose();
        }
    }

    private waitForFile(file: string, from: number): boolean {
        for (let i = 0; ; i++) {
            if (fs.existsSync(file)) return true;
            if (i % 500 === 0) {
                if (this.rank !== 0 && !this.peerAlive(0)) this.abandon();
                exitIfOrphaned();
                if (!this.peerAlive(from)) return fs.existsSync(file);
            }
            sleep(POLL_MS);
        }
    }

    /** On rank 0: waits for `<what>-r<r>` from every peer; false when one is gone first. */
    private waitForPeers(what: string): boolean {
        for (let r = 1; r < this.world; r++) {
            if (!this.waitForFile(path.join(this.dir, `${what}-r${r}`), r)) return false;
        }
        return true;
    }

    private peerAlive(rank: number): boolean {
        try {
            return processAlive(Number(fs.readFileSync(path.join(this.dir, `pid-r${rank}`), "utf8")));
        } catch {
            // Not registered yet: a child still starting.
            return true;
        }
    }
}

/**
 * Runs `train` as rank 0 of a group of `o.processes` processes: starts `processes - 1` peers running `runner` on `job`
 * (each trains with its own group), and this process runs one thread until `train` returns. One process: a group of
 * one, which changes nothing. However `train` ends, the exchange folder is removed and the thread count restored;
 * when it throws, the peers are stopped first (they would wait for rank 0's next step forever, and rank 0 for them).
 */
export function runDataParallel<T>(o: { processes: number; runner: TaskRunnerRef; job: unknown }, train: (group: DataParallelGroup) => T): T {
    if (o.processes <= 1) return train(new DataParallelGroup("", 0, 1));
    const shm = "/dev/shm";
    const dir = fs.mkdtempSync(path.join(fs.existsSync(shm) ? shm : os.tmpdir(), `ia-dp-${process.pid}-`));
    const threads = getNumThreads();
    const children: ChildProcess[] = [];
    let done = false;
    try {
        fs.writeFileSync(path.join(dir, "pid-r0"), String(process.pid));
        setNumThreads(1);
        for (let rank = 1; rank < o.processes; rank++) {
            const jobFile = path.join(dir, `job-r${rank}.json`);
            writeJsonAtomic(jobFile, { runner: o.runner, job: o.job, dir, rank, world: o.processes });
            const child = spawnChild(PEER, jobFile);
            children.push(child);
            // Registered here, not by the child: a child that dies while starting is then seen as gone, not awaited.
            fs.writeFileSync(path.join(dir, `pid-r${rank}`), String(child.pid ?? 0));
        }
        const group = new DataParallelGroup(dir, 0, o.processes);
        const result = train(group);
        group.close();
        done = true;
        return result;
    } finally {
        if (!done) stopPeers(children);
        fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
        setNumThreads(threads);
    }
}

/** Stops peers and waits (up to 10 s) until they are gone, so none writes into a folder being removed. */
function stopPeers(children: ChildProcess[]): void {
    for (const c of children) c.kill("SIGTERM");
    const pids = children.map((c) => c.pid).filter((p): p is number => p !== undefined);
    for (let waited = 0; waited < 10_000 && pids.some(processAlive); waited += 20) sleep(20);
}
