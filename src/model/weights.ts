/**
 * Model weights under their Hugging Face names: the expected name -> shape table for a config, loading a
 * checkpoint folder into a Transformer (with shape/missing-key checks naming the file), random init for
 * training from scratch, and saving a folder that transformers can load.
 */
import fs from "node:fs";
import path from "node:path";
import { fromBytes, randn, ones } from "../engine/factory.ts";
import { keep, tidy } from "../engine/scope.ts";
import type { DType, Tensor } from "../engine/tensor.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { listCheckpointTensors, readCheckpointTensors, writeCheckpointTensors } from "../io/checkpointFiles.ts";
import type { RawTensor, SafeDType } from "../io/safetensors.ts";
import { readModelConfig, toHfConfigJson, type ModelConfig } from "./config.ts";
import { Transformer } from "./transformer.ts";

export function expectedShapes(c: ModelConfig): Map<string, number[]> {
    const m = new Map<string, number[]>();
    const q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim, h = c.hiddenSize;
    m.set("model.embed_tokens.weight", [c.vocabSize, h]);
    for (let i = 0; i < c.numLayers; i++) {
        const p = `model.layers.${i}`;
        m.set(`${p}.input_layernorm.weight`, [h]);
        m.set(`${p}.post_attention_layernorm.weight`, [h]);
        m.set(`${p}.self_attn.q_proj.weight`, [q, h]);
        m.set(`${p}.self_attn.k_proj.weight`, [kv, h]);
        m.set(`${p}.self_attn.v_proj.weight`, [kv, h]);
        m.set(`${p}.self_attn.o_proj.weight`, [h, q]);
        if (c.attentionBias) {
            m.set(`${p}.self_attn.q_proj.bias`, [q]);
            m.set(`${p}.self_attn.k_proj.bias`, [kv]);
            m.set(`${p}.self_attn.v_proj.bias`, [kv]);
            m.set(`${p}.self_attn.o_proj.bias`, [h]);
        }
        if (c.qkNorm) {
            m.set(`${p}.self_attn.q_norm.weight`, [c.headDim]);
            m.set(`${p}.self_attn.k_norm.weight`, [c.headDim]);
        }
        m.set(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, h]);
        m.set(`${p}.mlp.up_proj.weight`, [c.intermediateSize, h]);
        m.set(`${p}.mlp.down_proj.weight`, [h, c.intermediateSize]);
    }
    m.set("model.norm.weight", [h]);
    if (!c.tieWordEmbeddings) m.set("lm_head.weight", [c.vocabSize, h]);
    return m;
}

const SAFE_TO_TORCH: Partial<Record<SafeDType, DType>> = { F32: "float32", F16: "float16", BF16: "bfloat16", F64: "float64" };
const TORCH_TO_SAFE: Partial<Record<DType, SafeDType>> = { float32: "F32", float16: "F16", bfloat16: "BF16", float64: "F64", int64: "I64" };

export function rawToTensor(raw: RawTensor, where: string, device = "cpu", dtype?: DType): Tensor {
    const stored = SAFE_TO_TORCH[raw.dtype];
    if (!stored) throw new Error(`${where}: dtype ${raw.dtype} is not a floating-point weight type`);
    return tidy(() => {
        const t = fromBytes(raw.data, raw.shape, stored);
        return dtype && dtype !== stored ? t.to(dtype, device) : device !== "cpu" ? t.to(null, device) : t;
    });
}

export function tensorToRaw(t: Tensor): RawTensor {
    const dtype = TORCH_TO_SAFE[t.dtype];
    if (!dtype) throw new Error(`cannot store a ${t.dtype} tensor in safetensors`);
    return { dtype, shape: t.shape, data: t.toBytes() };
}

export interface LoadModelOptions {
    /** "cpu", "cuda", or "auto". Default "cpu". */
    device?: string;
    /** Compute/storage dtype. Default: float32 on CPU (Debian's libtorch has slow bf16 matmuls), the checkpoint's on GPU. */
    dtype?: DType;
}

export function loadModel(folder: string, o: LoadModelOptions = {}): Transformer {
    const config = readModelConfig(path.join(folder, "config.json"));
    const device = o.device ?? "cpu";
    const dtype = o.dtype ?? (device === "cpu" ? "float32" : config.torchDtype);
    const listing = listCheckpointTensors(folder);
    const expected = expectedShapes(config);
    const missing = [...expected.keys()].filter((k) => !listing.has(k));
    if (missing.length) {
        throw new Error(`${folder}: checkpoint does not match config.json: ${missing.length} missing tensor(s), e.g. ${missing.slice(0, 3).join(", ")}`);
    }
    const params = new Map<string, Tensor>();
    try {
        for (const [name, shape] of expected) {
            const where = listing.get(name)!.file;
            const raw = readCheckpointTensors(folder, [name]).get(name)!;
            if (raw.shape.join(",") !== shape.join(",")) {
                throw new Error(`${where}: tensor ${name} has shape [${raw.shape}] but config.json implies [${shape}]`);
            }
            params.set(name, keep(rawToTensor(raw, `${where}: ${name}`, device, dtype)));
        }
    } catch (err) {
        for (const t of params.values()) t.dispose();
        throw err;
    }
    return new Transformer(config, params, device, dtype);
}

/**
 * Random init as transformers' _init_weights: normal(0, 0.02) for linears and embeddings, ones for norms.
 * Uses the global libtorch RNG: call manualSeed first for reproducibility.
 */
export function initModel(config: ModelConfig, o: { device?: string; dtype?: DType; std?: number } = {}): Transformer {
    const device = o.device ?? "cpu", dtype = o.dtype ?? "float32", std = o.std ?? 0.02;
    const params = new Map<string, Tensor>();
    for (const [name, shape] of expectedShapes(config)) {
        const t = name.endsWith("norm.weight")
            ? ones(shape, { dtype, device })
            : tidy(() => randn(shape, { device }).mul(std).to(dtype));
        params.set(name, keep(t));
    }
    return new Transformer(config, params, device, dtype);
}

export interface SaveModelOptions {
    /** Copy tokenizer.json / tokenizer_config.json (and chat template files) from this folder. */
    tokenizerFrom?: string;
    /** Storage dtype. Default: the model's. */
    dtype?: DType;
}

export function saveModel(model: Transformer, folder: string, o: SaveModelOptions = {}): void {
    fs.mkdirSync(folder, { recursive: true });
    const dtype = o.dtype ?? model.dtype;
    const tensors = new Map<string, RawTensor>();
    for (const [name, t] of model.params) {
        tensors.set(name, tidy(() => tensorToRaw(t.dtype === dtype ? t : t.to(dtype))));
    }
    writeCheckpointTensors(folder, tensors);
    writeJsonAtomic(path.join(folder, "config.json"), { ...toHfConfigJson({ ...model.config, torchDtype: dtype as ModelConfig["torchDtype"] }), transformers_version: "4.51.0" });
    writeJsonAtomic(path.join(folder, "generation_config.json"), {
        bos_token_id: model.config.bosTokenId,
        eos_token_id: model.config.eosTokenId.length === 1 ? model.config.eosTokenId[0] : model.config.eosTokenId,
        do_sample: true,
        temperature: 0.7,
        top_p: 0.8,
    });
    if (o.tokenizerFrom) {
        for (const f of ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json"]) {
            const src = path.join(o.tokenizerFrom, f);
            if (fs.existsSync(src) && path.resolve(src) !== path.resolve(folder, f)) writeFileAtomic(path.join(folder, f), fs.readFileSync(src)); // a kill mid-copy must not leave half a tokenizer
        }
    }
}
