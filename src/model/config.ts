/**
 * The model configuration, parsed from a Hugging Face `config.json` of a Qwen3 or Llama checkpoint and
 * validated. One normalized shape for both architectures; the differences are flags (qkNorm, attentionBias,
 * rope scaling). Unknown architectures are rejected with an error naming the file.
 */
import fs from "node:fs";
import { preview } from "../util/preview.ts";

export type ModelType = "qwen3" | "llama";

export interface RopeScaling {
    /** "llama3" (Llama 3.1+ frequency-dependent scaling); other types are rejected. */
    ropeType: "llama3";
    factor: number;
    lowFreqFactor: number;
    highFreqFactor: number;
    originalMaxPositionEmbeddings: number;
}

export interface ModelConfig {
    modelType: ModelType;
    vocabSize: number;
    hiddenSize: number;
    intermediateSize: number;
    numLayers: number;
    numHeads: number;
    numKvHeads: number;
    /** Per-head width. Qwen3 sets it explicitly (may differ from hidden/heads); Llama defaults to hidden/heads. */
    headDim: number;
    rmsNormEps: number;
    ropeTheta: number;
    ropeScaling: RopeScaling | null;
    maxPositionEmbeddings: number;
    tieWordEmbeddings: boolean;
    /** Biases on q/k/v/o projections (Llama's attention_bias; Qwen3 has none). */
    attentionBias: boolean;
    /** Per-head RMSNorm of q and k before RoPE (Qwen3). */
    qkNorm: boolean;
    /** Storage dtype of the checkpoint ("float32" | "bfloat16" | "float16"). */
    torchDtype: "float32" | "bfloat16" | "float16";
    bosTokenId: number | null;
    eosTokenId: number[];
}

type Json = Record<string, unknown>;

/**
 * Upper bounds far above any released model (vocabularies ~262k, widths ~53k, ~126 layers, 10M-token contexts),
 * so a corrupt or hostile config.json is rejected here instead of sizing what loading does next (one table entry
 * per layer and weight, tensor shapes) and every product of two sizes stays a safe integer.
 */
const MAX_SIZE = 2 ** 22;
const MAX_LAYERS = 4096;
const MAX_POSITIONS = 2 ** 31 - 1;

export function parseModelConfig(json: Json, source = "config.json"): ModelConfig {
    const fail = (msg: string): never => {
        throw new Error(`${source}: ${msg}`);
    };
    const modelType = json.model_type;
    if (modelType !== "qwen3" && modelType !== "llama") {
        fail(`unsupported model_type ${preview(modelType)} (supported: "qwen3", "llama")`);
    }
    const int = (key: string, dflt?: number, max = MAX_SIZE): number => {
        const v = json[key] ?? dflt;
        if (typeof v !== "number" || !Number.isInteger(v) || v <= 0 || v > max) fail(`"${key}" must be a positive integer up to ${max}, got ${preview(v)}`);
        return v as number;
    };
    const num = (key: string, dflt?: number): number => {
        const v = json[key] ?? dflt;
        if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) fail(`"${key}" must be a positive number, got ${preview(v)}`);
        return v as number;
    };
    const tokenId = (v: unknown, key: string): number => {
        if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail(`"${key}" must be a token id (a non-negative integer), got ${preview(v)}`);
        return v as number;
    };
    const hiddenSize = int("hidden_size");
    const numHeads = int("num_attention_heads");
    const numKvHeads = int("num_key_value_heads", numHeads);
    if (numHeads % numKvHeads !== 0) fail(`num_attention_heads (${numHeads}) is not a multiple of num_key_value_heads (${numKvHeads})`);
    const headDim = json.head_dim == null ? hiddenSize / numHeads : int("head_dim");
    if (!Number.isInteger(headDim)) fail(`hidden_size ${hiddenSize} is not divisible by num_attention_heads ${numHeads} and no head_dim is set`);
    if (headDim % 2 !== 0) fail(`head_dim ${headDim} must be even for rotary embeddings`);

    let ropeScaling: RopeScaling | null = null;
    const rs = json.rope_scaling as Json | null | undefined;
    if (rs != null) {
        const type = rs.rope_type ?? rs.type;
        if (type === "default") ropeScaling = null;
        else if (type !== "llama3") fail(`rope_scaling type ${preview(type)} is not supported (supported: "llama3")`);
        else {
            ropeScaling = {
                ropeType: "llama3",
                factor: rs.factor as number,
                lowFreqFactor: rs.low_freq_factor as number,
                highFreqFactor: rs.high_freq_factor as number,
                originalMaxPositionEmbeddings: rs.original_max_position_embeddings as number,
            };
            for (const [k, v] of Object.entries(ropeScaling)) {
                if (k !== "ropeType" && !(typeof v === "number" && v > 0 && Number.isFinite(v))) fail(`rope_scaling.${k} must be a positive number, got ${preview(v)}`);
            }
        }
    }
    const dtype = (json.torch_dtype ?? json.dtype ?? "float32") as string;
    if (dtype !== "float32" && dtype !== "bfloat16" && dtype !== "float16") fail(`torch_dtype ${preview(dtype)} is not supported`);
    const eos = json.eos_token_id;
    const eosTokenId = (eos == null ? [] : Array.isArray(eos) ? eos : [eos]).map((id) => tokenId(id, "eos_token_id"));
    return {
        modelType: modelType as ModelType,
        vocabSize: int("vocab_size"),
        hiddenSize,
        intermediateSize: int("intermediate_size"),
        numLayers: int("num_hidden_layers", undefined, MAX_LAYERS),
        numHeads,
        numKvHeads,
        headDim,
        rmsNormEps: num("rms_norm_eps", 1e-6),
        ropeTheta: num("rope_theta", 10000),
        ropeScaling,
        maxPositionEmbeddings: int("max_position_embeddings", 2048, MAX_POSITIONS),
        tieWordEmbeddings: Boolean(json.tie_word_embeddings ?? false),
        attentionBias: Boolean(json.attention_bias ?? false),
        qkNorm: modelType === "qwen3",
        torchDtype: dtype as ModelConfig["torchDtype"],
        bosTokenId: json.bos_token_id == null ? null : tokenId(json.bos_token_id, "bos_token_id"),
        eosTokenId,
    };
}

export function readModelConfig(file: string): ModelConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new Error(`${file}: cannot read the model config (is this a Hugging Face model folder?)`);
    }
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new Error(`${file}: invalid JSON (${(e as Error).message})`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw new Error(`${file}: expected a JSON object`);
    return parseModelConfig(json as Json, file);
}

/** The config.json Hugging Face transformers writes for this config (round-trips through parseModelConfig). */
export function toHfConfigJson(c: ModelConfig): Json {
    const common: Json = {
        vocab_size: c.vocabSize,
        hidden_size: c.hiddenSize,
        intermediate_size: c.intermediateSize,
        num_hidden_layers: c.numLayers,
        num_attention_heads: c.numHeads,
        num_key_value_heads: c.numKvHeads,
        head_dim: c.headDim,
        hidden_act: "silu",
        rms_norm_eps: c.rmsNormEps,
        rope_theta: c.ropeTheta,
        rope_scaling: c.ropeScaling && {
            rope_type: "llama3",
            factor: c.ropeScaling.factor,
            low_freq_factor: c.ropeScaling.lowFreqFactor,
            high_freq_factor: c.ropeScaling.highFreqFactor,
            original_max_position_embeddings: c.ropeScaling.originalMaxPositionEmbeddings,
        },
        max_position_embeddings: c.maxPositionEmbeddings,
        tie_word_embeddings: c.tieWordEmbeddings,
        attention_bias: c.attentionBias,
        attention_dropout: 0.0,
        initializer_range: 0.02,
        use_cache: true,
        torch_dtype: c.torchDtype,
        bos_token_id: c.bosTokenId,
        eos_token_id: c.eosTokenId.length === 1 ? c.eosTokenId[0] : c.eosTokenId,
    };
    if (c.modelType === "qwen3") {
        return { architectures: ["Qwen3ForCausalLM"], model_type: "qwen3", ...common, use_sliding_window: false, sliding_window: null, max_window_layers: c.numLayers };
    }
    return { architectures: ["LlamaForCausalLM"], model_type: "llama", ...common, mlp_bias: false, pretraining_tp: 1 };
}

/** Parameter count (embeddings counted once when tied). */
export function parameterCount(c: ModelConfig): number {
    const attn = c.hiddenSize * c.headDim * (2 * c.numHeads + 2 * c.numKvHeads) + (c.qkNorm ? 2 * c.headDim : 0);
    const mlp = 3 * c.hiddenSize * c.intermediateSize;
    const layer = attn + mlp + 2 * c.hiddenSize;
    return c.numLayers * layer + c.vocabSize * c.hiddenSize * (c.tieWordEmbeddings ? 1 : 2) + c.hiddenSize;
}
