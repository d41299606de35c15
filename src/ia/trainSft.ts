/**
 * IA SFT: one shared LoRA trained jointly across organisms. Each step takes k organisms (the released
 * schedule), a batch of each one's introspection rows, and runs them in one forward in which every row goes
 * through its own organism's frozen adapter (LoraBank) and then the trainable IA; loss on the answer only.
 */
import fs from "node:fs";
import path from "node:path";
import { LoraAdapter } from "../lora/adapter.ts";
import { parameterCount } from "../model/config.ts";
import type { Transformer } from "../model/transformer.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { ChatMLTrainingEncoder } from "../tokenizer/chatmlFast.ts";
import { collate, truncateExample, type Example } from "../train/batch.ts";
import { runTrainLoop, type TrainLoopResult } from "../train/loop.ts";
import { loraTrainable } from "../train/trainables.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import type { IaSftConfig } from "./config.ts";
import { buildIaRows, organismStepSchedule } from "./data.ts";
import type { SubjectBank } from "./subjects.ts";

export interface IaSftResult extends TrainLoopResult {
    adapterDir: string;
    rows: number;
    negatives: number;
}

/** `train`: indices into subjects.subjects of the SFT organisms (and the bare base, for negatives). */
export function trainIaSft(model: Transformer, tok: ChatTokenizer, subjects: SubjectBank, train: readonly number[], cfg: IaSftConfig, o: { outDir: string; baseModel: string; resume?: boolean; quiet?: boolean }): IaSftResult {
    if (train.length === 0) throw new Error("IA SFT: no training organisms (population empty, or every organism failed verification?)");
    const rows = buildIaRows(train.map((i) => subjects.subjects[i]!), cfg);
    const encoder = new ChatMLTrainingEncoder(tok);
    const examples: Example[][] = rows.map((rs) =>
        rs.flatMap((r) => {
            const enc = encoder.encode(r.messages);
            const e = truncateExample({ ids: enc.ids, targetMask: enc.assistantMask }, cfg.maxLength);
            return e ? [e] : [];
        }),
    );
    // Batches per subject for `epochs` passes; each subject's rows are cycled in order.
    const batchesPer = examples.map((ex) => Math.ceil((ex.length * cfg.epochs) / cfg.batchSize));
    const schedule = organismStepSchedule(batchesPer, cfg.kOrganismsPerStep, cfg.seed);
    const cursor = examples.map(() => 0);
    // Precompute each step's rows so step k is a pure function of k (resume reproduces the run).
    const stepRows: [number, number][][] = schedule.map((subs) =>
        subs.flatMap((s) => {
            const ex = examples[s] as Example[];
            return Array.from({ length: cfg.batchSize }, () => {
                const i = (cursor[s] as number) % ex.length;
                cursor[s] = (cursor[s] as number) + 1;
                return [s, i] as [number, number];
            });
        }),
    );
    const ia = LoraAdapter.create("ia", model.config, cfg.lora, { device: model.device });
    const saved = model.adapters;
    model.adapters = [subjects.bank, ia];
    fs.mkdirSync(o.outDir, { recursive: true });
    writeJsonAtomic(path.join(o.outDir, "config.json"), { stage: "ia-sft", baseModel: o.baseModel, sft: cfg, subjects: train.map((i) => subjects.subjects[i]!.key), steps: stepRows.length });
    try {
        const trainable = loraTrainable(model, ia, o.baseModel);
        subjects.bank.setTrainable(false);
        const n = parameterCount(model.config);
        const result = runTrainLoop(
            model,
            trainable,
            (step) => {
                const rs = stepRows[step] as [number, number][];
                return [{
                    batch: () => collate(rs.map(([s, i]) => (examples[s] as Example[])[i] as Example), tok.padTokenId, model.device),
                    before: () => subjects.setRows(rs.map(([s]) => train[s]!)),
                }];
            },
            {
                totalSteps: stepRows.length,
                schedule: { lr: cfg.lr, warmupSteps: Math.round(stepRows.length * 0.05), decay: "cosine", minLrRatio: 0.1 },
                gradClip: 1.0,
                logEvery: Math.max(1, Math.round(stepRows.length / 10)),
                checkpointEvery: Math.max(50, Math.round(stepRows.length / 4)),
                outDir: o.outDir,
                resume: o.resume ?? true,
                label: "ia-sft",
                flopsPerToken: 4 * n,
                seed: cfg.seed,
                quiet: o.quiet,
            },
        );
        const adapterDir = path.join(o.outDir, "adapter");
        writeDirAtomic(adapterDir, (tmp) => trainable.save(tmp));
        return { ...result, adapterDir, rows: examples.reduce((a, e) => a + e.length, 0), negatives: rows.flat().filter((r) => r.negative).length };
    } finally {
        model.adapters = saved;
        ia.dispose();
    }
}
