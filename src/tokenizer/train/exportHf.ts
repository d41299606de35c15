/**
 * Turns a trained byte-level BPE model (trainBpe.ts) into Hugging Face files laid out like Qwen2/Qwen3's:
 * `tokenizer.json` (NFC normalizer, Qwen split regex + ByteLevel pre-tokenizer, ByteLevel decoder, BPE model,
 * added tokens) and `tokenizer_config.json` (added_tokens_decoder, eos/pad, ChatML chat_template). Both load in
 * `@huggingface/tokenizers` (`new Tokenizer(tokenizerJson, tokenizerConfig)`) and in Python `transformers`.
 *
 * Following Qwen3, added tokens of the form `<|...|>` are written `special: true` and the think tags
 * `special: false` (still matched whole and never split, but kept by `decode(..., {skip_special_tokens: true})`);
 * see ExportOptions.plainAddedTokens. Not here: training, loading (src/tokenizer/ChatTokenizer.ts).
 */
import path from "node:path";
import { writeJsonAtomic } from "../../io/atomic.ts";
import { chatTemplateChatML } from "./chatTemplate.ts";
import { QWEN_SPLIT_PATTERN } from "./preTokenize.ts";
import { checkBpeModel, type BpeModel } from "./trainBpe.ts";

export interface ExportOptions {
    /** Added tokens written with `special: false` (Qwen3 does this for its think tags). Default ["<think>", "</think>"]. */
    plainAddedTokens?: string[];
}

export interface TokenizerConfigOptions extends ExportOptions {
    /** Jinja chat template. Usually chatTemplateChatML(). */
    chatTemplate: string;
    /** End-of-sequence token (must be one of specialTokens); Qwen3 uses "<|im_end|>". */
    eosToken: string;
    /** Padding token (must be one of specialTokens); Qwen3 uses "<|endoftext|>". */
    padToken: string;
    /** The model's added tokens with ids (BpeModel.specialTokens), for added_tokens_decoder. */
    specialTokens: { token: string; id: number }[];
    /** model_max_length. Default 131072 (Qwen3's value). */
    modelMaxLength?: number;
}

export interface SaveTokenizerOptions extends ExportOptions {
    /** Jinja chat template. Default chatTemplateChatML(). */
    chatTemplate?: string;
    /** End-of-sequence token. Default "<|im_end|>". */
    eosToken?: string;
    /** Padding token. Default "<|endoftext|>". */
    padToken?: string;
    /** model_max_length. Default 131072. */
    modelMaxLength?: number;
}

const DEFAULT_PLAIN_ADDED = ["<think>", "</think>"];

function isSpecial(token: string, opts: ExportOptions): boolean {
    return !(opts.plainAddedTokens ?? DEFAULT_PLAIN_ADDED).includes(token);
}

const BYTE_LEVEL = { add_prefix_space: false, trim_offsets: false, use_regex: false };

/** The HF `tokenizer.json` object for `model`. */
export function toTokenizerJson(model: BpeModel, opts: ExportOptions = {}): object {
    checkBpeModel(model, "toTokenizerJson");
    const vocab: Record<string, number> = {};
    for (const [tok, id] of [...model.vocab].sort((x, y) => x[1] - y[1])) vocab[tok] = id;
    return {
        version: "1.0",
        truncation: null,
        padding: null,
        added_tokens: model.specialTokens.map((s) => ({
            id: s.id,
            content: s.token,
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
            special: isSpecial(s.token, opts),
        })),
        normalizer: { type: "NFC" },
        pre_tokenizer: {
            type: "Sequence",
            pretokenizers: [
                { type: "Split", pattern: { Regex: QWEN_SPLIT_PATTERN }, behavior: "Isolated", invert: false },
                { type: "ByteLevel", ...BYTE_LEVEL },
            ],
        },
        post_processor: { type: "ByteLevel", ...BYTE_LEVEL },
        decoder: { type: "ByteLevel", ...BYTE_LEVEL },
        model: {
            type: "BPE",
            dropout: null,
            unk_token: null,
            continuing_subword_prefix: "",
            end_of_word_suffix: "",
            fuse_unk: false,
            byte_fallback: false,
            ignore_merges: false,
            vocab,
            merges: model.merges.map(([l, r]) => [l, r]),
        },
    };
}

/** The HF `tokenizer_config.json` object, shaped like Qwen3's. */
export function tokenizerConfigJson(opts: TokenizerConfigOptions): object {
    const tokens = opts.specialTokens.map((s) => s.token);
    for (const [field, tok] of [["eosToken", opts.eosToken], ["padToken", opts.padToken]] as const) {
        if (!tokens.includes(tok)) throw new Error(`tokenizerConfigJson: ${field} "${tok}" is not one of the special tokens (${tokens.join(", ")})`);
    }
    const modelMaxLength = opts.modelMaxLength ?? 131072;
    if (!Number.isInteger(modelMaxLength) || modelMaxLength < 1) throw new Error(`tokenizerConfigJson: modelMaxLength must be a positive integer, got ${modelMaxLength}`);
    const addedTokensDecoder: Record<string, object> = {};
    for (const s of opts.specialTokens) {
        addedTokensDecoder[String(s.id)] = {
            content: s.token,
            lstrip: false,
            normalized: false,
            rstrip: false,
            single_word: false,
            special: isSpecial(s.token, opts),
        };
    }
    return {
        add_bos_token: false,
        add_prefix_space: false,
        added_tokens_decoder: addedTokensDecoder,
        additional_special_tokens: tokens.filter((t) => t !== opts.padToken && isSpecial(t, opts)),
        bos_token: null,
        chat_template: opts.chatTemplate,
        // Must be false: the JS loader defaults it to true, which would rewrite " ." to "." and break round-trips.
        clean_up_tokenization_spaces: false,
        eos_token: opts.eosToken,
        errors: "replace",
        model_max_length: modelMaxLength,
        pad_token: opts.padToken,
        split_special_tokens: false,
        tokenizer_class: "Qwen2Tokenizer",
        unk_token: null,
    };
}

/** Writes `dir/tokenizer.json` and `dir/tokenizer_config.json` (each atomically; creates `dir`). */
export function saveTokenizerFolder(dir: string, model: BpeModel, opts: SaveTokenizerOptions = {}): void {
    const tokenizerJson = toTokenizerJson(model, opts);
    const config = tokenizerConfigJson({
        chatTemplate: opts.chatTemplate ?? chatTemplateChatML(),
        eosToken: opts.eosToken ?? "<|im_end|>",
        padToken: opts.padToken ?? "<|endoftext|>",
        specialTokens: model.specialTokens,
        ...(opts.modelMaxLength !== undefined ? { modelMaxLength: opts.modelMaxLength } : {}),
        ...(opts.plainAddedTokens !== undefined ? { plainAddedTokens: opts.plainAddedTokens } : {}),
    });
    writeJsonAtomic(path.join(dir, "tokenizer.json"), tokenizerJson);
    writeJsonAtomic(path.join(dir, "tokenizer_config.json"), config);
}
