/**
 * Reads the tokenizer files of a Hugging Face checkpoint folder: tokenizer.json, tokenizer_config.json, the
 * chat template (tokenizer_config.json's `chat_template`, or chat_template.jinja / chat_template.json, the
 * latter two taking precedence as in recent transformers) and the optional generation_config.json's
 * eos_token_id list.
 *
 * It only loads and shape-checks the files; building the tokenizer is ChatTokenizer's job. Slow-only
 * tokenizers (tokenizer.model, vocab.json + merges.txt without tokenizer.json) are not supported.
 */
import fs from "node:fs";
import path from "node:path";

export interface TokenizerFiles {
    /** Parsed tokenizer.json. */
    tokenizerJson: Record<string, unknown>;
    /** Parsed tokenizer_config.json. */
    tokenizerConfig: Record<string, unknown>;
    /** Chat template text from chat_template.jinja / chat_template.json, if either exists (overrides the config's). */
    chatTemplate?: string;
    /** eos_token_id from generation_config.json (number or list), if that file exists. */
    generationEosTokenIds?: number[];
    /** Human-readable origin used in error messages (the folder path). */
    source: string;
}

function readJsonObject(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new Error(`${file}: cannot read (${(err as Error).message})`);
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`${file}: expected a JSON object at the top level`);
    }
    return value as Record<string, unknown>;
}

function requireFile(dir: string, name: string, hint: string): string {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw new Error(`${file}: missing (${hint})`);
    return file;
}

/** Loads the tokenizer files of `dir`; throws an Error naming the missing or malformed file. */
export function readTokenizerFiles(dir: string): TokenizerFiles {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new Error(`${dir}: tokenizer folder does not exist or is not a directory`);
    }
    const tokenizerJson = readJsonObject(
        requireFile(dir, "tokenizer.json", "a fast-tokenizer tokenizer.json is required; slow-only tokenizers are not supported"),
    );
    const tokenizerConfig = readJsonObject(
        requireFile(dir, "tokenizer_config.json", "needed for eos/pad tokens and the chat template"),
    );
    const out: TokenizerFiles = { tokenizerJson, tokenizerConfig, source: dir };

    const jinjaFile = path.join(dir, "chat_template.jinja");
    const jsonFile = path.join(dir, "chat_template.json");
    if (fs.existsSync(jinjaFile)) {
        out.chatTemplate = fs.readFileSync(jinjaFile, "utf8");
    } else if (fs.existsSync(jsonFile)) {
        const template = readJsonObject(jsonFile)["chat_template"];
        if (typeof template !== "string") throw new Error(`${jsonFile}: field chat_template must be a string`);
        out.chatTemplate = template;
    }

    const genFile = path.join(dir, "generation_config.json");
    if (fs.existsSync(genFile)) {
        const eos = readJsonObject(genFile)["eos_token_id"];
        const ids = eos === undefined || eos === null ? [] : Array.isArray(eos) ? eos : [eos];
        if (!ids.every((id) => Number.isInteger(id))) {
            throw new Error(`${genFile}: field eos_token_id must be an integer or a list of integers`);
        }
        out.generationEosTokenIds = ids as number[];
    }
    return out;
}
