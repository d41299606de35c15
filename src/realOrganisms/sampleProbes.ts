/**
 * Probe replies for verification: the base once, then each organism (its adapter attached alone), on the same held-out
 * prompts with the same sampling settings and seed, in one model load. Replies are decoded text; the judge reads them.
 * The base's replies are saved in `real-organisms/base-probes.json` with the settings that made them, and reused while
 * the settings and probes are the same.
 */
import fs from "node:fs";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { writeJsonAtomic } from "../io/atomic.ts";
import { loadAdapter } from "../lora/peft.ts";
import { loadModel } from "../model/weights.ts";
import { generate } from "../sample/generate.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import type { RealOrganismSettings } from "./config.ts";
import { baseProbesFile } from "./layout.ts";

export type SamplingSettings = Pick<RealOrganismSettings, "temperature" | "maxNewTokens" | "seed">;

interface SavedBaseReplies {
    settings: SamplingSettings;
    probes: string[];
    replies: string[];
}

/** The saved base replies when they were sampled on these probes with these settings, else null. */
export function savedBaseReplies(pop: string, probes: readonly string[], s: SamplingSettings): string[] | null {
    const file = baseProbesFile(pop);
    if (!fs.existsSync(file)) return null;
    try {
        const saved = JSON.parse(fs.readFileSync(file, "utf8")) as SavedBaseReplies;
        const same = JSON.stringify(saved.probes) === JSON.stringify(probes) && JSON.stringify(saved.settings) === JSON.stringify(pickSampling(s));
        return same ? saved.replies : null;
    } catch {
        return null;
    }
}

function pickSampling(s: SamplingSettings): SamplingSettings {
    return { temperature: s.temperature, maxNewTokens: s.maxNewTokens, seed: s.seed };
}

export interface ProbeReplies {
    base: string[];
    /** Organism id → replies, in probe order. */
    organisms: Map<string, string[]>;
}

/** Samples what is missing: the base (unless `base` is given) and each listed organism. */
export function sampleProbeReplies(o: {
    pop: string; baseDir: string; device: string; probes: readonly string[]; settings: SamplingSettings;
    organisms: readonly { id: string; adapter: string }[]; base: string[] | null; log: (line: string) => void;
}): ProbeReplies {
    initEngine();
    const device = resolveDevice(o.device);
    const tok = ChatTokenizer.fromFolder(o.baseDir);
    const model = loadModel(o.baseDir, { device });
    const prompts = o.probes.map((p) => tok.encodeChat([{ role: "user", content: p }], { addGenerationPrompt: true, enableThinking: false }));
    const opts = { temperature: o.settings.temperature, topP: 0.95, maxNewTokens: o.settings.maxNewTokens, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, seed: o.settings.seed };
    const sample = (): string[] => generate(model, prompts, opts).map((g) => tok.decode(g.tokens, { skipSpecialTokens: true }));
    try {
        let base = o.base;
        if (!base) {
            o.log(`verification: sampling the base on ${prompts.length} probe(s)`);
            model.adapters = [];
            base = sample();
            writeJsonAtomic(baseProbesFile(o.pop), { settings: pickSampling(o.settings), probes: [...o.probes], replies: base } satisfies SavedBaseReplies);
        }
        const organisms = new Map<string, string[]>();
        for (const org of o.organisms) {
            o.log(`[${org.id}] verification: sampling the organism on ${prompts.length} probe(s)`);
            const adapter = loadAdapter(org.adapter, model.config, { device });
            model.adapters = [adapter];
            try {
                organisms.set(org.id, sample());
            } finally {
                model.adapters = [];
                adapter.dispose();
            }
        }
        return { base, organisms };
    } finally {
        model.dispose();
    }
}
