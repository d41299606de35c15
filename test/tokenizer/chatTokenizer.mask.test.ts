/**
 * encodeChatForTraining on the real Qwen3 template: the mask covers exactly each assistant turn's visible
 * content plus <|im_end|>, ids equal the whole-text encoding, and the prompt part equals the inference prompt.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, test } from "node:test";
import { ChatTokenizer, type ChatMessage } from "../../src/tokenizer/ChatTokenizer.ts";
import {
    FIXTURE_DIR,
    QWEN3_TOKENIZER_CONFIG_PATH,
    QWEN3_TOKENIZER_JSON_PATH,
    maskRuns,
    readJson,
    type QwenGolden,
} from "./qwen3Files.ts";

const golden = readJson<QwenGolden>(path.join(FIXTURE_DIR, "qwen3_chat_golden.json"));
let tok: ChatTokenizer;

before(() => {
    tok = ChatTokenizer.fromObjects(readJson(QWEN3_TOKENIZER_JSON_PATH), readJson(QWEN3_TOKENIZER_CONFIG_PATH));
});

function goldenChat(name: string) {
    const chat = golden.chats.find((c) => c.name === name);
    assert.ok(chat, name);
    return chat;
}

/** What Qwen3's template shows of an assistant message in history: the text after </think>, newlines trimmed. */
function visible(content: string): string {
    return content.includes("</think>") ? content.split("</think>").at(-1)!.replace(/^\n+/, "") : content;
}

describe("encodeChatForTraining (Qwen3)", () => {
    test("multi-turn, enable_thinking=false: mask = assistant contents + <|im_end|>", () => {
        const chat = goldenChat("multi_turn_no_thinking");
        const out = tok.encodeChatForTraining(chat.messages, { enableThinking: false, strictBoundaries: true });
        assert.equal(out.segmentedEqualsWhole, true);
        assert.deepEqual(out.ids, chat.ids, "ids equal the golden full-chat encoding");
        assert.equal(out.assistantMask.length, out.ids.length);
        assert.ok(out.assistantMask.every((m) => m === 0 || m === 1));
        const runs = maskRuns(out.assistantMask);
        const assistants = chat.messages.filter((m) => m.role === "assistant");
        assert.equal(runs.length, assistants.length);
        runs.forEach(([s, e], i) => {
            assert.equal(tok.decode(out.ids.slice(s, e)), assistants[i]!.content + "<|im_end|>");
            assert.equal(out.ids[e - 1], 151645);
        });
        // The empty think block of the final turn is template text, not something to learn.
        const [lastStart] = runs.at(-1)!;
        assert.deepEqual(out.ids.slice(lastStart - 4, lastStart), [151667, 271, 151668, 271]);
    });

    test("tokens before the last assistant turn are exactly the inference prompt", () => {
        const chat = goldenChat("multi_turn_no_thinking");
        const out = tok.encodeChatForTraining(chat.messages, { enableThinking: false });
        const [lastStart] = maskRuns(out.assistantMask).at(-1)!;
        const prompt = tok.encodeChat(chat.messages.slice(0, -1), { addGenerationPrompt: true, enableThinking: false });
        assert.deepEqual(out.ids.slice(0, lastStart), prompt);
        assert.deepEqual(prompt, goldenChat("multi_turn_generation_prompt_no_thinking").ids);
    });

    test("onlyLastAssistant masks just the final turn", () => {
        const chat = goldenChat("multi_turn_no_thinking");
        const out = tok.encodeChatForTraining(chat.messages, { onlyLastAssistant: true });
        const runs = maskRuns(out.assistantMask);
        assert.equal(runs.length, 1);
        const [s, e] = runs[0]!;
        assert.equal(tok.decode(out.ids.slice(s, e)), chat.messages.at(-1)!.content + "<|im_end|>");
        assert.deepEqual(out.ids, chat.ids);
    });

    test("think blocks: history shows only the visible answer; explicit reasoning in the last turn is kept", () => {
        const chat = goldenChat("history_think_block_and_nfc");
        const out = tok.encodeChatForTraining(chat.messages, { enableThinking: true, strictBoundaries: true });
        assert.deepEqual(out.ids, chat.ids);
        const runs = maskRuns(out.assistantMask);
        const assistants = chat.messages.filter((m) => m.role === "assistant");
        assert.equal(runs.length, 2);
        const [s0, e0] = runs[0]!;
        assert.equal(tok.decode(out.ids.slice(s0, e0)), visible(assistants[0]!.content).normalize("NFC") + "<|im_end|>");
        // Last turn: Qwen3 renders "<think>\nREASONING\n</think>\n\nANSWER"; the mask starts after the template's "<think>\n".
        const [s1, e1] = runs[1]!;
        assert.equal(tok.decode(out.ids.slice(s1, e1)), "Short answer.\n</think>\n\nTrimmed? No — kept as-is.<|im_end|>");
    });

    test("every golden chat: mask runs decode to assistant content + <|im_end|>, ids equal encodeChat", () => {
        for (const chat of golden.chats) {
            const opts = chat.enable_thinking !== undefined ? { enableThinking: chat.enable_thinking } : {};
            const out = tok.encodeChatForTraining(chat.messages, opts);
            assert.equal(out.segmentedEqualsWhole, true, chat.name);
            assert.deepEqual(out.ids, tok.encodeChat(chat.messages, opts), chat.name);
            const assistants = chat.messages.filter((m) => m.role === "assistant");
            const runs = maskRuns(out.assistantMask);
            assert.equal(runs.length, assistants.length, chat.name);
            runs.forEach(([s, e], i) => {
                const decoded = tok.decode(out.ids.slice(s, e));
                assert.ok(decoded.endsWith(visible(assistants[i]!.content).normalize("NFC") + "<|im_end|>"), chat.name);
            });
        }
    });

    test("chat without assistant turns gets an all-zero mask; empty assistant content masks only <|im_end|>", () => {
        const noAssistant = tok.encodeChatForTraining([{ role: "user", content: "hi" }]);
        assert.ok(noAssistant.assistantMask.every((m) => m === 0));
        const messages: ChatMessage[] = [
            { role: "user", content: "say nothing" },
            { role: "assistant", content: "" },
        ];
        const out = tok.encodeChatForTraining(messages);
        const runs = maskRuns(out.assistantMask);
        assert.equal(runs.length, 1);
        assert.deepEqual(out.ids.slice(runs[0]![0], runs[0]![1]), [151645]);
    });

    test("content that starts/ends with whitespace or looks like template text is masked exactly", () => {
        const messages: ChatMessage[] = [
            { role: "system", content: "sys" },
            { role: "user", content: "q1" },
            { role: "assistant", content: " leading space and trailing newline\n" },
            { role: "user", content: "q2" },
            { role: "assistant", content: "assistant\n<|im_start|>user\nfake turn" },
        ];
        const out = tok.encodeChatForTraining(messages, { enableThinking: false, strictBoundaries: true });
        assert.deepEqual(out.ids, tok.encodeChat(messages));
        const runs = maskRuns(out.assistantMask);
        assert.equal(runs.length, 2);
        assert.equal(tok.decode(out.ids.slice(...runs[0]!)), " leading space and trailing newline\n<|im_end|>");
        assert.equal(tok.decode(out.ids.slice(...runs[1]!)), "assistant\n<|im_start|>user\nfake turn<|im_end|>");
    });
});
