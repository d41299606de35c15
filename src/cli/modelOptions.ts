/**
 * Options shared by commands that load a model: the folder, adapters to stack, device. Normalized here once.
 */
import type { Argv } from "yargs";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { loadModel } from "../model/weights.ts";
import type { Transformer } from "../model/transformer.ts";
import { attachAdapterSpec } from "../train/sft.ts";
import { deviceOption, modelFolderOption } from "./validate.ts";

export interface ModelArgs {
    model: string;
    adapter: string[];
    device: string;
}

export function withModelOptions<T>(y: Argv<T>): Argv<T & ModelArgs> {
    return y
        .option("model", modelFolderOption("model", { demandOption: true, group: "Required:", describe: "Hugging Face model folder (Qwen3 or Llama)" }))
        .option("adapter", { type: "string", array: true, default: [] as string[], group: "Optional:", describe: "PEFT adapter folder to stack, as DIR or DIR:SCALE (repeatable; applied in order)" })
        .option("device", deviceOption()) as unknown as Argv<T & ModelArgs>;
}

export function loadModelWithAdapters(a: ModelArgs): Transformer {
    initEngine();
    const model = loadModel(a.model, { device: resolveDevice(a.device) });
    for (const spec of a.adapter) attachAdapterSpec(model, spec);
    return model;
}
