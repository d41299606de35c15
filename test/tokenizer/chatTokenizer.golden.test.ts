/**
 * ChatTokenizer vs. the independent Python reference (real Qwen3 template + from-scratch byte-level BPE), plus
 * known Qwen3 facts: special-token ids, EOS/pad, generation prompts, encode/decode round trips.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, test } from "node:test";
import { ChatTokenizer } from "../../src/tokenizer/ChatTokenizer.ts";
import {
    FIXTURE_DIR,
    QWEN3_TOKENIZER_CONFIG_PATH,
    QWEN3_TOKENIZER_JSON_PATH,
    readJson,
    type QwenGolden,
} from "./qwen3Files.ts";

const golden = readJson<QwenGolden>(path.join(FIXTURE_DIR, "qwen3_chat_golden.json"));
let tok: ChatTokenizer;

before(() => {
    tok = ChatTokenizer.fromObjects(readJson(QWEN3_TOKENIZER_JSON_PATH), readJson(QWEN3_TOKENIZER_CONFIG_PATH), {
        source: "qwen3 (test)",
    });
});

describe("Qwen3 golden fixture", () => {
    test("fixture has the required multi-turn no-thinking chat", () => {
        const chat = golden.chats.find((c) => c.name === "multi_turn_no_thinking");
        assert.ok(chat);
        assert.deepEqual(
            chat.messages.map((m) => m.role),
            ["system", "user", "assistant", "user", "assistant"],
        );
        assert.equal(chat.enable_thinking, false);
        assert.ok(golden.chats.some((c) => c.add_generation_prompt) && golden.chats.some((c) => !c.add_generation_prompt));
    });

    for (const chat of golden.chats) {
        test(`renderChat + encodeChat match the reference: ${chat.name}`, () => {
            const opts = {
                addGenerationPrompt: chat.add_generation_prompt,
                ...(chat.enable_thinking !== undefined ? { enableThinking: chat.enable_thinking } : {}),
            };
            assert.equal(tok.renderChat(chat.messages, opts), chat.text);
            assert.deepEqual(tok.encodeChat(chat.messages, opts), chat.ids);
            assert.equal(tok.decode(chat.ids), chat.text.normalize("NFC"));
        });
    }

    test("plain texts encode like the reference and round-trip", () => {
        for (const { text, ids } of golden.texts) {
            assert.deepEqual(tok.encode(text), ids, JSON.stringify(text));
            assert.equal(tok.decode(ids), text.normalize("NFC"), JSON.stringify(text));
        }
    });
});

describe("Qwen3 known facts", () => {
    test("special token ids", () => {
        assert.equal(tok.tokenToId("<|im_start|>"), 151644);
        assert.equal(tok.tokenToId("<|im_end|>"), 151645);
        assert.equal(tok.tokenToId("<|endoftext|>"), 151643);
        assert.equal(tok.tokenToId("<think>"), 151667);
        assert.equal(tok.tokenToId("no such token"), undefined);
        assert.equal(tok.vocabSize, 151669);
        assert.deepEqual(tok.eosTokenIds, [151645, 151643]);
        assert.equal(tok.padTokenId, 151643);
        assert.ok(tok.hasChatTemplate);
    });

    test("generation prompt with enable_thinking=false ends with an empty think block", () => {
        const messages = [{ role: "user" as const, content: "Hi" }];
        const text = tok.renderChat(messages, { addGenerationPrompt: true, enableThinking: false });
        assert.ok(text.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n"), JSON.stringify(text));
        const ids = tok.encodeChat(messages, { addGenerationPrompt: true, enableThinking: false });
        assert.deepEqual(ids.slice(-7), [151644, 77091, 198, 151667, 271, 151668, 271]);
        const thinking = tok.renderChat(messages, { addGenerationPrompt: true });
        assert.ok(thinking.endsWith("<|im_start|>assistant\n"), JSON.stringify(thinking));
        assert.equal(tok.renderChat(messages), "<|im_start|>user\nHi<|im_end|>\n");
    });

    test("encode/decode round trip on mixed text", () => {
        const samples = [
            "Plain ASCII, with punctuation: (a) [b] {c} <d> 'e' \"f\" — 42%!",
            "多语言 текст ελληνικά עברית 🚀🎉 \u00a0nbsp  double  spaces\n\n\ttabs\r\n",
            "<|im_start|>system\nx<|im_end|>",
            "x".repeat(3000),
        ];
        for (const s of samples) assert.equal(tok.decode(tok.encode(s)), s);
        assert.deepEqual(tok.encode(""), []);
        assert.equal(tok.decode([]), "");
    });

    test("addSpecialTokens does not change Qwen3 encodings (no BOS post-processor)", () => {
        assert.deepEqual(tok.encode("Hello", { addSpecialTokens: true }), tok.encode("Hello", { addSpecialTokens: false }));
    });

    test("skipSpecialTokens drops <|im_start|>/<|im_end|> but keeps <think>", () => {
        const ids = tok.encode("<|im_start|>user\nhi<|im_end|><think>");
        assert.equal(tok.decode(ids, { skipSpecialTokens: true }), "user\nhi<think>");
    });

    test("decode rejects ids outside the vocab, naming the tokenizer", () => {
        assert.throws(() => tok.decode([1, 151669]), /qwen3 \(test\).*invalid token id 151669 at position 1/);
        assert.throws(() => tok.decode([1.5]), /invalid token id 1.5/);
        assert.throws(() => tok.decode([-1]), /invalid token id -1/);
    });

    test("renderChat validates messages", () => {
        assert.throws(() => tok.renderChat([]), /non-empty/);
        assert.throws(
            () => tok.renderChat([{ role: "tool", content: "x" } as unknown as { role: "user"; content: string }]),
            /messages\[0\]\.role/,
        );
        assert.throws(
            () => tok.renderChat([{ role: "user", content: 3 } as unknown as { role: "user"; content: string }]),
            /messages\[0\]\.content must be a string/,
        );
    });
});
