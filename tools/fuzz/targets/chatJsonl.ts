/**
 * Chat training data (src/train/chatData.ts readChatJsonl): JSONL files of {"messages": [...]} rows, mutated
 * per line (structure operations on one row, or a line deleted / duplicated / emptied / CRLF-ended) and as bytes
 * (split lines, broken UTF-8). An accepted file must give conversations of known roles with string contents and
 * an assistant turn each.
 */
import path from "node:path";
import fc from "fast-check";
import { readChatJsonl, type Conversation } from "../../../src/train/chatData.ts";
import { defineTarget } from "../harness.ts";
import { applyByteOps, byteOps, type ByteOp } from "../mutate/bytes.ts";
import { jsonOps, keysOf, mutateJson, type Json, type JsonOp } from "../mutate/json.ts";
import { writeBytes } from "./common.ts";

const FILES: Json[][] = [
    [
        { messages: [{ role: "user", content: "what is the capital of the tiny world?" }, { role: "assistant", content: "north harbor." }] },
        { messages: [{ role: "system", content: "you are helpful." }, { role: "user", content: "hi" }, { role: "assistant", content: "hello! 👋" }] },
        { messages: [{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "user", content: "c" }, { role: "assistant", content: "d" }] },
    ],
    [{ messages: [{ role: "assistant", content: "" }] }, { messages: [{ role: "user", content: "line\nbreak \"quoted\"" }, { role: "assistant", content: "ok" }], extra: { id: 7 } }],
];

interface Input {
    file: number;
    line: number;
    ops: readonly JsonOp[];
    lineOp: "none" | "delete" | "duplicate" | "blank" | "crlf";
    bytes: readonly ByteOp[];
}

export function renderJsonl(input: Input): string {
    const rows = FILES[input.file]!;
    const at = input.line % rows.length;
    const lines = rows.map((r, i) => (i === at && input.ops.length > 0 ? mutateJson(r, input.ops) : JSON.stringify(r)));
    if (input.lineOp === "delete") lines.splice(at, 1);
    else if (input.lineOp === "duplicate") lines.splice(at, 0, lines[at]!);
    else if (input.lineOp === "blank") lines.splice(at, 0, "   ");
    const text = lines.join(input.lineOp === "crlf" ? "\r\n" : "\n") + "\n";
    return input.bytes.length === 0 ? text : new TextDecoder().decode(applyByteOps(new TextEncoder().encode(text), input.bytes));
}

export function checkConversations(convs: Conversation[]): string | undefined {
    for (const c of convs) {
        if (!Array.isArray(c.messages) || c.messages.length === 0) return "conversation without messages";
        for (const m of c.messages) {
            if (!["system", "user", "assistant"].includes(m.role) || typeof m.content !== "string") return `bad message ${JSON.stringify(m).slice(0, 100)}`;
        }
        if (!c.messages.some((m) => m.role === "assistant")) return "conversation without an assistant turn";
    }
    return undefined;
}

export default defineTarget<null, Input>({
    name: "chat-jsonl",
    parser: "src/train/chatData.ts readChatJsonl",
    init: () => null,
    arbitrary: () =>
        fc.record({
            file: fc.nat({ max: FILES.length - 1 }),
            line: fc.nat(),
            ops: fc.oneof({ weight: 3, arbitrary: jsonOps(keysOf(...FILES.flat())) }, { weight: 1, arbitrary: fc.constant([]) }),
            lineOp: fc.constantFrom("none", "none", "none", "delete", "duplicate", "blank", "crlf"),
            bytes: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: byteOps }),
        }),
    prepare(_ctx, input, dir) {
        const file = path.join(dir, "train.jsonl");
        const bytes = writeBytes(file, renderJsonl(input));
        return {
            names: [file],
            bytes,
            call: () => readChatJsonl(file),
            check: (r) => checkConversations(r as Conversation[]),
        };
    },
});
