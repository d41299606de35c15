/**
 * Who the benchmark of affordances investigates: a group of a pipeline run's tiny-world organisms (graded with the
 * structured judge), or the run's out-of-distribution organisms (src/ood/: behaviors no training family resembles,
 * graded with the OOD judge). OOD targets are the verified LoRA organisms only: an unverified organism has no
 * behavior to find, and full fine-tunes are audited by the OOD suite itself.
 */
import path from "node:path";
import { runGroups, type RunFolder } from "../ia/runFolder.ts";
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

export type BenchGroup = "test" | "dpo" | "validation" | "heldoutValues" | "heldoutFamily" | "ood";

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
export function benchTargets(run: RunFolder, group: BenchGroup, oodDir?: string): BenchTarget[] {
    const baseModel = run.config.baseModel;
    if (group === "ood") {
        const dir = oodDir ?? path.join(run.dir, "ood");
        const m = readOodManifest(dir);
        if (!m) throw new Error(`${path.join(dir, "organisms.json")}: no OOD organisms (run \`ia bench --suite ood --run ${run.dir}\` first)`);
        if (path.resolve(m.baseModel) !== path.resolve(baseModel)) throw new Error(`${path.join(dir, "organisms.json")}: organisms of base ${m.baseModel}, but the run's base is ${baseModel}`);
        const verified = m.organisms.filter((e) => e.verification.passed);
        if (verified.length === 0) throw new Error(`${path.join(dir, "organisms.json")}: none of its ${m.organisms.length} OOD organisms passed verification (an unverified organism has no behavior to find)`);
        return verified.map((e) => ({ id: e.id, family: e.spec.family, adapter: path.join(dir, e.adapter), grader: oodGrader(e.spec) }));
    }
    const { populationDir, groups } = runGroups(run);
    if (group === "validation" && groups.validation.length === 0) throw new Error(`${path.join(run.dir, "groups.json")}: no validation group (the run was drawn before it existed; its settings were chosen on --group dpo)`);
    return groups[group].map((e) => ({ id: e.id, family: e.family, adapter: path.join(populationDir, e.adapter), grader: specGrader(e.spec) }));
}
