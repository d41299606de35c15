/**
 * Whole model folders (src/model/weights.ts loadModel: config.json + model.safetensors into native tensors):
 * the golden Qwen3 and Llama folders with the config, the weights, or both mutated. Native: shapes must be
 * checked against config.json before any bytes reach libtorch, and a failed load must free what it made.
 */
import path from "node:path";
import fc from "fast-check";
import { loadModel } from "../../../src/model/weights.ts";
import type { Transformer } from "../../../src/model/transformer.ts";
import { defineTarget } from "../harness.ts";
import { GOLDEN, jsonFileInput, renderJsonFile, writeBytes, type JsonFileInput, type JsonSeeds } from "./common.ts";
import { configSeeds } from "./modelConfig.ts";
import { renderSafetensors, safetensorsInput, splitSafetensors, type SafetensorsInput, type SafetensorsSeed } from "./safetensors.ts";
import fs from "node:fs";

interface Ctx {
    configs: JsonSeeds;
    weights: SafetensorsSeed[];
}

interface Input {
    /** 0: qwen3-tiny, 1: llama-tiny (overrides the sub-inputs' seed). */
    model: number;
    config: JsonFileInput | null;
    weights: SafetensorsInput | null;
}

export default defineTarget<Ctx, Input>({
    name: "model-folder",
    parser: "src/model/weights.ts loadModel (config.json + safetensors into libtorch)",
    native: true,
    init: () => ({
        configs: configSeeds(),
        weights: ["qwen3-tiny", "llama-tiny"].map((m) => splitSafetensors(new Uint8Array(fs.readFileSync(path.join(GOLDEN, m, "model.safetensors"))))),
    }),
    arbitrary: (ctx) =>
        fc
            .record({
                model: fc.nat({ max: 1 }),
                config: fc.option(jsonFileInput(ctx.configs), { freq: 2 }),
                weights: fc.option(safetensorsInput(ctx.weights), { freq: 2 }),
            })
            .filter((i) => i.config !== null || i.weights !== null),
    prepare(ctx, input, dir) {
        const folder = path.join(dir, "model");
        let bytes = writeBytes(
            path.join(folder, "config.json"),
            input.config ? renderJsonFile(ctx.configs, { ...input.config, seed: input.model }) : ctx.configs.texts[input.model]!,
        );
        bytes += writeBytes(
            path.join(folder, "model.safetensors"),
            input.weights ? renderSafetensors(ctx.weights, { ...input.weights, seed: input.model }) : ctx.weights[input.model]!.bytes,
        );
        return {
            names: [folder],
            bytes,
            call: () => loadModel(folder),
            dispose: (m) => (m as Transformer).dispose(),
        };
    },
});
