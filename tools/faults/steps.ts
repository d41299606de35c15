/**
 * How many optimizer steps a kill cost. With IA_LOG_EVERY=1 every training loop appends a metrics.jsonl row after
 * each step (before that step's checkpoint), so right after a kill, per loop folder:
 *   reached = the last step done (rows), resumeAt = the step of the checkpoint a rerun will load (findCheckpoint,
 *   the loop's own rule), lost = reached - resumeAt, to compare with the loop's checkpoint interval.
 * The rerun's "resumed from step S (dir)" lines are then checked against resumeAt.
 */
import fs from "node:fs";
import path from "node:path";
import { findCheckpoint } from "../../src/train/checkpoint.ts";

export interface LoopState {
    dir: string;
    reached: number;
    totalSteps: number;
    resumeAt: number;
    lost: number;
}

function rows(file: string): { step: number; totalSteps: number }[] {
    const out: { step: number; totalSteps: number }[] = [];
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (!line) continue;
        try {
            out.push(JSON.parse(line) as { step: number; totalSteps: number });
        } catch {
            // A cut-short line is the audit's business; it is not a step that was done.
        }
    }
    return out;
}

/** Every training-loop folder (one holding metrics.jsonl) under the roots, with what a kill now would cost. */
export function loopStates(roots: string[]): LoopState[] {
    const out: LoopState[] = [];
    const visit = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            if (e.isDirectory() && !/\.(tmp|old)(-\d+-\d+)?$/.test(e.name)) visit(path.join(dir, e.name));
        }
        const metrics = path.join(dir, "metrics.jsonl");
        if (!fs.existsSync(metrics)) return;
        const r = rows(metrics);
        const reached = r.reduce((m, x) => Math.max(m, x.step + 1), 0);
        const ckpt = findCheckpoint(path.join(dir, "checkpoint"));
        const resumeAt = ckpt?.state.step ?? 0;
        out.push({ dir: path.resolve(dir), reached, totalSteps: r[0]?.totalSteps ?? ckpt?.state.totalSteps ?? 0, resumeAt, lost: Math.max(0, reached - resumeAt) });
    };
    for (const root of roots) if (fs.existsSync(root)) visit(root);
    return out;
}
