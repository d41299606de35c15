/**
 * ChatTokenizer: a Hugging Face tokenizer (tokenizer.json, run by the pure-JS @huggingface/tokenizers) plus
 * the model's own chat template (rendered by @huggingface/jinja), with the special-token facts training and
 * sampling need (EOS set, pad id, vocab size) and SFT encoding with an assistant-token mask.
 *
 * Matches transformers' conventions: chats are tokenized with add_special_tokens=false (the template already
 * writes BOS where the model wants it); plain `encode` adds the post-processor's special tokens by default.
 * It does not support tool calls, images, or slow-only tokenizers (no tokenizer.json).
 */
import { Tokenizer } from "@huggingface/tokenizers";
import { findAssistantSpans } from "./assistantSpans.ts";
import { ChatTemplate, templateFromConfig } from "./chatTemplate.ts";
import { KNOWN_END_TOKENS, specialTokensMap, tokenContent, uniqueIds } from "./specialTokens.ts";
import { readTokenizerFiles } from "./tokenizerFiles.ts";

export interface ChatMessage {
    role: "system" | "user" | "assistant";
    content: string;
}

export interface EncodeOptions {
    /** Let the tokenizer's post-processor add its special tokens (e.g. Llama's BOS). Default true, as in HF. */
    addSpecialTokens?: boolean;
}

export interface DecodeOptions {
    /** Drop special tokens (<|im_end|>, <|endoftext|>, ...) from the text. Default false. */
    skipSpecialTokens?: boolean;
}

export interface ChatRenderOptions {
    /** Append the prompt that opens an assistant turn. Default false. */
    addGenerationPrompt?: boolean;
    /** Passed to the template as `enable_thinking` (Qwen3) when set; undefined leaves the template's default. */
    enableThinking?: boolean;
}

export interface TrainingEncodeOptions {
    /** Passed to the template as `enable_thinking` when set; undefined leaves the template's default. */
    enableThinking?: boolean;
    /** Mask only the last assistant message instead of all of them. Default false. */
    onlyLastAssistant?: boolean;
    /**
     * Throw if the segment-wise token ids differ from tokenizing the whole rendered text at once. Default false:
     * the segment-wise ids are returned anyway (they are what a prompt-then-generate run produces).
     */
    strictBoundaries?: boolean;
}

export interface FromObjectsOptions {
    /** Names the tokenizer in error messages. Default "tokenizer (from objects)". */
    source?: string;
    /** Chat template text that overrides tokenizer_config.json's `chat_template`. Default: the config's. */
    chatTemplate?: string;
    /** Extra EOS ids, e.g. generation_config.json's eos_token_id. Default none. */
    generationEosTokenIds?: number[];
}

export interface TrainingEncoding {
    /** Token ids of the rendered chat (segment-wise tokenization, see encodeChatForTraining). */
    ids: number[];
    /** 1 for tokens of assistant content and their end-of-turn token, 0 elsewhere; same length as ids. */
    assistantMask: number[];
    /** Whether `ids` equals tokenizing the whole rendered text at once (true for Qwen3 / Llama-3 templates). */
    segmentedEqualsWhole: boolean;
}

const ROLES = new Set(["system", "user", "assistant"]);

/** Letters, digits, punctuation, spaces and a non-ASCII letter: enough to run every stage of the pipeline once. */
const SMOKE_TEXT = "Hello world, 123 é!";

/** Ids index embedding rows; the tokenizer library takes whatever it is given ("295" or 1e15 included). */
const MAX_TOKEN_ID = 2 ** 31 - 1;

function isTokenId(id: unknown): id is number {
    return typeof id === "number" && Number.isInteger(id) && id >= 0 && id <= MAX_TOKEN_ID;
}

/** Every id in tokenizer.json (added tokens, and model.vocab when it is a token -> id map) is an integer id. */
function checkTokenIds(tj: Record<string, unknown>, source: string): void {
    (tj["added_tokens"] as unknown[]).forEach((t, i) => {
        const { id, content } = (typeof t === "object" && t !== null ? t : {}) as { id?: unknown; content?: unknown };
        if (!isTokenId(id) || typeof content !== "string" || content === "") {
            throw new Error(`${source}: tokenizer.json added_tokens[${i}] must have an integer "id" in [0, ${MAX_TOKEN_ID}] and a non-empty "content"`);
        }
    });
    const vocab = (tj["model"] as { vocab?: unknown }).vocab;
    if (typeof vocab === "object" && vocab !== null && !Array.isArray(vocab)) {
        for (const [token, id] of Object.entries(vocab)) {
            if (!isTokenId(id)) throw new Error(`${source}: tokenizer.json model.vocab[${JSON.stringify(token.slice(0, 50))}] must be an integer id in [0, ${MAX_TOKEN_ID}]`);
        }
    }
}

export class ChatTokenizer {
    /** Number of token ids (max id + 1), added tokens included. */
    readonly vocabSize: number;
    /** Ids that end generation: the config's eos_token first, then generation_config's, then known end-of-turn tokens. */
    readonly eosTokenIds: number[];
    /** Where this tokenizer came from (folder path or the given source), used in error messages. */
    readonly source: string;

    private readonly tokenizer: Tokenizer;
    private readonly template: ChatTemplate | undefined;
    private readonly padId: number | undefined;
    private readonly endTokenStrings: string[];
    private readonly cleanUpSpaces: boolean;

    private constructor(tokenizerJson: object, tokenizerConfig: object, opts: FromObjectsOptions) {
        const source = (this.source = opts.source ?? "tokenizer (from objects)");
        if (typeof tokenizerJson !== "object" || tokenizerJson === null || Array.isArray(tokenizerJson)) {
            throw new Error(`${source}: tokenizer.json must be a JSON object`);
        }
        if (typeof tokenizerConfig !== "object" || tokenizerConfig === null || Array.isArray(tokenizerConfig)) {
            throw new Error(`${source}: tokenizer_config.json must be a JSON object`);
        }
        const tj = tokenizerJson as Record<string, unknown>;
        const config = tokenizerConfig as Record<string, unknown>;
        if (typeof tj["model"] !== "object" || tj["model"] === null) {
            throw new Error(`${source}: tokenizer.json has no "model" object (not a Hugging Face tokenizer.json?)`);
        }
        if (!Array.isArray(tj["added_tokens"])) {
            throw new Error(`${source}: tokenizer.json field added_tokens must be a list`);
        }
        checkTokenIds(tj, source);
        try {
            this.tokenizer = new Tokenizer(tj, config);
            // The library reads parts of tokenizer.json lazily: a malformed pre-tokenizer or decoder fails only at the
            // first encode / decode (with a TypeError), so run one here, where the error can name the file.
            this.tokenizer.decode(this.tokenizer.encode(SMOKE_TEXT).ids);
        } catch (err) {
            throw new Error(`${source}: cannot build tokenizer from tokenizer.json (${err instanceof Error ? err.message : String(err)})`);
        }

        let maxId = -1;
        for (const id of this.tokenizer.get_vocab(true).values()) if (id > maxId) maxId = id;
        this.vocabSize = maxId + 1;

        const idOf = (token: string | undefined) => (token === undefined ? undefined : this.tokenizer.token_to_id(token));
        const addedTokens = new Set([...this.tokenizer.get_added_tokens_decoder().values()].map((t) => t.content));
        const eosToken = tokenContent(config["eos_token"], "eos_token", source);
        this.eosTokenIds = uniqueIds([
            idOf(eosToken),
            ...(opts.generationEosTokenIds ?? []).filter((id) => this.tokenizer.id_to_token(id) !== undefined),
            // Only real added tokens: a plain BPE piece spelled like "<|end|>" must not stop generation.
            ...KNOWN_END_TOKENS.filter((t) => addedTokens.has(t)).map(idOf),
        ]);
        this.endTokenStrings = this.eosTokenIds.map((id) => this.tokenizer.id_to_token(id) ?? "").filter((t) => t !== "");
        this.padId = idOf(tokenContent(config["pad_token"], "pad_token", source)) ?? this.eosTokenIds[0];
        // Absent means false, as in transformers since v4.45; the JS library alone would default to true.
        this.cleanUpSpaces = config["clean_up_tokenization_spaces"] === true;

        const templateText = opts.chatTemplate ?? templateFromConfig(config["chat_template"], source);
        this.template =
            templateText === undefined ? undefined : new ChatTemplate(templateText, specialTokensMap(config, source), source);
    }

    /**
     * Loads tokenizer.json + tokenizer_config.json (+ chat_template.jinja / chat_template.json and
     * generation_config.json when present) from a checkpoint folder.
     */
    static fromFolder(dir: string): ChatTokenizer {
        const files = readTokenizerFiles(dir);
        return new ChatTokenizer(files.tokenizerJson, files.tokenizerConfig, {
            source: files.source,
            ...(files.chatTemplate !== undefined ? { chatTemplate: files.chatTemplate } : {}),
            ...(files.generationEosTokenIds !== undefined ? { generationEosTokenIds: files.generationEosTokenIds } : {}),
        });
    }

    static fromObjects(tokenizerJson: object, tokenizerConfig: object, opts: FromObjectsOptions = {}): ChatTokenizer {
        return new ChatTokenizer(tokenizerJson, tokenizerConfig, opts);
    }

    /** pad_token's id, or the first EOS id when the config has no pad token. */
    get padTokenId(): number {
        if (this.padId === undefined) throw new Error(`${this.source}: tokenizer has neither a pad_token nor an eos token`);
        return this.padId;
    }

    get hasChatTemplate(): boolean {
        return this.template !== undefined;
    }

    encode(text: string, opts: EncodeOptions = {}): number[] {
        if (typeof text !== "string") throw new Error(`${this.source}: encode expects a string`);
        if (text.length === 0) return [];
        return this.tokenizer.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
    }

    decode(ids: readonly number[], opts: DecodeOptions = {}): string {
        if (ids.length === 0) return "";
        for (let i = 0; i < ids.length; i++) {
            const id = ids[i] as number;
            if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.tokenizer.id_to_token(id) === undefined) {
                throw new Error(`${this.source}: decode got invalid token id ${id} at position ${i} (vocab size ${this.vocabSize})`);
            }
        }
        return this.tokenizer.decode([...ids], {
            skip_special_tokens: opts.skipSpecialTokens ?? false,
            clean_up_tokenization_spaces: this.cleanUpSpaces,
        });
    }

    tokenToId(token: string): number | undefined {
        return this.tokenizer.token_to_id(token);
    }

    idToToken(id: number): string | undefined {
        return this.tokenizer.id_to_token(id);
    }

    renderChat(messages: readonly ChatMessage[], opts: ChatRenderOptions = {}): string {
        return this.requireTemplate().render(this.checkMessages(messages), opts);
    }

    encodeChat(messages: readonly ChatMessage[], opts: ChatRenderOptions = {}): number[] {
        return this.encode(this.renderChat(messages, opts), { addSpecialTokens: false });
    }

    /**
     * For SFT: ids of the rendered chat (no generation prompt) plus a 0/1 mask marking the tokens of assistant
     * turns' content and their end-of-turn token, i.e. what the model should learn to produce.
     *
     * Spans come from findAssistantSpans (diffing renders, so any template works). The text is then tokenized
     * segment by segment (unmasked / masked / unmasked ...), so no token straddles a mask boundary; the ids are
     * the concatenation. For Qwen3/Llama-3 templates the boundaries sit next to special tokens and this equals
     * tokenizing the whole text; every call checks this (`segmentedEqualsWhole`), and `strictBoundaries` turns a
     * mismatch into an error. On a mismatch the segment-wise ids are kept on purpose: they keep the mask exact and
     * are what inference produces (the prompt is tokenized alone, then generated tokens are appended).
     * A chat without assistant turns gets an all-zero mask.
     */
    encodeChatForTraining(
        messages: readonly ChatMessage[],
        opts: TrainingEncodeOptions = {},
    ): TrainingEncoding {
        const template = this.requireTemplate();
        const checked = this.checkMessages(messages);
        let turns = checked.flatMap((m, i) => (m.role === "assistant" ? [i] : []));
        if (opts.onlyLastAssistant) turns = turns.slice(-1);
        const renderOpts: ChatRenderOptions = {
            addGenerationPrompt: false,
            ...(opts.enableThinking !== undefined ? { enableThinking: opts.enableThinking } : {}),
        };
        const { text, spans } = findAssistantSpans(
            (m) => template.render(m, renderOpts),
            checked,
            turns,
            this.endTokenStrings,
            this.source,
        );

        const ids: number[] = [];
        const assistantMask: number[] = [];
        const pushSegment = (start: number, end: number, flag: number) => {
            if (end <= start) return;
            for (const id of this.encode(text.slice(start, end), { addSpecialTokens: false })) {
                ids.push(id);
                assistantMask.push(flag);
            }
        };
        let pos = 0;
        for (const span of spans) {
            pushSegment(pos, span.start, 0);
            pushSegment(span.start, span.end, 1);
            pos = span.end;
        }
        pushSegment(pos, text.length, 0);

        const whole = this.encode(text, { addSpecialTokens: false });
        const segmentedEqualsWhole = whole.length === ids.length && whole.every((id, i) => id === ids[i]);
        if (!segmentedEqualsWhole && opts.strictBoundaries) {
            throw new Error(
                `${this.source}: tokenizing the chat segment-wise (at assistant-mask boundaries) gives different ids than tokenizing it whole`,
            );
        }
        return { ids, assistantMask, segmentedEqualsWhole };
    }

    private requireTemplate(): ChatTemplate {
        if (this.template === undefined) {
            throw new Error(
                `${this.source}: no chat template (looked for chat_template in tokenizer_config.json, chat_template.jinja, chat_template.json)`,
            );
        }
        return this.template;
    }

    private checkMessages(messages: readonly ChatMessage[]): ChatMessage[] {
        if (!Array.isArray(messages) || messages.length === 0) {
            throw new Error(`${this.source}: chat messages must be a non-empty array`);
        }
        return messages.map((m, i) => {
            if (typeof m !== "object" || m === null || !ROLES.has((m as { role?: unknown }).role as string)) {
                throw new Error(`${this.source}: messages[${i}].role must be "system", "user" or "assistant"`);
            }
            if (typeof m.content !== "string") throw new Error(`${this.source}: messages[${i}].content must be a string`);
            return { role: m.role, content: m.content };
        });
    }
}
