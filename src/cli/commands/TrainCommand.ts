/**
 * `ia train --model DIR --data FILE.jsonl --out DIR [options]` — LoRA or full SFT on chat JSONL.
 * Every option maps to a field of SftConfig (src/train/sftConfig.ts), where the defaults are documented.
 */
import type { CommandModule } from "yargs";
import { LORA_TARGETS, type LoraTarget } from "../../lora/adapter.ts";
import { resolveSftConfig, runSft } from "../../train/sft.ts";
import { SFT_DEFAULTS } from "../../train/sftConfig.ts";
import { COUNT, COUNT0, deviceOption, FRACTION, INT, modelFolderOption, NON_NEGATIVE, num, POSITIVE } from "../validate.ts";

interface Args {
    model: string; data: string; out: string; mode: "lora" | "full"; adapter: string[];
    r: number; alpha: number; dropout: number; rslora: boolean; targets: string[];
    epochs: number; maxSteps: number; batchSize: number; gradAccum: number; maxLength: number;
    lr: number; warmup: number; decay: "cosine" | "linear" | "constant"; weightDecay: number; gradClip: number;
    seed: number; device: string; logEvery: number; checkpointEvery: number; resume: boolean;
}

const d = SFT_DEFAULTS;

/**
 * A warning when the loss barely moved (under 5% from the first ten steps to the last ten): the fine-tune most likely
 * implanted nothing, e.g. the defaults (lr 1e-4, one epoch, sized for billion-parameter models and thousands of rows)
 * on a small model or a few hundred rows. Null when it moved, or when there is too little to tell.
 */
export function lossMoved(first10: number, last10: number, steps: number): string | null {
    if (!Number.isFinite(first10) || !Number.isFinite(last10) || steps < 20) return null;
    if (last10 < first10 * 0.95) return null;
    return `warning: the loss barely moved (${first10.toFixed(3)} over the first 10 steps → ${last10.toFixed(3)} over the last 10): these settings most likely implanted nothing. ` +
        `Try more steps or a higher rate (the tiny world's organisms use --lr 4e-3 --epochs 4), and check the result with \`ia generate\` before using it.\n`;
}
const TrainCommand: CommandModule<object, Args> = {
    command: "train",
    describe: "Supervised fine-tuning (LoRA or full) on chat JSONL, resumable, PEFT-format output",
    builder: (y) =>
        y
            .option("model", modelFolderOption("model", { demandOption: true, group: "Required:", describe: "Hugging Face model folder (Qwen3 or Llama)" }))
            .option("data", { type: "string", demandOption: true, group: "Required:", describe: 'Chat JSONL: {"messages":[...]} per line' })
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Output folder" })
            .option("mode", { choices: ["lora", "full"] as const, default: d.mode, group: "Optional:" })
            .option("adapter", { type: "string", array: true, default: [] as string[], group: "Optional:", describe: "Frozen adapter(s) underneath, DIR[:SCALE]" })
            .option("r", num("r", COUNT, { default: d.lora.r, group: "LoRA:" }))
            .option("alpha", num("alpha", POSITIVE, { default: d.lora.alpha, group: "LoRA:" }))
            .option("dropout", num("dropout", FRACTION, { default: d.lora.dropout, group: "LoRA:" }))
            .option("rslora", { type: "boolean", default: d.lora.useRslora, group: "LoRA:" })
            .option("targets", { type: "string", array: true, default: d.lora.targetModules as string[], group: "LoRA:", choices: [...LORA_TARGETS] })
            .option("epochs", num("epochs", COUNT, { default: d.epochs, group: "Optional:" }))
            .option("max-steps", num("max-steps", COUNT0, { default: d.maxSteps, group: "Optional:", describe: "Steps to train; overrides --epochs when > 0" }))
            .option("batch-size", num("batch-size", COUNT, { default: d.batchSize, group: "Optional:" }))
            .option("grad-accum", num("grad-accum", COUNT, { default: d.gradAccum, group: "Optional:" }))
            .option("max-length", num("max-length", COUNT, { default: d.maxLength, group: "Optional:" }))
            .option("lr", num("lr", POSITIVE, { default: d.lr, group: "Optional:", describe: "Peak learning rate. The default suits billion-parameter models and thousands of rows; small models or a few hundred rows need more (the tiny world's organisms: 4e-3 with --epochs 4). A warning says when the loss barely moved" }))
            .option("warmup", num("warmup", NON_NEGATIVE, { default: d.warmup, group: "Optional:", describe: "Fraction (<1) or steps" }))
            .option("decay", { choices: ["cosine", "linear", "constant"] as const, default: d.decay, group: "Optional:" })
            .option("weight-decay", num("weight-decay", NON_NEGATIVE, { default: d.weightDecay, group: "Optional:" }))
            .option("grad-clip", num("grad-clip", NON_NEGATIVE, { default: d.gradClip, group: "Optional:" }))
            .option("seed", num("seed", INT, { default: d.seed, group: "Optional:" }))
            .option("device", deviceOption(d.device))
            .option("log-every", num("log-every", COUNT, { default: d.logEvery, group: "Optional:" }))
            .option("checkpoint-every", num("checkpoint-every", COUNT0, { default: d.checkpointEvery, group: "Optional:", describe: "Steps between checkpoints (0: only at the end)" }))
            .option("resume", { type: "boolean", default: false, group: "Optional:", describe: "Continue from <out>/checkpoint" }) as never,
    handler: (a) => {
        const cfg = resolveSftConfig({
            model: a.model, data: a.data, out: a.out, mode: a.mode, frozenAdapters: a.adapter,
            lora: { r: a.r, alpha: a.alpha, dropout: a.dropout, useRslora: a.rslora, targetModules: a.targets as LoraTarget[] },
            epochs: a.epochs, maxSteps: a.maxSteps, batchSize: a.batchSize, gradAccum: a.gradAccum, maxLength: a.maxLength,
            lr: a.lr, warmup: a.warmup, decay: a.decay, weightDecay: a.weightDecay, gradClip: a.gradClip, seed: a.seed,
            device: a.device, logEvery: a.logEvery, checkpointEvery: a.checkpointEvery, resume: a.resume,
        });
        const r = runSft(cfg);
        process.stderr.write(`[train] done: ${r.steps} steps, final loss ${r.lastLoss.toFixed(4)}, ${Math.round(r.tokensPerSec)} tok/s; wrote ${r.outputDir}\n`);
        const moved = lossMoved(r.meanLossFirst10, r.meanLossLast10, r.steps);
        if (moved) process.stderr.write(moved);
    },
};
export default TrainCommand;
