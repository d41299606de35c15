/**
 * The Responder over real model folders: the base model, the target (base + a PEFT adapter folder, or a full
 * checkpoint of a fine-tune of the same base) and, optionally, the IA stacked on the target. Loading checks that
 * the target and the IA belong to the base and says so in one line when they do not.
 */
import fs from "node:fs";
import path from "node:path";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import { loadAdapter } from "../lora/peft.ts";
import { readModelConfig, type ModelConfig } from "../model/config.ts";
import type { Transformer } from "../model/transformer.ts";
import { loadModel } from "../model/weights.ts";
import { generate } from "../sample/generate.ts";
import { ChatTokenizer, type ChatMessage } from "../tokenizer/ChatTokenizer.ts";
import type { ChatRequest, GenerateOptions, Reply, Responder, Which } from "./types.ts";
import { iaReportTokens } from "../ia/reports.ts";

export interface EngineTargetOptions {
    baseModel: string;
    targetAdapter?: string;
    targetModel?: string;
    ia?: string;
    /** Load the base for compare_to_base even when the target is a full checkpoint. Default true. */
    withBase?: boolean;
    device?: string;
}

const SHAPE_FIELDS: (keyof ModelConfig)[] = ["modelType", "vocabSize", "hiddenSize", "intermediateSize", "numLayers", "numHeads", "numKvHeads", "headDim"];

function requireFolder(dir: string, what: string, file: string): void {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${what} ${dir}: no such folder`);
    if (!fs.existsSync(path.join(dir, file))) throw new Error(`${what} ${dir}: missing ${file}`);
}

/** Throws naming both folders when a full checkpoint is not shaped like the base. */
export function checkSameBase(base: ModelConfig, other: ModelConfig, baseDir: string, otherDir: string, what: string): void {
    const diff = SHAPE_FIELDS.filter((k) => base[k] !== other[k]);
    if (diff.length) {
        throw new Error(`${what} ${otherDir} is not a fine-tune of the base ${baseDir}: ${diff.map((k) => `${k} ${String(other[k])} vs ${String(base[k])}`).join(", ")}`);
    }
}

function loadFitting(dir: string, config: ModelConfig, device: string, name: string, what: string, baseDir: string): LoraAdapter {
    requireFolder(dir, what, "adapter_config.json");
    try {
        return loadAdapter(dir, config, { device, name });
    } catch (err) {
        throw new Error(`${what} ${dir} does not fit the base ${baseDir} (made for another base?): ${(err as Error).message}`, { cause: err });
    }
}

export class EngineTarget implements Responder {
    readonly description: string;
    readonly hasBase: boolean;
    readonly hasIa: boolean;
    readonly iaReportTokens: number | undefined;
    private readonly tok: ChatTokenizer;
    private readonly targetModel: Transformer;
    private readonly baseModel: Transformer | null;
    private readonly targetAdapter: LoraAdapter | null;
    private readonly ia: LoraAdapter | null;

    constructor(o: EngineTargetOptions) {
        if (!o.targetAdapter === !o.targetModel) throw new Error("investigate: give exactly one of a target adapter folder or a target model folder");
        initEngine();
        const device = resolveDevice(o.device ?? "auto");
        requireFolder(o.baseModel, "base model", "config.json");
        const baseConfig = readModelConfig(path.join(o.baseModel, "config.json"));
        if (o.targetModel) {
            requireFolder(o.targetModel, "target model", "config.json");
            checkSameBase(baseConfig, readModelConfig(path.join(o.targetModel, "config.json")), o.baseModel, o.targetModel, "target model");
        }
        this.tok = ChatTokenizer.fromFolder(o.baseModel);
        const loaded: { dispose(): void }[] = [];
        try {
            if (o.targetAdapter) {
                const model = loadModel(o.baseModel, { device });
                loaded.push(model);
                this.targetModel = model;
                this.baseModel = model;
                this.targetAdapter = loadFitting(o.targetAdapter, model.config, device, "target", "target adapter", o.baseModel);
                loaded.push(this.targetAdapter);
            } else {
                this.targetModel = loadModel(o.targetModel!, { device });
                loaded.push(this.targetModel);
                this.baseModel = o.withBase === false ? null : loadModel(o.baseModel, { device });
                if (this.baseModel) loaded.push(this.baseModel);
                this.targetAdapter = null;
            }
            this.ia = o.ia ? loadFitting(o.ia, this.targetModel.config, device, "ia", "IA", o.baseModel) : null;
            this.iaReportTokens = o.ia ? iaReportTokens(o.ia) : undefined;
        } catch (err) {
            for (const x of loaded) x.dispose();
            throw err;
        }
        this.hasBase = this.baseModel !== null;
        this.hasIa = this.ia !== null;
        this.description = o.targetAdapter ? `${o.baseModel} + adapter ${o.targetAdapter}` : `checkpoint ${o.targetModel} (base ${o.baseModel})`;
    }

    private encode(r: ChatRequest): { chat: number[]; prefill: number[] } {
        const messages: ChatMessage[] = [...(r.system !== undefined ? [{ role: "system" as const, content: r.system }] : []), ...r.messages];
        const chat = this.tok.encodeChat(messages, { addGenerationPrompt: true, enableThinking: false });
        return { chat, prefill: r.prefill ? this.tok.encode(r.prefill, { addSpecialTokens: false }) : [] };
    }

    generate(which: Which, requests: readonly ChatRequest[], o: GenerateOptions): Reply[] {
        if (requests.length === 0) return [];
        const model = which === "base" ? this.baseModel : this.targetModel;
        if (!model) throw new Error("investigate: no base model loaded");
        const adapters: LoraAdapter[] = [];
        if (which !== "base" && this.targetAdapter) adapters.push(this.targetAdapter);
        if (which === "target+ia") {
            if (!this.ia) throw new Error("investigate: no IA attached");
            adapters.push(this.ia);
        }
        const saved = model.adapters;
        model.adapters = adapters;
        try {
            const encoded = requests.map((r) => this.encode(r));
            const prompts = encoded.map((e) => [...e.chat, ...e.prefill]);
            const gens = generate(model, prompts, { temperature: o.temperature, topP: 1, maxNewTokens: o.maxNewTokens, stopTokenIds: this.tok.eosTokenIds, padTokenId: this.tok.padTokenId, seed: o.seed, maxBatch: 64 });
            // A prefilled reply is decoded together with its prefix, so the text reads as one reply.
            return gens.map((g, i) => ({
                text: this.tok.decode([...encoded[i]!.prefill, ...g.tokens], { skipSpecialTokens: true }).trim(),
                promptTokens: prompts[i]!.length,
                completionTokens: g.tokens.length,
            }));
        } finally {
            model.adapters = saved;
        }
    }

    dispose(): void {
        this.targetAdapter?.dispose();
        this.ia?.dispose();
        this.targetModel.dispose();
        if (this.baseModel && this.baseModel !== this.targetModel) this.baseModel.dispose();
    }
}
