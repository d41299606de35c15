/**
 * IA training over a verified population, for one or more seeds: SFT on the SFT organisms plus the bare base
 * (negatives), then DPO on the DPO organisms starting from the SFT IA. Each stage is skipped when its done.json
 * exists and otherwise resumes from its checkpoint. Shared by the tiny-world pipeline and `ia ia-train`.
 */
import fs from "node:fs";
import path from "node:path";
import { manualSeed } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { loadAdapter } from "../lora/peft.ts";
import type { Transformer } from "../model/transformer.ts";
import type { OrganismEntry } from "../organisms/manifest.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import type { IaConfig } from "./config.ts";
import type { IaGroups } from "./groups.ts";
import type { SubjectBank } from "./subjects.ts";
import { trainIaDpo } from "./trainDpo.ts";
import { trainIaSft } from "./trainSft.ts";
import { reportTokens } from "../behaviors/shownReport.ts";

/** Every organism any role needs, in a fixed order (the bank's slot order; the bare base follows them). */
export function allSubjects(g: IaGroups): OrganismEntry[] {
    return [...g.sft, ...g.dpo, ...g.test, ...g.heldoutValues, ...g.heldoutFamily, ...g.negatives];
}

export interface TrainIaInput {
    model: Transformer;
    tok: ChatTokenizer;
    subjects: SubjectBank;
    everyone: OrganismEntry[];
    groups: IaGroups;
    ia: IaConfig;
    seeds: number[];
    runDir: string;
    baseModel: string;
    quiet?: boolean;
    stage?: (name: string) => void;
    /** Stage folders of a seed. Default <runDir>/seed-N/ia-sft and …/ia-dpo (ablations share SFT IAs between DPO variants). */
    dirs?: (seed: number) => { sft: string; dpo: string };
    /** Train the DPO stage too. Default true. */
    dpo?: boolean;
}

export function trainIaSeeds(t: TrainIaInput): { seed: number; sft: string; dpo: string }[] {
    const index = (list: OrganismEntry[]) => list.map((e) => t.everyone.indexOf(e));
    const baseIndex = t.everyone.length;
    const out: { seed: number; sft: string; dpo: string }[] = [];
    // Recorded with each stage, so whatever samples the IA later asks for reports of the length it was trained to write.
    const tokens = reportTokens(t.ia.sft.showThenName);
    for (const seed of t.seeds) {
        const dirs = t.dirs?.(seed) ?? { sft: path.join(t.runDir, `seed-${seed}`, "ia-sft"), dpo: path.join(t.runDir, `seed-${seed}`, "ia-dpo") };
        t.stage?.(`3/5 IA SFT (seed ${seed})`);
        manualSeed(seed);
        const sftDir = dirs.sft;
        if (!fs.existsSync(path.join(sftDir, "done.json"))) {
            const r = trainIaSft(t.model, t.tok, t.subjects, [...index(t.groups.sft), baseIndex], { ...t.ia.sft, seed: t.ia.sft.seed + seed }, { outDir: sftDir, baseModel: t.baseModel, quiet: t.quiet });
            writeJsonAtomic(path.join(sftDir, "done.json"), { steps: r.steps, rows: r.rows, negatives: r.negatives, seconds: r.seconds, lastLoss: r.lastLoss, tokensPerSec: r.tokensPerSec, reportTokens: tokens });
        }
        const dpoDir = dirs.dpo;
        if ((t.dpo ?? true) && !fs.existsSync(path.join(dpoDir, "done.json"))) {
            t.stage?.(`4/5 IA DPO (seed ${seed})`);
            const ia = loadAdapter(path.join(sftDir, "adapter"), t.model.config, { name: "ia", device: t.model.device });
            try {
                const r = trainIaDpo(t.model, t.tok, t.subjects, ia, { ...t.ia.dpo, seed: t.ia.dpo.seed + seed }, {
                    outDir: dpoDir, baseModel: t.baseModel, trainLabels: t.groups.sft.filter((e) => e.family !== "null").map((e) => e.label),
                    dpoSubjects: [...index(t.groups.dpo), baseIndex], quiet: t.quiet, reportTokens: tokens,
                });
                writeJsonAtomic(path.join(dpoDir, "done.json"), { steps: r.steps, pairs: r.pairs, rolloutAccuracy: r.rolloutAccuracy, rolloutFalseClaims: r.rolloutFalseClaims, seconds: r.seconds, reportTokens: tokens });
            } finally {
                ia.dispose();
            }
        }
        out.push({ seed, sft: path.join(sftDir, "adapter"), dpo: path.join(dpoDir, "adapter") });
    }
    return out;
}
