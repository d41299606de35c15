/**
 * PEFT-format adapter folders: `adapter_config.json` + `adapter_model.safetensors` with PEFT's key names
 *   base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight  [r, in]
 *   base_model.model.model.layers.{i}.self_attn.q_proj.lora_B.weight  [out, r]
 * Loading checks the adapter against the model it is attached to (ranks, shapes, layer indices, targets),
 * so an adapter made for another base fails with an error naming the file instead of producing garbage.
 */
import fs from "node:fs";
import path from "node:path";
import { keep, tidy } from "../engine/scope.ts";
import type { DType } from "../engine/tensor.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readSafetensors, writeSafetensors, type RawTensor } from "../io/safetensors.ts";
import type { ModelConfig } from "../model/config.ts";
import { rawToTensor, tensorToRaw } from "../model/weights.ts";
import { preview } from "../util/preview.ts";
import { LORA_TARGETS, LoraAdapter, modulePath, projectionShape, type LoraConfig, type LoraPair, type LoraTarget } from "./adapter.ts";

const PEFT_PREFIX = "base_model.model.";
const KEY_RE = /^base_model\.model\.(model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+))\.lora_([AB])\.weight$/;

export function readAdapterConfig(dir: string): { config: LoraConfig; baseModel: string | null } {
    const file = path.join(dir, "adapter_config.json");
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file}: cannot read adapter config (${(e as Error).message})`);
    }
    const fail = (msg: string): never => {
        throw new Error(`${file}: ${msg}`);
    };
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("expected a JSON object");
    const json = parsed as Record<string, unknown>;
    if (json.peft_type !== undefined && json.peft_type !== "LORA") fail(`peft_type ${preview(json.peft_type)} is not supported (only LORA)`);
    if (json.use_dora === true) fail("DoRA adapters are not supported");
    if (json.fan_in_fan_out === true) fail("fan_in_fan_out adapters (GPT-2 Conv1D layout) are not supported");
    const r = json.r;
    if (typeof r !== "number" || !Number.isSafeInteger(r) || r <= 0) fail(`"r" must be a positive integer, got ${preview(r)}`);
    const alpha = json.lora_alpha ?? r;
    // Finite: JSON.parse reads 1e400 as Infinity, which would make the scaling alpha/r infinite.
    if (typeof alpha !== "number" || !(alpha > 0) || !Number.isFinite(alpha)) fail(`"lora_alpha" must be a positive number, got ${preview(alpha)}`);
    const dropout = json.lora_dropout ?? 0;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) fail(`"lora_dropout" must be a number in [0, 1), got ${preview(dropout)}`);
    for (const k of ["rank_pattern", "alpha_pattern"]) {
        const v = json[k];
        if (v && typeof v === "object" && Object.keys(v).length > 0) fail(`"${k}" (per-module ranks) is not supported`);
    }
    let targets = json.target_modules;
    if (typeof targets === "string") targets = targets === "all-linear" ? [...LORA_TARGETS] : [targets];
    if (!Array.isArray(targets) || targets.length === 0) fail(`"target_modules" must be a non-empty list`);
    for (const t of targets as string[]) if (!(LORA_TARGETS as readonly string[]).includes(t)) fail(`target module ${preview(t)} is not supported (supported: ${LORA_TARGETS.join(", ")})`);
    return {
        config: {
            r: r as number,
            alpha: alpha as number,
            dropout: dropout as number,
            useRslora: json.use_rslora === true,
            targetModules: targets as LoraTarget[],
        },
        baseModel: typeof json.base_model_name_or_path === "string" ? json.base_model_name_or_path : null,
    };
}

export interface LoadAdapterOptions {
    name?: string;
    device?: string;
    dtype?: DType;
}

/**
 * Reads a PEFT adapter folder. With a model config every tensor is checked against that base (layers, module paths,
 * shapes); with null (e.g. summing two adapters with no base at hand) only for self-consistency: rank and A/B pairing.
 */
export function loadAdapter(dir: string, model: ModelConfig | null, o: LoadAdapterOptions = {}): LoraAdapter {
    const { config, baseModel } = readAdapterConfig(dir);
    const file = path.join(dir, "adapter_model.safetensors");
    if (!fs.existsSync(file)) throw new Error(`${file}: missing (PEFT adapters are read from adapter_model.safetensors)`);
    const { tensors } = readSafetensors(file);
    const pairs = new Map<string, { A?: RawTensor; B?: RawTensor; target: LoraTarget; layer: number }>();
    for (const [key, raw] of tensors) {
        const m = KEY_RE.exec(key);
        if (!m) throw new Error(`${file}: unexpected tensor ${key} (not a LoRA A/B weight of a q/k/v/o/gate/up/down projection)`);
        const [, mod, layerStr, , target, which] = m as unknown as [string, string, string, string, LoraTarget, "A" | "B"];
        const layer = Number(layerStr);
        if (model && layer >= model.numLayers) throw new Error(`${file}: ${key} targets layer ${layer} but the model has ${model.numLayers} layers (adapter made for another base?)`);
        if (!config.targetModules.includes(target)) throw new Error(`${file}: ${key} is not in target_modules of adapter_config.json`);
        // Weights are looked up by module path: one filed under another block (self_attn.gate_proj) or with a
        // zero-padded layer (layers.01) would load and then be silently ignored.
        if (mod !== modulePath(layer, target)) throw new Error(`${file}: ${key} is not where this model has ${target} (expected ${modulePath(layer, target)})`);
        const entry = pairs.get(mod) ?? { target, layer };
        entry[which] = raw;
        pairs.set(mod, entry);
    }
    if (pairs.size === 0) throw new Error(`${file}: contains no LoRA weights`);
    const weights = new Map<string, LoraPair>();
    try {
        for (const [mod, e] of pairs) {
            if (!e.A || !e.B) throw new Error(`${file}: ${mod} has lora_${e.A ? "B" : "A"} missing`);
            if (model) {
                const [inF, outF] = projectionShape(model, e.target);
                const wantA = [config.r, inF], wantB = [outF, config.r];
                if (e.A.shape.join(",") !== wantA.join(",") || e.B.shape.join(",") !== wantB.join(",")) {
                    throw new Error(`${file}: ${mod} has lora_A [${e.A.shape}] / lora_B [${e.B.shape}], but r=${config.r} on this model needs [${wantA}] / [${wantB}] (adapter made for another base?)`);
                }
            } else if (e.A.shape.length !== 2 || e.B.shape.length !== 2 || e.A.shape[0] !== config.r || e.B.shape[1] !== config.r) {
                throw new Error(`${file}: ${mod} has lora_A [${e.A.shape}] / lora_B [${e.B.shape}], which is not [r, in] / [out, r] with r = ${config.r}`);
            }
            const A = keep(rawToTensor(e.A, `${file}: ${mod}.lora_A`, o.device, o.dtype ?? "float32"));
            let B;
            try {
                B = keep(rawToTensor(e.B, `${file}: ${mod}.lora_B`, o.device, o.dtype ?? "float32"));
            } catch (err) {
                A.dispose();
                throw err;
            }
            weights.set(mod, { A, B });
        }
    } catch (err) {
        for (const { A, B } of weights.values()) { A.dispose(); B.dispose(); }
        throw err;
    }
    return new LoraAdapter(o.name ?? path.basename(path.resolve(dir)), config, weights, baseModel);
}

/** Writes the adapter as PEFT does (files written atomically). */
export function saveAdapter(adapter: LoraAdapter, dir: string, o: { baseModel?: string; dtype?: DType; extra?: Record<string, unknown> } = {}): void {
    fs.mkdirSync(dir, { recursive: true });
    const tensors = new Map<string, RawTensor>();
    for (const [mod, { A, B }] of adapter.weights) {
        tidy(() => {
            const cast = (t: typeof A) => (o.dtype && t.dtype !== o.dtype ? t.to(o.dtype) : t.detach());
            tensors.set(`${PEFT_PREFIX}${mod}.lora_A.weight`, tensorToRaw(cast(A)));
            tensors.set(`${PEFT_PREFIX}${mod}.lora_B.weight`, tensorToRaw(cast(B)));
        });
    }
    writeSafetensors(path.join(dir, "adapter_model.safetensors"), tensors, { format: "pt" });
    const c = adapter.config;
    writeJsonAtomic(path.join(dir, "adapter_config.json"), {
        alpha_pattern: {},
        auto_mapping: null,
        base_model_name_or_path: o.baseModel ?? adapter.baseModel,
        bias: "none",
        fan_in_fan_out: false,
        inference_mode: true,
        init_lora_weights: true,
        layers_pattern: null,
        layers_to_transform: null,
        lora_alpha: c.alpha,
        lora_dropout: c.dropout,
        modules_to_save: null,
        peft_type: "LORA",
        r: c.r,
        rank_pattern: {},
        revision: null,
        target_modules: [...c.targetModules].sort(),
        task_type: "CAUSAL_LM",
        use_dora: false,
        use_rslora: c.useRslora,
        ...o.extra,
    });
}

/** Every module path the adapter would have on this model (for completeness checks). */
export function expectedModules(model: ModelConfig, targets: readonly LoraTarget[]): string[] {
    const out: string[] = [];
    for (let l = 0; l < model.numLayers; l++) for (const t of targets) out.push(modulePath(l, t));
    return out;
}
