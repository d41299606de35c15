/**
 * OOD organisms trained as full fine-tunes: every base weight trained on the instillation data and saved as a Hugging
 * Face folder, audited as a target model (the IA on top of the fine-tuned weights, as `ia audit --target-model`). The
 * paper's UK AISI sandbaggers are full fine-tunes, and Diff Interpretation Tuning degrades on them: this measures
 * whether an IA trained on LoRA organisms still reads weights changed everywhere.
 */
import fs from "node:fs";
import path from "node:path";
import { manualSeed } from "../engine/runtime.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { LoraAdapter } from "../lora/adapter.ts";
import { LoraBank } from "../lora/bank.ts";
import { loadModel } from "../model/weights.ts";
import type { Transformer } from "../model/transformer.ts";
import { parameterCount } from "../model/config.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { ChatMLTrainingEncoder } from "../tokenizer/chatmlFast.ts";
import { collate } from "../train/batch.ts";
import { runTrainLoop } from "../train/loop.ts";
import { epochBatches } from "../train/sft.ts";
import { fullTrainable } from "../train/trainables.ts";
import { instillationExamples, verifyOodGroup, type OodVerification } from "./organisms.ts";
import type { OodSpec } from "./types.ts";

export interface FullFinetuneConfig {
    /** Default 3e-4: a full fine-tune moves every weight, so it needs a far smaller rate than a rank-4 LoRA's 4e-3. */
    lr: number;
    /** Default 4, as the LoRA organisms. */
    epochs: number;
    /** Default 16. */
    batchSize: number;
    /** Default 160. */
    maxLength: number;
    seed: number;
}

export const FULL_FINETUNE_DEFAULTS: FullFinetuneConfig = { lr: 3e-4, epochs: 4, batchSize: 16, maxLength: 160, seed: 1 };

/** Trains (or reuses) the full fine-tune of one spec; returns its model folder. Resumes from its checkpoint. */
export function trainFullOrganism(baseModel: string, tok: ChatTokenizer, spec: OodSpec, dir: string, cfg: FullFinetuneConfig, o: { device: string; quiet?: boolean }): string {
    const modelDir = path.join(dir, "full", spec.id);
    if (fs.existsSync(path.join(modelDir, "config.json"))) return modelDir;
    const examples = instillationExamples(spec, tok, new ChatMLTrainingEncoder(tok), cfg.seed, cfg.maxLength);
    manualSeed(cfg.seed);
    const model = loadModel(baseModel, { device: o.device, dtype: "float32" });
    try {
        const trainable = fullTrainable(model, baseModel);
        // epochBatches keeps only full batches: a tiny data set gets one batch of all its rows.
        const batchSize = Math.min(cfg.batchSize, examples.length);
        const steps = Math.max(1, Math.floor(examples.length / batchSize)) * cfg.epochs;
        const { indicesFor } = epochBatches(examples.length, batchSize, 1, cfg.seed, examples.map((e) => e.ids.length));
        runTrainLoop(model, trainable, (step) => indicesFor(step).map((idx) => ({ batch: () => collate(idx.map((i) => examples[i]!), tok.padTokenId, model.device) })), {
            totalSteps: steps,
            schedule: { lr: cfg.lr, warmupSteps: Math.max(1, Math.round(steps * 0.05)), decay: "cosine", minLrRatio: 0.1 },
            gradClip: 1.0,
            logEvery: Math.max(1, Math.round(steps / 4)),
            checkpointEvery: Math.max(25, steps),
            outDir: path.join(dir, "work", `full-${spec.id}`),
            resume: true,
            label: `OOD full fine-tune ${spec.id}`,
            flopsPerToken: 6 * parameterCount(model.config),
            seed: cfg.seed,
            quiet: o.quiet,
        });
        writeDirAtomic(modelDir, (tmp) => trainable.save(tmp));
    } finally {
        model.dispose();
    }
    fs.rmSync(path.join(dir, "work", `full-${spec.id}`), { recursive: true, force: true });
    return modelDir;
}

/** A bank of one zero adapter: lets a full fine-tune go through the bank-based samplers unchanged. */
export function identityBank(model: Transformer): LoraBank {
    const zero = LoraAdapter.create("identity", model.config, { r: 1, alpha: 1 }, { device: model.device });
    try {
        return LoraBank.fromAdapters([zero], model.config, model.device);
    } finally {
        zero.dispose();
    }
}

export function verifyFullOrganism(fineTuned: Transformer, base: Transformer, tok: ChatTokenizer, spec: OodSpec, o: { probes: number; seed: number }): OodVerification {
    return verifyOodGroup(fineTuned, tok, null, [spec], { ...o, base })[0]!;
}
