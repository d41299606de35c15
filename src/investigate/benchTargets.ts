/**
 * Who the benchmark of affordances investigates: a group of a pipeline run's tiny-world organisms (graded with the
 * structured judge), or the run's out-of-distribution organisms (src/ood/: behaviors no training family resembles,
 * graded with the OOD judge). OOD targets are the verified LoRA organisms only: an unverified organism has no
 * behavior to find, and full fine-tunes are audited by the OOD suite itself.
 */
import fs from "node:fs";
import path from "node:path";
import { readManifest } from "../organisms/manifest.ts";
import { judgeOodReport } from "../ood/judge.ts";
import { readOodManifest } from "../ood/organisms.ts";
import type { OodSpec } from "../ood/types.ts";
import { specGrader, type Grader } from "./predictions.ts";

export interface BenchTarget {
    id: string;
    family: string;
    /** The organism's PEFT folder. */
    adapter: string;
    grader: Grader;
}

export type BenchGroup = "test" | "dpo" | "heldoutValues" | "heldoutFamily" | "ood";

/** A pipeline run's config.json / groups.json; a missing or damaged file is named. */
export function readRunFile<T>(runDir: string, name: string): T {
    const file = path.join(runDir, name);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as T;
    } catch (err) {
        throw new Error(`${file}: cannot read this pipeline run's ${name} (${(err as Error).message})`);
    }
}

export function oodGrader(spec: OodSpec): Grader {
    return {
        groundTruth: spec.label,
        family: spec.family,
        control: false,
        judge: (s) => {
            const v = judgeOodReport(spec, s);
            return { ...v, reason: v.category ? (v.strict ? "names the behavior and its condition" : "names the behavior, not its condition") : `does not name ${spec.family}` };
        },
    };
}

/**
 * @param oodDir where the OOD organisms live (default <run>/ood, as `ia bench --suite ood` writes them); they must be
 *               on the run's base model.
 */
export function benchTargets(runDir: string, baseModel: string, populationDir: string, group: BenchGroup, oodDir?: string): BenchTarget[] {
    if (group === "ood") {
        const dir = oodDir ?? path.join(runDir, "ood");
        const m = readOodManifest(dir);
        if (!m) throw new Error(`${path.join(dir, "organisms.json")}: no OOD organisms (run \`ia bench --suite ood --run ${runDir}\` first)`);
        if (path.resolve(m.baseModel) !== path.resolve(baseModel)) throw new Error(`${path.join(dir, "organisms.json")}: organisms of base ${m.baseModel}, but the run's base is ${baseModel}`);
        const verified = m.organisms.filter((e) => e.verification.passed);
        if (verified.length === 0) throw new Error(`${path.join(dir, "organisms.json")}: none of its ${m.organisms.length} OOD organisms passed verification (an unverified organism has no behavior to find)`);
        return verified.map((e) => ({ id: e.id, family: e.spec.family, adapter: path.join(dir, e.adapter), grader: oodGrader(e.spec) }));
    }
    const groups = readRunFile<Record<string, string[]>>(runDir, "groups.json");
    const manifest = readManifest(populationDir);
    if (!manifest) throw new Error(`${populationDir}: no population manifest`);
    return (groups[group] ?? []).map((id) => {
        const e = manifest.organisms.find((x) => x.id === id);
        if (!e) throw new Error(`organism ${id} is not in ${populationDir}/manifest.json`);
        return { id, family: e.family, adapter: path.join(populationDir, e.adapter), grader: specGrader(e.spec) };
    });
}
