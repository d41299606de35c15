/**
 * Special-token bookkeeping read from tokenizer_config.json: the special-tokens map a chat template
 * sees (bos_token, eos_token, ...), and which ids end a turn (EOS set) or pad a batch.
 *
 * It only interprets config values and well-known end-of-turn token names; it does not tokenize.
 */

/** The keys transformers exposes to chat templates as `special_tokens_map` (only the ones that are set). */
export const SPECIAL_TOKEN_KEYS = [
    "bos_token",
    "eos_token",
    "unk_token",
    "sep_token",
    "pad_token",
    "cls_token",
    "mask_token",
] as const;

/**
 * End-of-turn / end-of-text tokens of common chat models. Any that exist as added tokens count as EOS, because
 * chat models end a turn with them even when tokenizer_config.json names another eos_token
 * (Qwen: <|im_end|> + <|endoftext|>; Llama 3: <|eot_id|>, <|eom_id|>, <|end_of_text|>; Gemma: <end_of_turn>).
 */
export const KNOWN_END_TOKENS = [
    "<|im_end|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<end_of_turn>",
    "<|end|>",
] as const;

/**
 * A special-token config value as a plain string. Config files store either a string or an AddedToken dict
 * (`{"content": "...", "__type": "AddedToken", ...}`); null/absent means "not set".
 */
export function tokenContent(value: unknown, field: string, source: string): string | undefined {
    if (value === null || value === undefined) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
        return (value as { content: string }).content;
    }
    throw new Error(`${source}: tokenizer_config.json field ${field} must be a string or {"content": string}`);
}

/** transformers' special_tokens_map: what a chat template can read as bos_token, eos_token, .... */
export function specialTokensMap(config: Record<string, unknown>, source: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of SPECIAL_TOKEN_KEYS) {
        const value = tokenContent(config[key], key, source);
        if (value !== undefined) out[key] = value;
    }
    const extra = config["additional_special_tokens"];
    if (Array.isArray(extra) && extra.length > 0) {
        out["additional_special_tokens"] = extra.map((t, i) =>
            tokenContent(t, `additional_special_tokens[${i}]`, source),
        );
    }
    return out;
}

/** Deduplicated, order-preserving. */
export function uniqueIds(ids: readonly (number | undefined)[]): number[] {
    const out: number[] = [];
    for (const id of ids) if (id !== undefined && !out.includes(id)) out.push(id);
    return out;
}
