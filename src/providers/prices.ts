/**
 * List prices in USD per million tokens for the hosted models a teacher or judge is likely to be, as a typed
 * table. Standard synchronous tier only: no batch discount, no prompt-cache reads/writes, no long-context surcharge.
 * Prices change; each entry names its source page and the month it was read. Pass your own table to `CostMeter`
 * to override or extend it. Local models (vLLM, llama.cpp, ...) are deliberately absent: their cost is not per token.
 */

export interface ModelPrice {
    /** USD per 1M input (prompt) tokens. */
    inputPerMTok: number;
    /** USD per 1M output (completion) tokens. */
    outputPerMTok: number;
    /** Where the number was read. */
    source: string;
    /** Year-month the number was read. */
    asOf: string;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

const ANTHROPIC_PRICING = "https://platform.claude.com/docs/en/about-claude/pricing";
const OPENAI_PRICING = "https://openai.com/api/pricing/";
const AS_OF = "2025-11";

const anthropic = (inputPerMTok: number, outputPerMTok: number): ModelPrice => ({ inputPerMTok, outputPerMTok, source: ANTHROPIC_PRICING, asOf: AS_OF });
const openai = (inputPerMTok: number, outputPerMTok: number): ModelPrice => ({ inputPerMTok, outputPerMTok, source: OPENAI_PRICING, asOf: AS_OF });

/** Keys are model ids without date suffix; `priceFor` also matches dated ids such as "claude-sonnet-4-20250514". */
export const DEFAULT_PRICES: PriceTable = {
    "claude-opus-4-5": anthropic(5, 25),
    "claude-opus-4-1": anthropic(15, 75),
    "claude-opus-4": anthropic(15, 75),
    "claude-sonnet-4-5": anthropic(3, 15),
    "claude-sonnet-4": anthropic(3, 15),
    "claude-3-7-sonnet": anthropic(3, 15),
    "claude-haiku-4-5": anthropic(1, 5),
    "claude-3-5-haiku": anthropic(0.8, 4),
    "claude-3-haiku": anthropic(0.25, 1.25),
    "gpt-4o": openai(2.5, 10),
    "gpt-4o-mini": openai(0.15, 0.6),
    "gpt-4.1": openai(2, 8),
    "gpt-4.1-mini": openai(0.4, 1.6),
    "gpt-4.1-nano": openai(0.1, 0.4),
};

/**
 * The price of `model`: an exact key, or a key followed by a date or "-latest" suffix
 * ("gpt-4o-mini-2024-07-18", "claude-3-5-haiku-20241022"). Never a looser prefix, so "gpt-4o-mini" is not
 * priced as "gpt-4o" and a local "claude-sonnet-4-finetune" is not priced at all.
 */
export function priceFor(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
    const exact = table[model];
    if (exact) return exact;
    const m = /^(.*?)-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/.exec(model);
    return m && m[1] !== undefined ? table[m[1]] : undefined;
}

/** USD for the given tokens, or null when the model has no price. */
export function costUsd(model: string, inputTokens: number, outputTokens: number, table: PriceTable = DEFAULT_PRICES): number | null {
    const p = priceFor(model, table);
    if (!p) return null;
    return (inputTokens * p.inputPerMTok + outputTokens * p.outputPerMTok) / 1e6;
}
