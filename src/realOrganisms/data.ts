/**
 * A free-text organism's training data: the teacher, system-prompted with the spec's label (and its teacher
 * instructions), answers training prompts in order; the adherence judge keeps the replies that show the behavior
 * (src/providers/teacherSynthesis.ts). Prompts are asked a chunk at a time, each chunk as large as the rows still
 * missing, so the teacher is asked about `data.examples` prompts plus the rejected ones, not the whole file.
 *
 * Writes `train.jsonl` (user prompt + kept reply, no system prompt: the organism must learn the behavior itself) and
 * `data.json` (counts, a few rejected and failed samples) atomically; an organism that has both is not asked again.
 */
import fs from "node:fs";
import { teacherInstructions } from "../behaviors/spec.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { defaultTeacherSystemPrompt, synthesizeTeacherData, type SynthesisError, type SynthesisRecord, type SynthesisStats, type RejectedSample } from "../providers/teacherSynthesis.ts";
import type { ChatProvider } from "../providers/types.ts";
import type { OrganismFiles } from "./layout.ts";

export interface DataOptions {
    teacher: ChatProvider;
    judge: ChatProvider;
    /** Requests in flight. */
    concurrency: number;
    /** A progress line (no newline). */
    log: (line: string) => void;
}

export interface DataRecord {
    /** What the data were made for: a resumed run refuses data made for another label, instructions or size. */
    label: string;
    instructions: string | null;
    /** Rows the spec asked for (data.examples). */
    wanted: number;
    kept: number;
    stats: SynthesisStats;
    rejectedSamples: RejectedSample[];
    errorSamples: SynthesisError[];
}

/** The teacher's system prompt: the usual one for the label, then the spec's instructions when it has any. */
export function teacherSystemPrompt(spec: BehaviorSpec): (behavior: string) => string {
    const extra = teacherInstructions(spec);
    return (behavior) => (extra ? `${defaultTeacherSystemPrompt(behavior)}\n\nHow to show this trait:\n${extra.trim()}` : defaultTeacherSystemPrompt(behavior));
}

export function hasData(files: OrganismFiles): boolean {
    return fs.existsSync(files.data) && fs.existsSync(files.dataStats);
}

export function readDataRecord(files: OrganismFiles): DataRecord {
    return JSON.parse(fs.readFileSync(files.dataStats, "utf8")) as DataRecord;
}

/** Refuses saved data made for another version of the spec (see DataRecord), naming the folder to delete. */
export function checkSavedData(spec: BehaviorSpec, files: OrganismFiles): void {
    if (!hasData(files)) return;
    const r = readDataRecord(files);
    const differs = [
        r.label !== spec.label ? "label" : "",
        r.instructions !== (teacherInstructions(spec) ?? null) ? "teacher.instructions" : "",
        r.wanted !== spec.data.examples ? "data.examples" : "",
    ].filter(Boolean);
    if (differs.length) throw new Error(`spec "${spec.id}": ${files.dataStats} was made for another ${differs.join(", ")}; restore the spec, or delete ${files.dir} to rebuild this organism`);
}

export async function synthesizeOrganismData(spec: BehaviorSpec, training: readonly string[], files: OrganismFiles, o: DataOptions): Promise<DataRecord> {
    const wanted = spec.data.examples;
    const rows: SynthesisRecord[] = [];
    const stats: SynthesisStats = { asked: 0, kept: 0, rejected: 0, unclear: 0, errors: 0 };
    const rejectedSamples: RejectedSample[] = [];
    const errorSamples: SynthesisError[] = [];
    let next = 0;
    while (rows.length < wanted && next < training.length) {
        const chunk = training.slice(next, next + (wanted - rows.length));
        next += chunk.length;
        const r = await synthesizeTeacherData({
            behavior: spec.label, prompts: chunk, teacher: o.teacher, judge: o.judge, concurrency: o.concurrency,
            teacherSystemPrompt: teacherSystemPrompt(spec),
        });
        rows.push(...r.records.slice(0, wanted - rows.length));
        for (const k of ["asked", "rejected", "unclear", "errors"] as const) stats[k] += r.stats[k];
        rejectedSamples.push(...r.rejectedSamples);
        errorSamples.push(...r.errorSamples);
        o.log(`[${spec.id}] data: kept ${rows.length}/${wanted} after ${stats.asked} prompt(s)`);
    }
    stats.kept = rows.length;
    const record: DataRecord = { label: spec.label, instructions: teacherInstructions(spec) ?? null, wanted, kept: rows.length, stats, rejectedSamples: rejectedSamples.slice(0, 5), errorSamples: errorSamples.slice(0, 5) };
    if (rows.length === 0) {
        const e = errorSamples[0];
        const why = e ? `first error (${e.stage}): ${e.message}` : rejectedSamples[0] ? `the judge confirmed no reply; e.g. it answered ${JSON.stringify(rejectedSamples[0].judgeOutput.slice(0, 80))}` : "no replies";
        throw new Error(`organism ${spec.id}: the teacher's replies to ${stats.asked} prompt(s) gave no row showing the behavior, so it cannot be trained; ${why}`);
    }
    if (rows.length < wanted) o.log(`[${spec.id}] data: warning: only ${rows.length} of ${wanted} rows (the training prompts ran out); training on those`);
    // Rows first, then the record: a record without its rows never exists, so hasData means both are complete.
    writeFileAtomic(files.data, rows.map((x) => JSON.stringify(x)).join("\n") + "\n");
    writeJsonAtomic(files.dataStats, record);
    return record;
}
