/**
 * What a training run updates: one LoRA adapter (every other adapter on the model stays frozen), or every
 * weight of the model (full fine-tuning, for small models such as the tiny world's base).
 */
import fs from "node:fs";
import path from "node:path";
import { noGrad } from "../engine/runtime.ts";
import { LoraWeights, type LoraAdapter } from "../lora/adapter.ts";
import { loadAdapter, saveAdapter } from "../lora/peft.ts";
import type { Transformer } from "../model/transformer.ts";
import { loadModel, saveModel } from "../model/weights.ts";
import type { Trainable } from "./loop.ts";

export function loraTrainable(model: Transformer, adapter: LoraAdapter, baseModel: string | null = null): Trainable {
    for (const a of model.adapters) if (a !== adapter && a instanceof LoraWeights) a.setTrainable(false);
    adapter.setTrainable(true);
    return {
        params: adapter.parameters(),
        save: (dir) => saveAdapter(adapter, dir, { baseModel: baseModel ?? adapter.baseModel ?? undefined }),
        load: (dir) => {
            const saved = loadAdapter(dir, model.config, { device: model.device });
            noGrad(() => {
                for (const [mod, pair] of adapter.weights) {
                    const src = saved.weights.get(mod);
                    if (!src) throw new Error(`${dir}: checkpoint adapter lacks ${mod}`);
                    pair.A.copy_(src.A);
                    pair.B.copy_(src.B);
                }
            });
            saved.dispose();
        },
    };
}

export function fullTrainable(model: Transformer, tokenizerFrom?: string): Trainable {
    if (model.dtype !== "float32") throw new Error(`full fine-tuning needs float32 weights (model is ${model.dtype})`);
    const params = [...model.params.values()];
    for (const p of params) p.requiresGrad_(true);
    return {
        params,
        save: (dir) => saveModel(model, dir, { tokenizerFrom }),
        load: (dir) => {
            if (!fs.existsSync(path.join(dir, "config.json"))) throw new Error(`${dir}: not a model checkpoint`);
            const saved = loadModel(dir, { device: model.device, dtype: "float32" });
            noGrad(() => {
                for (const [name, t] of model.params) t.copy_(saved.params.get(name)!);
            });
            saved.dispose();
        },
    };
}
