/**
 * `ia train --model DIR --data FILE.jsonl --out DIR [options]` — LoRA or full SFT on chat JSONL.
 * Every option maps to a field of SftConfig (src/train/sftConfig.ts), where the defaults are documented.
 */
import type { CommandModule } from "yargs";
import { LORA_TARGETS, type LoraTarget } from "../../lora/adapter.ts";
import { resolveSftConfig, runSft } from "../../train/sft.ts";
import { SFT_DEFAULTS } from "../../train/sftConfig.ts";

interface Args {
    model: string; data: string; out: string; mode: "lora" | "full"; adapter: string[];
    r: number; alpha: number; dropout: number; rslora: boolean; targets: string[];
    epochs: number; maxSteps: number; batchSize: number; gradAccum: number; maxLength: number;
    lr: number; warmup: number; decay: "cosine" | "linear" | "constant"; weightDecay: number; gradClip: number;
    seed: number; device: string; logEvery: number; checkpointEvery: number; resume: boolean;
}

const d = SFT_DEFAULTS;
const TrainCommand: CommandModule<object, Args> = {
    command: "train",
    describe: "Supervised fine-tuning (LoRA or full) on chat JSONL, resumable, PEFT-format output",
    builder: (y) =>
        y
            .option("model", { type: "string", demandOption: true, group: "Required:", describe: "Hugging Face model folder" })
            .option("data", { type: "string", demandOption: true, group: "Required:", describe: 'Chat JSONL: {"messages":[...]} per line' })
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Output folder" })
            .option("mode", { choices: ["lora", "full"] as const, default: d.mode, group: "Optional:" })
            .option("adapter", { type: "string", array: true, default: [] as string[], group: "Optional:", describe: "Frozen adapter(s) underneath, DIR[:SCALE]" })
            .option("r", { type: "number", default: d.lora.r, group: "LoRA:" })
            .option("alpha", { type: "number", default: d.lora.alpha, group: "LoRA:" })
            .option("dropout", { type: "number", default: d.lora.dropout, group: "LoRA:" })
            .option("rslora", { type: "boolean", default: d.lora.useRslora, group: "LoRA:" })
            .option("targets", { type: "string", array: true, default: d.lora.targetModules as string[], group: "LoRA:", choices: [...LORA_TARGETS] })
            .option("epochs", { type: "number", default: d.epochs, group: "Optional:" })
            .option("max-steps", { type: "number", default: d.maxSteps, group: "Optional:", describe: "Overrides epochs when > 0" })
            .option("batch-size", { type: "number", default: d.batchSize, group: "Optional:" })
            .option("grad-accum", { type: "number", default: d.gradAccum, group: "Optional:" })
            .option("max-length", { type: "number", default: d.maxLength, group: "Optional:" })
            .option("lr", { type: "number", default: d.lr, group: "Optional:" })
            .option("warmup", { type: "number", default: d.warmup, group: "Optional:", describe: "Fraction (<1) or steps" })
            .option("decay", { choices: ["cosine", "linear", "constant"] as const, default: d.decay, group: "Optional:" })
            .option("weight-decay", { type: "number", default: d.weightDecay, group: "Optional:" })
            .option("grad-clip", { type: "number", default: d.gradClip, group: "Optional:" })
            .option("seed", { type: "number", default: d.seed, group: "Optional:" })
            .option("device", { type: "string", default: d.device, group: "Optional:" })
            .option("log-every", { type: "number", default: d.logEvery, group: "Optional:" })
            .option("checkpoint-every", { type: "number", default: d.checkpointEvery, group: "Optional:" })
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
    },
};
export default TrainCommand;
