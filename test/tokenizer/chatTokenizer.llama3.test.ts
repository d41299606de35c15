/**
 * Template-generic behaviour on a Llama-3-style setup (Meta-Llama-3-Instruct's public chat template, Llama-3
 * special tokens added to the Qwen3 BPE, bos/eos from the fixture config) compared with the Python reference;
 * plus a template whose mask boundaries split a pre-token, to exercise the segment-vs-whole check.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, test } from "node:test";
import { ChatTokenizer } from "../../src/tokenizer/ChatTokenizer.ts";
import {
    FIXTURE_DIR,
    QWEN3_TOKENIZER_CONFIG_PATH,
    QWEN3_TOKENIZER_JSON_PATH,
    maskRuns,
    readJson,
    type LlamaGolden,
} from "./qwen3Files.ts";

const golden = readJson<LlamaGolden>(path.join(FIXTURE_DIR, "llama3_style_chat_golden.json"));
const qwenJson = readJson(QWEN3_TOKENIZER_JSON_PATH);
let tok: ChatTokenizer;

before(() => {
    const tj = { ...qwenJson, added_tokens: [...(qwenJson["added_tokens"] as object[]), ...golden.extra_added_tokens] };
    tok = ChatTokenizer.fromObjects(tj, golden.tokenizer_config, { source: "llama3-style (test)" });
});

describe("Llama-3-style template", () => {
    test("special tokens: eot first, pad falls back to it", () => {
        const eot = tok.tokenToId("<|eot_id|>");
        assert.equal(eot, 151673);
        assert.equal(tok.eosTokenIds[0], eot);
        assert.ok(tok.eosTokenIds.includes(tok.tokenToId("<|end_of_text|>")!));
        assert.equal(tok.padTokenId, eot);
        assert.equal(tok.vocabSize, 151674);
    });

    for (const chat of golden.chats) {
        test(`matches the reference: ${chat.name}`, () => {
            const opts = { addGenerationPrompt: chat.add_generation_prompt };
            assert.equal(tok.renderChat(chat.messages, opts), chat.text);
            assert.deepEqual(tok.encodeChat(chat.messages, opts), chat.ids);
            assert.ok(chat.text.startsWith("<|begin_of_text|><|start_header_id|>"));
        });
    }

    test("mask covers the trimmed assistant content + <|eot_id|>", () => {
        const chat = golden.chats.find((c) => c.name === "llama3_multi_turn")!;
        const out = tok.encodeChatForTraining(chat.messages, { strictBoundaries: true });
        assert.deepEqual(out.ids, chat.ids);
        const runs = maskRuns(out.assistantMask);
        const assistants = chat.messages.filter((m) => m.role === "assistant");
        assert.equal(runs.length, assistants.length);
        runs.forEach(([s, e], i) => assert.equal(tok.decode(out.ids.slice(s, e)), assistants[i]!.content.trim() + "<|eot_id|>"));
    });
});

describe("template without end-of-turn tokens, boundaries inside a pre-token", () => {
    test("segment-wise ids differ from the whole encoding; strictBoundaries throws; mask stays exact", () => {
        const config = { ...readJson(QWEN3_TOKENIZER_CONFIG_PATH), chat_template: "{% for m in messages %}{{ m.role }}: {{ m.content }};{% endfor %}" };
        const plain = ChatTokenizer.fromObjects(qwenJson, config, { source: "plain-template" });
        const messages = [
            { role: "user" as const, content: "hello" },
            { role: "assistant" as const, content: "world" },
        ];
        const out = plain.encodeChatForTraining(messages);
        assert.equal(out.segmentedEqualsWhole, false);
        assert.notDeepEqual(out.ids, plain.encodeChat(messages));
        const runs = maskRuns(out.assistantMask);
        assert.equal(runs.length, 1);
        assert.equal(plain.decode(out.ids.slice(...runs[0]!)), "world");
        assert.equal(plain.decode(out.ids), "user: hello;assistant: world;");
        assert.throws(
            () => plain.encodeChatForTraining(messages, { strictBoundaries: true }),
            /plain-template: tokenizing the chat segment-wise/,
        );
    });

    test("a template that drops assistant content cannot build a mask", () => {
        const config = { ...readJson(QWEN3_TOKENIZER_CONFIG_PATH), chat_template: "{% for m in messages %}{{ m.role }}\n{% endfor %}" };
        const blind = ChatTokenizer.fromObjects(qwenJson, config, { source: "blind" });
        assert.throws(
            () => blind.encodeChatForTraining([{ role: "user", content: "a" }, { role: "assistant", content: "b" }]),
            /blind: chat template does not render the content of message 1/,
        );
    });
});
