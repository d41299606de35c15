/**
 * ChatTokenizer.fromFolder: loading a checkpoint's tokenizer files, template precedence, generation_config EOS
 * ids, and clear errors for a missing tokenizer.json, corrupt JSON and a missing chat template.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { ChatTokenizer } from "../../src/tokenizer/ChatTokenizer.ts";
import { QWEN3_TOKENIZER_CONFIG_PATH, QWEN3_TOKENIZER_JSON_PATH, readJson } from "./qwen3Files.ts";
import { tempDir } from "../helpers/tempDir.ts";

const root = tempDir("ia-chat-tokenizer-test");

let counter = 0;
/** A fresh folder with the Qwen3 files (symlinked tokenizer.json, a writable copy of the config). */
function qwenFolder(opts: { tokenizerJson?: boolean; config?: Record<string, unknown> | string } = {}): string {
    const dir = path.join(root, `case-${counter++}`);
    fs.mkdirSync(dir);
    if (opts.tokenizerJson ?? true) fs.symlinkSync(QWEN3_TOKENIZER_JSON_PATH, path.join(dir, "tokenizer.json"));
    const config = opts.config ?? readJson(QWEN3_TOKENIZER_CONFIG_PATH);
    fs.writeFileSync(path.join(dir, "tokenizer_config.json"), typeof config === "string" ? config : JSON.stringify(config));
    return dir;
}

function configWithout(key: string): Record<string, unknown> {
    const config = readJson(QWEN3_TOKENIZER_CONFIG_PATH);
    delete config[key];
    return config;
}

const hi = [{ role: "user" as const, content: "Hi" }];

describe("ChatTokenizer.fromFolder", () => {
    test("loads a Qwen3 folder", () => {
        const dir = qwenFolder();
        const tok = ChatTokenizer.fromFolder(dir);
        assert.equal(tok.source, dir);
        assert.equal(tok.tokenToId("<|im_end|>"), 151645);
        assert.equal(tok.renderChat(hi), "<|im_start|>user\nHi<|im_end|>\n");
    });

    test("missing folder / tokenizer.json / tokenizer_config.json are named", () => {
        const nowhere = path.join(root, "does-not-exist");
        assert.throws(() => ChatTokenizer.fromFolder(nowhere), (e: Error) => e.message.includes(nowhere) && /does not exist/.test(e.message));
        const dir = qwenFolder({ tokenizerJson: false });
        assert.throws(
            () => ChatTokenizer.fromFolder(dir),
            (e: Error) => e.message.startsWith(path.join(dir, "tokenizer.json")) && /missing/.test(e.message),
        );
        fs.rmSync(path.join(dir, "tokenizer_config.json"));
        fs.symlinkSync(QWEN3_TOKENIZER_JSON_PATH, path.join(dir, "tokenizer.json"));
        assert.throws(
            () => ChatTokenizer.fromFolder(dir),
            (e: Error) => e.message.startsWith(path.join(dir, "tokenizer_config.json")) && /missing/.test(e.message),
        );
    });

    test("corrupt JSON names the file", () => {
        const dir = qwenFolder({ config: '{"eos_token": "<|im_end|>",' });
        assert.throws(
            () => ChatTokenizer.fromFolder(dir),
            (e: Error) => e.message.startsWith(path.join(dir, "tokenizer_config.json")) && /invalid JSON/.test(e.message),
        );
        const dir2 = qwenFolder();
        fs.rmSync(path.join(dir2, "tokenizer.json"));
        fs.writeFileSync(path.join(dir2, "tokenizer.json"), "{ not json");
        assert.throws(
            () => ChatTokenizer.fromFolder(dir2),
            (e: Error) => e.message.startsWith(path.join(dir2, "tokenizer.json")) && /invalid JSON/.test(e.message),
        );
        const dir3 = qwenFolder();
        fs.rmSync(path.join(dir3, "tokenizer.json"));
        fs.writeFileSync(path.join(dir3, "tokenizer.json"), '{"version": "1.0"}');
        assert.throws(() => ChatTokenizer.fromFolder(dir3), (e: Error) => e.message.includes(dir3) && /no "model"/.test(e.message));
    });

    test("missing chat template: tokenizer still works, renderChat names where it looked", () => {
        const dir = qwenFolder({ config: configWithout("chat_template") });
        const tok = ChatTokenizer.fromFolder(dir);
        assert.equal(tok.hasChatTemplate, false);
        assert.deepEqual(tok.encode("Hello, world!"), [9707, 11, 1879, 0]);
        for (const call of [() => tok.renderChat(hi), () => tok.encodeChat(hi), () => tok.encodeChatForTraining(hi)]) {
            assert.throws(call, (e: Error) => e.message.includes(dir) && /no chat template/.test(e.message) && /chat_template\.jinja/.test(e.message));
        }
    });

    test("chat_template.jinja overrides the config; chat_template.json is used when no .jinja", () => {
        const dir = qwenFolder({ config: configWithout("chat_template") });
        fs.writeFileSync(path.join(dir, "chat_template.json"), JSON.stringify({ chat_template: "J:{{ messages[0].content }}" }));
        assert.equal(ChatTokenizer.fromFolder(dir).renderChat(hi), "J:Hi");
        fs.writeFileSync(path.join(dir, "chat_template.jinja"), "{{ bos_token is defined }}|{{ eos_token }}|{{ messages[0].content }}\n");
        assert.equal(ChatTokenizer.fromFolder(dir).renderChat(hi), "false|<|im_end|>|Hi");
        fs.writeFileSync(path.join(dir, "chat_template.json"), "[1,");
        fs.rmSync(path.join(dir, "chat_template.jinja"));
        assert.throws(() => ChatTokenizer.fromFolder(dir), (e: Error) => e.message.startsWith(path.join(dir, "chat_template.json")));
    });

    test("template errors name the tokenizer", () => {
        const dir = qwenFolder();
        fs.writeFileSync(path.join(dir, "chat_template.jinja"), "{{ raise_exception('Only user messages!') }}");
        const tok = ChatTokenizer.fromFolder(dir);
        assert.throws(() => tok.renderChat(hi), (e: Error) => e.message.includes(dir) && /Only user messages!/.test(e.message));
        fs.writeFileSync(path.join(dir, "chat_template.jinja"), "{% for m in messages %}");
        assert.throws(() => ChatTokenizer.fromFolder(dir), (e: Error) => e.message.includes(dir) && /failed to parse/.test(e.message));
    });

    test("generation_config.json eos ids join the EOS set; pad falls back to EOS", () => {
        const dir = qwenFolder({ config: configWithout("pad_token") });
        fs.writeFileSync(path.join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [151645, 151643, 151662] }));
        const tok = ChatTokenizer.fromFolder(dir);
        assert.deepEqual(tok.eosTokenIds, [151645, 151643, 151662]);
        assert.equal(tok.padTokenId, 151645);
        fs.writeFileSync(path.join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: "x" }));
        assert.throws(() => ChatTokenizer.fromFolder(dir), (e: Error) => e.message.startsWith(path.join(dir, "generation_config.json")));
    });
});
