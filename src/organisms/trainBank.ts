/**
 * Trains a group of organisms at once: a LoraBank with one adapter per organism, every batch row drawn from
 * some organism's data and routed through that organism's adapter. Rows are drawn so each organism sees its data
 * `epochs` times in a seeded order; the loop checkpoints the whole bank and resumes.
 */
import path from "node:path";
import { noGrad } from "../engine/runtime.ts";
import { readSafetensors, writeSafetensors } from "../io/safetensors.ts";
import { LoraBank } from "../lora/bank.ts";
import { parameterCount } from "../model/config.ts";
import type { Transformer } from "../model/transformer.ts";
import { rawToTensor, tensorToRaw } from "../model/weights.ts";
import { collate, type Example } from "../train/batch.ts";
import { runTrainLoop, type Trainable, type TrainLoopConfig, type TrainLoopResult } from "../train/loop.ts";
import { Rng } from "../util/rng.ts";
import type { OrganismTrainConfig } from "./config.ts";

export interface BankTrainResult extends TrainLoopResult {
    bank: LoraBank;
}

export function bankTrainable(bank: LoraBank): Trainable {
    bank.setTrainable(true);
    const params = bank.parameters();
    return {
        params,
        save: (dir) => writeSafetensors(path.join(dir, "bank.safetensors"), new Map(params.map((p, i) => [`p${i}`, tensorToRaw(p)]))),
        load: (dir) => {
            const file = path.join(dir, "bank.safetensors");
            const { tensors } = readSafetensors(file);
            noGrad(() => params.forEach((p, i) => {
                const raw = tensors.get(`p${i}`);
                if (!raw) throw new Error(`${file}: missing p${i}`);
                const t = rawToTensor(raw, file, p.device);
                p.copy_(t);
                t.dispose();
            }));
        },
    };
}

/**
 * Row schedule: for each step, (organism, example) pairs; each organism's examples cycled `epochs` times.
 * Rows are bucketed by token length inside windows of 16 steps (then steps are shuffled) to cut padding.
 */
export function rowSchedule(data: readonly (readonly Example[])[], epochs: number, batchRows: number, seed: number): [number, number][][] {
    const rng = new Rng(`${seed}:organism-rows`);
    const all: [number, number][] = [];
    data.forEach((rows, org) => {
        for (let e = 0; e < epochs; e++) for (const i of rng.shuffle(Array.from({ length: rows.length }, (_, k) => k))) all.push([org, i]);
    });
    const order = rng.shuffle(all);
    const len = ([org, i]: [number, number]) => (data[org] as Example[])[i]!.ids.length;
    const steps: [number, number][][] = [];
    const window = batchRows * 16;
    for (let w = 0; w < order.length; w += window) {
        const chunk = order.slice(w, w + window).sort((a, b) => len(a) - len(b));
        for (let s = 0; s < chunk.length; s += batchRows) {
            const rows = chunk.slice(s, s + batchRows);
            if (rows.length === batchRows || steps.length === 0) steps.push(rows);
        }
    }
    return rng.shuffle(steps);
}

/** The training loop's settings for a bank of organisms (also used for the adversarial banks of src/ood/). */
export function bankLoopConfig(steps: number, cfg: OrganismTrainConfig, modelParams: number, o: { outDir: string; label: string; quiet?: boolean }): TrainLoopConfig {
    return {
        totalSteps: steps,
        schedule: { lr: cfg.lr, warmupSteps: Math.min(20, Math.round(steps * 0.05)), decay: "cosine", minLrRatio: 0.1 },
        gradClip: 1.0,
        logEvery: Math.max(1, Math.round(steps / 10)),
        checkpointEvery: Math.max(25, Math.round(steps / 4)),
        outDir: o.outDir,
        resume: true,
        label: o.label,
        flopsPerToken: 4 * modelParams,
        seed: cfg.seed,
        quiet: o.quiet,
    };
}

export function trainOrganismBank(model: Transformer, data: Example[][], cfg: OrganismTrainConfig, o: { outDir: string; padId: number; label: string; quiet?: boolean }): BankTrainResult {
    const bank = LoraBank.create(data.length, model.config, cfg.lora, model.device);
    const others = model.adapters;
    model.adapters = [bank];
    try {
        const trainable = bankTrainable(bank);
        const schedule = rowSchedule(data, cfg.epochs, cfg.batchRows, cfg.seed);
        const n = parameterCount(model.config);
        const result = runTrainLoop(
            model,
            trainable,
            (step) => {
                const rows = schedule[step] as [number, number][];
                return [{
                    batch: () => collate(rows.map(([org, i]) => (data[org] as Example[])[i] as Example), o.padId, model.device),
                    before: () => bank.setRows(rows.map(([org]) => org)),
                }];
            },
            bankLoopConfig(schedule.length, cfg, n, o),
        );
        bank.setTrainable(false);
        return { ...result, bank };
    } finally {
        model.adapters = others;
    }
}
