/**
 * Model config.json (src/model/config.ts readModelConfig), followed by what loading a model does next with the
 * numbers (expectedShapes: one entry per layer and weight; parameterCount), so a config whose sizes are absurd
 * must be rejected by the parser rather than drive that work. Seeds: the golden Qwen3 and Llama configs (the
 * Llama one has llama3 rope scaling, GQA and untied embeddings).
 */
import path from "node:path";
import { parameterCount, readModelConfig, type ModelConfig } from "../../../src/model/config.ts";
import { expectedShapes } from "../../../src/model/weights.ts";
import { defineTarget } from "../harness.ts";
import { GOLDEN, isCount, jsonFileInput, jsonSeeds, readText, renderJsonFile, writeBytes, type JsonFileInput, type JsonSeeds } from "./common.ts";

/** What an accepted config must satisfy; undefined when it does. */
export function checkModelConfig(c: ModelConfig): string | undefined {
    const ints = [c.vocabSize, c.hiddenSize, c.intermediateSize, c.numLayers, c.numHeads, c.numKvHeads, c.headDim, c.maxPositionEmbeddings];
    if (!ints.every((n) => isCount(n) && n > 0)) return `a size is not a positive safe integer: ${ints.join(", ")}`;
    if (c.headDim % 2 !== 0 || c.numHeads % c.numKvHeads !== 0) return "head layout inconsistent";
    if (!(Number.isFinite(c.rmsNormEps) && c.rmsNormEps > 0 && Number.isFinite(c.ropeTheta) && c.ropeTheta > 0)) return "eps/theta not finite positive";
    if (c.ropeScaling && !Object.values(c.ropeScaling).every((v) => typeof v === "string" || (Number.isFinite(v) && v > 0))) return "rope_scaling not finite positive";
    if (!Array.isArray(c.eosTokenId) || !c.eosTokenId.every(isCount)) return `eos_token_id is not a list of token ids: ${String(c.eosTokenId)}`;
    if (c.bosTokenId !== null && !isCount(c.bosTokenId)) return `bos_token_id is not a token id: ${c.bosTokenId}`;
    if (!Number.isFinite(parameterCount(c))) return `parameter count ${parameterCount(c)} is not finite`;
    return undefined;
}

export function configSeeds(): JsonSeeds {
    return jsonSeeds([readText(path.join(GOLDEN, "qwen3-tiny/config.json")), readText(path.join(GOLDEN, "llama-tiny/config.json"))]);
}

export default defineTarget<JsonSeeds, JsonFileInput>({
    name: "model-config",
    parser: "src/model/config.ts readModelConfig (+ expectedShapes, parameterCount)",
    init: configSeeds,
    arbitrary: jsonFileInput,
    prepare(seeds, input, dir) {
        const file = path.join(dir, "config.json");
        const bytes = writeBytes(file, renderJsonFile(seeds, input));
        return {
            names: [file],
            bytes,
            call: () => {
                const config = readModelConfig(file);
                return { config, shapes: expectedShapes(config).size };
            },
            check: (r) => checkModelConfig((r as { config: ModelConfig }).config),
        };
    },
});
