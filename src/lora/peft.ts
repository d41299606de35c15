/**
 * PEFT-format adapter folders: `adapter_config.json` + `adapter_model.safetensors` with PEFT's key names
 *   base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight  [r, in]
 *   base_model.model.model.layers.{i}.self_attn.q_proj.lora_B.weight  [out, r]
 * Loading checks the adapter against the model it is attached to (ranks, shapes, layer indices, targets),
 * so an adapter made for another base fails with an error naming the file instead of producing garbage.
 *
 * The folder may also be one of PEFT's other layouts (peftLayout.ts): a named adapter's subfolder
 * (DIR/NAME/ when DIR holds exactly one) or a Trainer checkpoint-N/ folder; a pickle-only folder
 * (adapter_model.bin) is refused with how to convert it. PEFT strips the adapter name from the keys it saves
 * (`lora_A.default.weight` -> `lora_A.weight`); files written from a raw state dict keep it, so a key may carry
 * one adapter name (`...lora_A.meta_lora.weight`), the same in every key of the file.
 * `inspectAdapter` runs every check from the safetensors header alone (no tensors, no engine work).
 */
import fs from "node:fs";
import path from "node:path";
import { keep, tidy } from "../engine/scope.ts";
import type { DType } from "../engine/tensor.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type RawTensor, type SafeDType } from "../io/safetensors.ts";
import type { ModelConfig } from "../model/config.ts";
import { rawToTensor, tensorToRaw } from "../model/weights.ts";
import { preview } from "../util/preview.ts";
import { LORA_TARGETS, LoraAdapter, modulePath, projectionShape, type LoraConfig, type LoraPair, type LoraTarget } from "./adapter.ts";
import { ADAPTER_WEIGHTS, pickleRefusal, resolveAdapterFolder, type AdapterFolder } from "./peftLayout.ts";

const PEFT_PREFIX = "base_model.model.";
/** Module path, layer, block, projection, A/B, and the adapter name some writers leave in the key. */
const KEY_RE = /^base_model\.model\.(model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+))\.lora_([AB])(?:\.([^.]+))?\.weight$/;
const FLOAT_DTYPES: readonly SafeDType[] = ["F32", "F16", "BF16", "F64"];

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

/** One LoRA module of an inspected adapter: its tensors' keys in the weights file and their shapes. */
export interface InspectedModule {
    target: LoraTarget;
    layer: number;
    A: { key: string; shape: number[] };
    B: { key: string; shape: number[] };
}

export interface AdapterInspection {
    /** The folder that holds the files (a named adapter's subfolder when the given folder was its parent). */
    folder: AdapterFolder;
    /** adapter_model.safetensors inside folder.dir. */
    file: string;
    config: LoraConfig;
    baseModel: string | null;
    /** Module path -> its A/B tensors, in file order. */
    modules: Map<string, InspectedModule>;
    /** The adapter name the keys carry (`...lora_A.<name>.weight`), or null when they carry none (PEFT's own files). */
    keyAdapterName: string | null;
}

/**
 * Every check loadAdapter makes, from adapter_config.json and the safetensors header alone: the folder layout, the
 * config, key names, target modules, dtypes, A/B pairing and ranks, and — with a model config — layer indices and
 * shapes against that base. Throws an Error naming the file and the mismatch.
 */
export function inspectAdapter(dir: string, model: ModelConfig | null): AdapterInspection {
    const folder = resolveAdapterFolder(dir);
    const { config, baseModel } = readAdapterConfig(folder.dir);
    const file = path.join(folder.dir, ADAPTER_WEIGHTS);
    if (!fs.existsSync(file)) {
        if (fs.existsSync(path.join(folder.dir, "adapter_model.bin"))) throw new Error(pickleRefusal(folder.dir));
        throw new Error(`${file}: missing (PEFT adapters are read from adapter_model.safetensors)`);
    }
    const { entries } = readSafetensorsHeader(file);
    const found = new Map<string, { A?: { key: string; shape: number[] }; B?: { key: string; shape: number[] }; target: LoraTarget; layer: number }>();
    const names = new Set<string>();
    let unnamed = false;
    for (const [key, entry] of entries) {
        const m = KEY_RE.exec(key);
        if (!m) throw new Error(`${file}: unexpected tensor ${key} (not a LoRA A/B weight of a q/k/v/o/gate/up/down projection)`);
        const [, mod, layerStr, , target, which, keyName] = m as unknown as [string, string, string, string, LoraTarget, "A" | "B", string | undefined];
        const layer = Number(layerStr);
        if (model && layer >= model.numLayers) throw new Error(`${file}: ${key} targets layer ${layer} but the model has ${model.numLayers} layers (adapter made for another base?)`);
        if (!config.targetModules.includes(target)) throw new Error(`${file}: ${key} is not in target_modules of adapter_config.json`);
        // Weights are looked up by module path: one filed under another block (self_attn.gate_proj) or with a
        // zero-padded layer (layers.01) would load and then be silently ignored.
        if (mod !== modulePath(layer, target)) throw new Error(`${file}: ${key} is not where this model has ${target} (expected ${modulePath(layer, target)})`);
        if (keyName === undefined) unnamed = true;
        else names.add(keyName);
        if (!FLOAT_DTYPES.includes(entry.dtype)) throw new Error(`${file}: ${mod}.lora_${which}: dtype ${entry.dtype} is not a floating-point weight type`);
        const e = found.get(mod) ?? { target, layer };
        if (e[which]) throw new Error(`${file}: ${mod} has lora_${which} twice (keys ${e[which].key} and ${key}): the file holds more than one adapter`);
        e[which] = { key, shape: entry.shape };
        found.set(mod, e);
    }
    if (found.size === 0) throw new Error(`${file}: contains no LoRA weights`);
    if (names.size > 1 || (names.size === 1 && unnamed)) {
        const all = [...[...names].sort(), ...(unnamed ? ["(none)"] : [])];
        throw new Error(`${file}: keys carry different adapter names (${all.join(", ")}); one file must hold one adapter`);
    }
    const modules = new Map<string, InspectedModule>();
    for (const [mod, e] of found) {
        if (!e.A || !e.B) throw new Error(`${file}: ${mod} has lora_${e.A ? "B" : "A"} missing`);
        const a = e.A.shape, b = e.B.shape;
        if (model) {
            const [inF, outF] = projectionShape(model, e.target);
            const wantA = [config.r, inF], wantB = [outF, config.r];
            if (a.join(",") !== wantA.join(",") || b.join(",") !== wantB.join(",")) {
                throw new Error(`${file}: ${mod} has lora_A [${a}] / lora_B [${b}], but r=${config.r} on this model needs [${wantA}] / [${wantB}] (adapter made for another base?)`);
            }
        } else if (a.length !== 2 || b.length !== 2 || a[0] !== config.r || b[1] !== config.r) {
            throw new Error(`${file}: ${mod} has lora_A [${a}] / lora_B [${b}], which is not [r, in] / [out, r] with r = ${config.r}`);
        }
        modules.set(mod, { target: e.target, layer: e.layer, A: e.A, B: e.B });
    }
    return { folder, file, config, baseModel, modules, keyAdapterName: names.size === 1 ? [...names][0]! : null };
}

/**
 * Reads a PEFT adapter folder (any layout inspectAdapter resolves). With a model config every tensor is checked
 * against that base (layers, module paths, shapes); with null (e.g. summing two adapters with no base at hand) only
 * for self-consistency: rank and A/B pairing.
 */
export function loadAdapter(dir: string, model: ModelConfig | null, o: LoadAdapterOptions = {}): LoraAdapter {
    const ins = inspectAdapter(dir, model);
    const { file, config } = ins;
    const keys = [...ins.modules.values()].flatMap((m) => [m.A.key, m.B.key]);
    const { tensors } = readSafetensors(file, { names: keys });
    const weights = new Map<string, LoraPair>();
    try {
        for (const [mod, e] of ins.modules) {
            const A = keep(rawToTensor(tensors.get(e.A.key)!, `${file}: ${mod}.lora_A`, o.device, o.dtype ?? "float32"));
            let B;
            try {
                B = keep(rawToTensor(tensors.get(e.B.key)!, `${file}: ${mod}.lora_B`, o.device, o.dtype ?? "float32"));
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
    return new LoraAdapter(o.name ?? path.basename(path.resolve(ins.folder.dir)), config, weights, ins.baseModel);
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
