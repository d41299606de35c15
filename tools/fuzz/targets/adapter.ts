/**
 * PEFT adapter folders (src/lora/peft.ts loadAdapter: adapter_config.json + adapter_model.safetensors into
 * native tensors) against the golden qwen3-tiny config: the golden adapters with the config, the weights, or
 * both mutated. An accepted adapter must have a usable config (rank, finite alpha, dropout in [0, 1)) and only
 * weights the model will actually use (each under the module path of a real layer and projection, right shapes).
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { LORA_TARGETS, modulePath, projectionShape, type LoraAdapter } from "../../../src/lora/adapter.ts";
import { loadAdapter } from "../../../src/lora/peft.ts";
import { readModelConfig, type ModelConfig } from "../../../src/model/config.ts";
import { defineTarget } from "../harness.ts";
import { GOLDEN, isCount, jsonFileInput, jsonSeeds, readText, renderJsonFile, writeBytes, type JsonFileInput, type JsonSeeds } from "./common.ts";
import { renderSafetensors, safetensorsInput, splitSafetensors, type SafetensorsInput, type SafetensorsSeed } from "./safetensors.ts";

interface Ctx {
    model: ModelConfig;
    configs: JsonSeeds;
    weights: SafetensorsSeed[];
}

interface Input {
    /** 0: qwen3-a (all projections), 1: qwen3-b (overrides the sub-inputs' seed). */
    adapter: number;
    config: JsonFileInput | null;
    weights: SafetensorsInput | null;
}

const ADAPTERS = ["qwen3-a", "qwen3-b"];

export function checkAdapter(a: LoraAdapter, model: ModelConfig): string | undefined {
    const c = a.config;
    if (!isCount(c.r) || c.r === 0) return `r ${c.r}`;
    if (!(Number.isFinite(c.alpha) && c.alpha > 0)) return `lora_alpha ${c.alpha}`;
    if (!(Number.isFinite(c.dropout) && c.dropout >= 0 && c.dropout < 1)) return `lora_dropout ${c.dropout}`;
    if (!Number.isFinite(a.scaling)) return `scaling ${a.scaling}`;
    const valid = new Map<string, [number, number]>();
    for (let l = 0; l < model.numLayers; l++) for (const t of LORA_TARGETS) valid.set(modulePath(l, t), projectionShape(model, t));
    for (const [mod, { A, B }] of a.weights) {
        const io = valid.get(mod);
        if (!io) return `weights under ${mod}, which is not a module of this model (they would be silently ignored)`;
        if (A.shape.join() !== [c.r, io[0]].join() || B.shape.join() !== [io[1], c.r].join()) return `${mod}: shapes [${A.shape}] / [${B.shape}]`;
    }
    return undefined;
}

export default defineTarget<Ctx, Input>({
    name: "peft-adapter",
    parser: "src/lora/peft.ts loadAdapter (adapter_config.json + adapter_model.safetensors into libtorch)",
    native: true,
    init: () => ({
        model: readModelConfig(path.join(GOLDEN, "qwen3-tiny/config.json")),
        configs: jsonSeeds(ADAPTERS.map((a) => readText(path.join(GOLDEN, "adapters", a, "adapter_config.json")))),
        weights: ADAPTERS.map((a) => splitSafetensors(new Uint8Array(fs.readFileSync(path.join(GOLDEN, "adapters", a, "adapter_model.safetensors"))))),
    }),
    arbitrary: (ctx) =>
        fc
            .record({
                adapter: fc.nat({ max: ADAPTERS.length - 1 }),
                config: fc.option(jsonFileInput(ctx.configs), { freq: 2 }),
                weights: fc.option(safetensorsInput(ctx.weights), { freq: 2 }),
            })
            .filter((i) => i.config !== null || i.weights !== null),
    prepare(ctx, input, dir) {
        const folder = path.join(dir, "adapter");
        let bytes = writeBytes(
            path.join(folder, "adapter_config.json"),
            input.config ? renderJsonFile(ctx.configs, { ...input.config, seed: input.adapter }) : ctx.configs.texts[input.adapter]!,
        );
        bytes += writeBytes(
            path.join(folder, "adapter_model.safetensors"),
            input.weights ? renderSafetensors(ctx.weights, { ...input.weights, seed: input.adapter }) : ctx.weights[input.adapter]!.bytes,
        );
        return {
            names: [folder],
            bytes,
            call: () => loadAdapter(folder, ctx.model),
            check: (a) => checkAdapter(a as LoraAdapter, ctx.model),
            dispose: (a) => (a as LoraAdapter).dispose(),
        };
    },
});
