/**
 * One free-text organism's LoRA, trained with the project's SFT (src/train/sft.ts) on its kept teacher rows, into
 * `real-organisms/<id>/sft/adapter` (a PEFT folder). A run interrupted after a checkpoint resumes from it (runSft
 * refuses a resume whose settings or data differ); an organism whose adapter exists is not trained again.
 */
import fs from "node:fs";
import path from "node:path";
import { ADAPTER_WEIGHTS } from "../lora/peftLayout.ts";
import { runSft, resolveSftConfig } from "../train/sft.ts";
import { SFT_DEFAULTS } from "../train/sftConfig.ts";
import { findCheckpoint } from "../train/checkpoint.ts";
import type { RealOrganismSettings } from "./config.ts";
import type { OrganismFiles } from "./layout.ts";

export function hasAdapter(files: OrganismFiles): boolean {
    return fs.existsSync(path.join(files.adapter, ADAPTER_WEIGHTS));
}

export interface TrainResult {
    steps: number;
    lastLoss: number;
}

export function trainOrganism(base: string, files: OrganismFiles, rows: number, s: RealOrganismSettings, device: string): TrainResult {
    const cfg = resolveSftConfig({
        model: base,
        data: files.data,
        out: files.sft,
        lora: { ...SFT_DEFAULTS.lora, r: s.rank, alpha: 2 * s.rank },
        lr: s.lr,
        epochs: s.epochs,
        // runSft needs one full batch; an organism with fewer rows takes them all in each step.
        batchSize: Math.min(s.batchSize, rows),
        maxLength: s.maxLength,
        seed: s.seed,
        device,
        resume: findCheckpoint(path.join(files.sft, "checkpoint")) !== null,
    });
    const r = runSft(cfg);
    return { steps: r.steps, lastLoss: r.lastLoss };
}
