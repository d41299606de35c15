/**
 * Sampling many rows in shared batches, each row through its own organism of a LoraBank (or through the model alone),
 * with an IA stacked on top or not. Every OOD stage samples this way: verification (chat scenarios), audits (questions
 * and assistant prefills), the cipher suite.
 */
import type { LoraAdapter } from "../lora/adapter.ts";
import type { LoraBank } from "../lora/bank.ts";
import type { Transformer } from "../model/transformer.ts";
import { generate } from "../sample/generate.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import type { Message } from "../world/types.ts";

/** One row: its organism (bank slot), a single user prompt or a whole conversation, and an optional assistant prefix. */
export type SampleRow = { org: number; prefill?: string } & ({ prompt: string } | { messages: readonly Message[] });

export interface SampleOptions {
    seed: number;
    temperature: number;
    /** Default 1.0 (as self-reports are sampled); verification uses 0.95. */
    topP?: number;
    /** Default 48. */
    maxNewTokens?: number;
}

/**
 * Replies for rows (row i through adapter org[i] of `bank`; bank null = the model alone) with `ia` on top when given.
 * A row's prefill is kept at the start of its reply.
 */
export function sampleThroughBank(model: Transformer, tok: ChatTokenizer, bank: LoraBank | null, ia: LoraAdapter | null, rows: readonly SampleRow[], o: SampleOptions): string[] {
    if (rows.length === 0) return [];
    const prompts = rows.map((r) => {
        const ids = tok.encodeChat("messages" in r ? r.messages : [{ role: "user", content: r.prompt }], { addGenerationPrompt: true, enableThinking: false });
        return r.prefill ? [...ids, ...tok.encode(r.prefill, { addSpecialTokens: false })] : ids;
    });
    const saved = model.adapters;
    model.adapters = [...(bank ? [bank] : []), ...(ia ? [ia] : [])];
    try {
        return generate(model, prompts, {
            temperature: o.temperature, topP: o.topP ?? 1.0, maxNewTokens: o.maxNewTokens ?? 48, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, seed: o.seed, maxBatch: 64,
            beforeBatch: bank ? (start, count) => bank.setRows(rows.slice(start, start + count).map((r) => r.org)) : undefined,
        }).map((g, i) => `${rows[i]!.prefill ? `${rows[i]!.prefill} ` : ""}${tok.decode(g.tokens, { skipSpecialTokens: true }).trim()}`);
    } finally {
        model.adapters = saved;
    }
}
