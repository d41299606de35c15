/**
 * IA SFT: one shared LoRA trained jointly across organisms. Each step takes k organisms (the released
 * schedule), a batch of each one's introspection rows, and runs them in one forward in which every row goes
 * through its own organism's frozen adapter (LoraBank) and then the trainable IA; loss on the answer only.
 * With `selfDistill`, rounds of training on the IA's own judged-correct answers follow (selfDistill.ts), each
 * continuing from the IA in its own folder (self-distill-N/, with its checkpoint and the kept rows).
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
import { saveAdapter } from "../lora/peft.ts";
import type { IaSftConfig } from "./config.ts";
import { buildIaRows, organismStepSchedule, type IaRow } from "./data.ts";
import { selfDistillRows } from "./selfDistill.ts";
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
    const ia = LoraAdapter.create("ia", model.config, cfg.lora, { device: model.device });
    fs.mkdirSync(o.outDir, { recursive: true });
    try {
        const first = encodeSchedule(tok, rows, cfg, cfg.epochs, cfg.seed);
        writeJsonAtomic(path.join(o.outDir, "config.json"), { stage: "ia-sft", baseModel: o.baseModel, sft: cfg, subjects: train.map((i) => subjects.subjects[i]!.key), steps: first.steps.length });
        // The figures returned (steps, losses) are the SFT stage's; each round logs its own in its folder.
        const result = trainOnRows(model, subjects, train, first, ia, { ...o, padId: tok.padTokenId, lr: cfg.lr, seed: cfg.seed, label: "ia-sft" });
        for (let round = 1; round <= (cfg.selfDistill?.rounds ?? 0); round++) {
            const sd = cfg.selfDistill!;
            const outDir = path.join(o.outDir, `self-distill-${round}`);
            const kept = selfDistillRows(model, tok, subjects, train, ia, cfg, { seed: cfg.seed + 1000 * round, outDir, quiet: o.quiet });
            if (kept.rows.every((rs) => rs.length === 0)) continue;
            const schedule = encodeSchedule(tok, kept.rows, cfg, 1, cfg.seed + 1000 * round);
            trainOnRows(model, subjects, train, schedule, ia, { ...o, outDir, padId: tok.padTokenId, lr: sd.lr, seed: cfg.seed + 1000 * round, label: `ia-sft:self-distill-${round}` });
        }
        const adapterDir = path.join(o.outDir, "adapter");
        writeDirAtomic(adapterDir, (tmp) => saveAdapter(ia, tmp, { baseModel: o.baseModel }));
        return { ...result, adapterDir, rows: first.examples.reduce((a, e) => a + e.length, 0), negatives: rows.flat().filter((r) => r.negative).length };
    } finally {
        ia.dispose();
    }
}

interface Schedule {
    examples: Example[][];
    /** Per step, [position in `train`, example index] of each row. */
    steps: [number, number][][];
}

/** Tokenizes rows and lays out the steps: `epochs` passes, k organisms per step, each subject's rows cycled in order. */
function encodeSchedule(tok: ChatTokenizer, rows: readonly IaRow[][], cfg: IaSftConfig, epochs: number, seed: number): Schedule {
    const encoder = new ChatMLTrainingEncoder(tok);
    const examples: Example[][] = rows.map((rs) =>
        rs.flatMap((r) => {
            const enc = encoder.encode(r.messages);
            const e = truncateExample({ ids: enc.ids, targetMask: enc.assistantMask }, cfg.maxLength);
            return e ? [e] : [];
        }),
    );
    const batchesPer = examples.map((ex) => Math.ceil((ex.length * epochs) / cfg.batchSize));
    const schedule = organismStepSchedule(batchesPer, cfg.kOrganismsPerStep, seed);
    const cursor = examples.map(() => 0);
    // Precomputed so step k is a pure function of k (resume reproduces the run).
    const steps = schedule.map((subs) =>
        subs.flatMap((s) => {
            const ex = examples[s] as Example[];
            return Array.from({ length: cfg.batchSize }, () => {
                const i = (cursor[s] as number) % ex.length;
                cursor[s] = (cursor[s] as number) + 1;
                return [s, i] as [number, number];
            });
        }),
    );
    return { examples, steps };
}

/** Trains `ia` on a schedule, every row through its organism's frozen adapter; resumes from outDir/checkpoint. */
function trainOnRows(model: Transformer, subjects: SubjectBank, train: readonly number[], sch: Schedule, ia: LoraAdapter, o: { outDir: string; baseModel: string; padId: number; lr: number; seed: number; label: string; resume?: boolean; quiet?: boolean }): TrainLoopResult {
    const saved = model.adapters;
    model.adapters = [subjects.bank, ia];
    try {
        const trainable = loraTrainable(model, ia, o.baseModel);
        subjects.bank.setTrainable(false);
        return runTrainLoop(
            model,
            trainable,
            (step) => {
                const rs = sch.steps[step] as [number, number][];
                return [{
                    batch: () => collate(rs.map(([s, i]) => (sch.examples[s] as Example[])[i] as Example), o.padId, model.device),
                    before: () => subjects.setRows(rs.map(([s]) => train[s]!)),
                }];
            },
            {
                totalSteps: sch.steps.length,
                schedule: { lr: o.lr, warmupSteps: Math.round(sch.steps.length * 0.05), decay: "cosine", minLrRatio: 0.1 },
                gradClip: 1.0,
                logEvery: Math.max(1, Math.round(sch.steps.length / 10)),
                checkpointEvery: Math.max(50, Math.round(sch.steps.length / 4)),
                outDir: o.outDir,
                resume: o.resume ?? true,
                label: o.label,
                flopsPerToken: 4 * parameterCount(model.config),
                seed: o.seed,
                quiet: o.quiet,
            },
        );
    } finally {
        model.adapters = saved;
    }
}
