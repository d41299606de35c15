/**
 * The training loop's checkpoint folder (<outDir>/checkpoint: trainable weights, AdamW state, state.json) and its
 * metrics log. A checkpoint is written into checkpoint.tmp (state.json last, so a folder with state.json is
 * complete), then swapped in: checkpoint -> checkpoint.old, checkpoint.tmp -> checkpoint. A kill between those
 * two renames leaves no `checkpoint` folder, only complete `.tmp` / `.old` ones; resuming then picks the newest
 * complete one (recoverCheckpoint), so a kill at any instant loses at most the steps since the last checkpoint.
 */
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { readSafetensors, writeSafetensors } from "../io/safetensors.ts";
import { rawToTensor, tensorToRaw } from "../model/weights.ts";
import type { Trainable } from "./loop.ts";
import type { AdamW } from "./optimizer.ts";

export interface CheckpointState {
    /** Optimizer steps done (the step a resume starts at). */
    step: number;
    optimizerSteps: number;
    /** The loss of the last step and of up to 10 before it, so a resumed run reports what a straight one does. */
    lastLoss?: number;
    recentLosses?: number[];
    /** The run's schedule, for tools that check how much a kill can cost (tools/faults). */
    totalSteps?: number;
    checkpointEvery?: number;
    savedAt: string;
}

function readState(dir: string): CheckpointState | null {
    const file = path.join(dir, "state.json");
    if (!fs.existsSync(file)) return null;
    try {
        const s = JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointState;
        return isStep(s.step) && isStep(s.optimizerSteps) ? withValidExtras(s) : null;
    } catch {
        return null;
    }
}

function isStep(n: unknown): n is number {
    return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

/**
 * The optional fields a resume reads, each dropped when damaged rather than failing the resume: recentLosses is
 * spread into a list (a string would add characters, a number throw, a huge list overflow the stack).
 */
function withValidExtras(s: CheckpointState): CheckpointState {
    const out: CheckpointState = { ...s };
    // null is how JSON.stringify writes a NaN loss; a resume reads it as NaN again.
    const isLoss = (x: unknown) => x === null || typeof x === "number";
    if (out.lastLoss !== undefined && !isLoss(out.lastLoss)) delete out.lastLoss;
    if (out.recentLosses !== undefined && !(Array.isArray(out.recentLosses) && out.recentLosses.length <= 1000 && out.recentLosses.every(isLoss))) delete out.recentLosses;
    if (out.totalSteps !== undefined && !isStep(out.totalSteps)) delete out.totalSteps;
    if (out.checkpointEvery !== undefined && !isStep(out.checkpointEvery)) delete out.checkpointEvery;
    return out;
}

/** The complete checkpoint a resume would use (the newest of checkpoint, .tmp, .old), without changing anything. */
export function findCheckpoint(dir: string): { dir: string; state: CheckpointState } | null {
    let best: { dir: string; state: CheckpointState } | null = null;
    for (const d of [dir, `${dir}.tmp`, `${dir}.old`]) {
        const state = readState(d);
        if (state && (!best || state.step > best.state.step)) best = { dir: d, state };
    }
    return best;
}

/** Puts the newest complete checkpoint at `dir` and removes the other candidates. Returns its state or null. */
export function recoverCheckpoint(dir: string): CheckpointState | null {
    const best = findCheckpoint(dir);
    if (best && best.dir !== dir) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(best.dir, dir);
    }
    for (const d of [`${dir}.tmp`, `${dir}.old`]) fs.rmSync(d, { recursive: true, force: true });
    return best?.state ?? null;
}

export function saveCheckpoint(dir: string, trainable: Trainable, optimizer: AdamW, state: Omit<CheckpointState, "optimizerSteps" | "savedAt">): void {
    const tmp = `${dir}.tmp`, old = `${dir}.old`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    trainable.save(path.join(tmp, "weights"));
    const raw = new Map([...optimizer.stateTensors()].map(([k, t]) => [k, tensorToRaw(t)]));
    writeSafetensors(path.join(tmp, "optimizer.safetensors"), raw);
    writeJsonAtomic(path.join(tmp, "state.json"), { ...state, optimizerSteps: optimizer.stepCount, savedAt: new Date().toISOString() });
    fs.rmSync(old, { recursive: true, force: true });
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
}

/** Restores weights and optimizer state from `dir` (after recoverCheckpoint); returns the saved state. */
export function loadCheckpoint(dir: string, trainable: Trainable, optimizer: AdamW): CheckpointState {
    const state = readState(dir);
    if (!state) throw new Error(`${dir}: no readable state.json`);
    trainable.load(path.join(dir, "weights"));
    const file = path.join(dir, "optimizer.safetensors");
    const { tensors } = readSafetensors(file);
    const loaded = new Map([...tensors].map(([k, raw]) => [k, rawToTensor(raw, `${file}: ${k}`, optimizer.params[0]?.device ?? "cpu")]));
    try {
        optimizer.loadState(loaded, state.optimizerSteps);
    } finally {
        for (const t of loaded.values()) t.dispose();
    }
    return state;
}

/**
 * Keeps the metrics rows of steps before `startStep` (a resumed run rewrites the rest). Rewritten atomically; a
 * line that does not parse (a kill mid-append) is dropped rather than failing the resume.
 */
export function trimMetrics(file: string, startStep: number): void {
    if (!fs.existsSync(file)) return;
    const kept = fs.readFileSync(file, "utf8").split("\n").filter((l) => {
        if (!l) return false;
        try {
            return (JSON.parse(l) as { step: number }).step < startStep;
        } catch {
            return false;
        }
    });
    writeFileAtomic(file, kept.map((l) => l + "\n").join(""));
}
