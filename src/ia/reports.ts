/**
 * Sampling self-reports: rows of (subject, introspection question), each row through its subject's adapter in
 * a shared batch, with or without the IA stacked on top. Used by DPO rollouts, the benchmark and audits.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_REPORT_TOKENS } from "../behaviors/shownReport.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import type { Transformer } from "../model/transformer.ts";
import { generate } from "../sample/generate.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import type { SubjectBank } from "./subjects.ts";

export interface ReportRequest {
    subject: number;
    prompt: string;
}

export interface ReportSampling {
    /** The IA to stack on the subject's adapter, or null for the no-IA baseline. */
    ia: LoraAdapter | null;
    /** Default 1.0 (as third-party IA harnesses sample). 0 = greedy. */
    temperature?: number;
    /** Default 48. */
    maxNewTokens?: number;
    seed: number;
    /** Default 64. */
    maxBatch?: number;
}

export function sampleReports(model: Transformer, tok: ChatTokenizer, subjects: SubjectBank, requests: readonly ReportRequest[], o: ReportSampling): string[] {
    if (requests.length === 0) return [];
    const prompts = requests.map((r) => tok.encodeChat([{ role: "user", content: r.prompt }], { addGenerationPrompt: true, enableThinking: false }));
    const saved = model.adapters;
    model.adapters = o.ia ? [subjects.bank, o.ia] : [subjects.bank];
    try {
        return generate(model, prompts, {
            temperature: o.temperature ?? 1.0,
            topP: 1.0,
            maxNewTokens: o.maxNewTokens ?? 48,
            stopTokenIds: tok.eosTokenIds,
            padTokenId: tok.padTokenId,
            seed: o.seed,
            maxBatch: o.maxBatch ?? 64,
            beforeBatch: (start, count) => subjects.setRows(requests.slice(start, start + count).map((r) => r.subject)),
        }).map((g) => tok.decode(g.tokens, { skipSpecialTokens: true }).trim());
    } finally {
        model.adapters = saved;
    }
}

/**
 * How long an IA's self-reports are sampled: what its training stage recorded in done.json (a show-then-name IA writes
 * a demonstration first, behaviors/shownReport.ts); undefined for the usual length (DEFAULT_REPORT_TOKENS), so that
 * report caches keyed before the length existed stay valid.
 */
export function iaReportTokens(adapterDir: string | null): number | undefined {
    if (adapterDir === null) return undefined;
    const done = path.join(path.dirname(adapterDir), "done.json");
    if (!fs.existsSync(done)) return undefined;
    const n = (JSON.parse(fs.readFileSync(done, "utf8")) as { reportTokens?: unknown }).reportTokens;
    return typeof n === "number" && n !== DEFAULT_REPORT_TOKENS ? n : undefined;
}
