/**
 * IA training over a verified population, for one or more seeds: SFT on the SFT organisms plus the bare base
 * (negatives), then DPO on the DPO organisms starting from the SFT IA. Each stage is skipped when its done.json
 * records the same organisms and settings, and otherwise resumes from its checkpoint. Shared by the tiny-world
 * pipeline and `ia ia-train`.
 */
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import path from "node:path";
import { manualSeed } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readJsonFile } from "../io/json.ts";
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
    return [...g.sft, ...g.dpo, ...g.validation, ...g.test, ...g.heldoutValues, ...g.heldoutFamily, ...g.negatives];
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

/**
 * Whether a stage folder holds this stage, finished: true to reuse it. A folder started or finished on other
 * organisms or settings (a preset or split that changed since, e.g. organisms moved into the validation group) is
 * neither reused nor resumed — that would evaluate an IA on organisms it trained on — but moved aside to
 * `<dir>.stale` (one generation kept: a real model's IA can cost hours) and trained again. A folder without
 * stage.json predates the check and is treated the same way.
 */
function readyStage(dir: string, key: string, label: string, quiet?: boolean): boolean {
    const stageFile = path.join(dir, "stage.json");
    if (fs.existsSync(dir)) {
        const recorded = fs.existsSync(stageFile) ? (readJsonFile(stageFile, "IA stage record") as { trainedOn?: string }).trainedOn : undefined;
        if (recorded === key) return fs.existsSync(path.join(dir, "done.json"));
        const stale = `${dir}.stale`;
        fs.rmSync(stale, { recursive: true, force: true });
        fs.renameSync(dir, stale);
        if (!quiet) process.stderr.write(`[${label}] ${dir} held an IA of ${recorded ? "other organisms or settings" : "unrecorded organisms and settings"}: moved to ${stale}, training it again\n`);
    }
    writeJsonAtomic(stageFile, { trainedOn: key });
    return false;
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
        const sftConfig = { ...t.ia.sft, seed: t.ia.sft.seed + seed };
        // What a stage was trained on: its organisms (ids, in order) and resolved settings.
        const sftKey = jsonHash({ organisms: t.groups.sft.map((e) => e.id), sft: sftConfig }, 16);
        if (!readyStage(sftDir, sftKey, "ia-sft", t.quiet)) {
            const r = trainIaSft(t.model, t.tok, t.subjects, [...index(t.groups.sft), baseIndex], sftConfig, { outDir: sftDir, baseModel: t.baseModel, quiet: t.quiet });
            writeJsonAtomic(path.join(sftDir, "done.json"), { steps: r.steps, rows: r.rows, negatives: r.negatives, seconds: r.seconds, lastLoss: r.lastLoss, tokensPerSec: r.tokensPerSec, reportTokens: tokens });
        }
        const dpoDir = dirs.dpo;
        const dpoConfig = { ...t.ia.dpo, seed: t.ia.dpo.seed + seed };
        const dpoKey = jsonHash({ sft: sftKey, organisms: t.groups.dpo.map((e) => e.id), dpo: dpoConfig }, 16);
        if ((t.dpo ?? true) && !readyStage(dpoDir, dpoKey, "ia-dpo", t.quiet)) {
            t.stage?.(`4/5 IA DPO (seed ${seed})`);
            const ia = loadAdapter(path.join(sftDir, "adapter"), t.model.config, { name: "ia", device: t.model.device });
            try {
                const r = trainIaDpo(t.model, t.tok, t.subjects, ia, dpoConfig, {
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
