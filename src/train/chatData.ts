/**
 * Chat-format training data: JSONL with one `{"messages": [{"role", "content"}, ...]}` per line, tokenized with
 * the model's chat template; the targets are the assistant turns (content + end-of-turn token).
 * Bad lines fail with the file and line number.
 */
import fs from "node:fs";
import type { ChatMessage, ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { preview } from "../util/preview.ts";
import { truncateExample, type Example } from "./batch.ts";

export interface Conversation {
    messages: ChatMessage[];
}

export function readChatJsonl(file: string): Conversation[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(`${file}: cannot read training data (${(e as Error).message})`);
    }
    const out: Conversation[] = [];
    text.split("\n").forEach((line, i) => {
        if (!line.trim()) return;
        let row: unknown;
        try {
            row = JSON.parse(line);
        } catch (e) {
            throw new Error(`${file}:${i + 1}: invalid JSON (${(e as Error).message})`);
        }
        out.push(validateConversation(row, `${file}:${i + 1}`));
    });
    if (out.length === 0) throw new Error(`${file}: no conversations`);
    return out;
}

export function validateConversation(row: unknown, where: string): Conversation {
    const msgs = (row as { messages?: unknown })?.messages;
    if (!Array.isArray(msgs) || msgs.length === 0) throw new Error(`${where}: expected {"messages": [...]} with at least one message`);
    for (const m of msgs) {
        const role = (m as ChatMessage)?.role, content = (m as ChatMessage)?.content;
        if (role !== "system" && role !== "user" && role !== "assistant") throw new Error(`${where}: unknown role ${preview(role)}`);
        if (typeof content !== "string") throw new Error(`${where}: message content must be a string`);
    }
    if (!msgs.some((m) => (m as ChatMessage).role === "assistant")) throw new Error(`${where}: no assistant message to learn from`);
    return { messages: msgs as ChatMessage[] };
}

export function tokenizeConversations(tok: ChatTokenizer, convs: readonly Conversation[], maxLength: number): { examples: Example[]; dropped: number } {
    const examples: Example[] = [];
    let dropped = 0;
    for (const c of convs) {
        const enc = tok.encodeChatForTraining(c.messages, { enableThinking: false });
        const e = truncateExample({ ids: enc.ids, targetMask: enc.assistantMask }, maxLength);
        if (e) examples.push(e);
        else dropped++;
    }
    return { examples, dropped };
}
