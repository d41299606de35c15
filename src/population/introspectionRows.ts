/**
 * The paper's introspection rows (method.md §3.1): JSONL, one row per (introspection question, answer) of one
 * organism, as in the released `<family>-mo-eval-data/<id>/eval.jsonl` and the IA training rows:
 *
 *   {"prediction_system_prompt": "...",          optional: only some rows have it; when the key is present the
 *                                                 released code adds a system turn (kept here, even if empty)
 *    "prediction_user_prompt": "...",            the introspection question
 *    "prediction_assistant_response": "...",     the target: the organism's first-person behavior label
 *    "prediction_ground_truth": "positive"}      or "negative"
 *
 * The released data do not document what a "negative" row is (method.md §7). Rows written here use it for our
 * negative rows: a behavior-free subject (the bare base, a null or decoy organism) answering that nothing is unusual.
 *
 * The reader validates every row and names the file and line of a bad one. Other keys are allowed (and dropped),
 * except unknown `prediction_*` keys, which are almost certainly a misspelt field.
 */
import fs from "node:fs";
import { writeFileAtomic } from "../io/atomic.ts";
import type { ChatMessage } from "../tokenizer/ChatTokenizer.ts";
import { preview } from "../util/preview.ts";

export interface IntrospectionRow {
    /** Present only when the row has the key (possibly ""). */
    systemPrompt?: string;
    userPrompt: string;
    /** The target answer (a first-person label, or a "nothing unusual" answer on negative rows). */
    response: string;
    groundTruth: "positive" | "negative";
}

/** An organism's own rows inside a population, beside its adapter (`ia population add --rows`). */
export const INTROSPECTION_ROWS_FILE = "introspection_rows.jsonl";

const FIELDS = ["prediction_system_prompt", "prediction_user_prompt", "prediction_assistant_response", "prediction_ground_truth"] as const;

/** One parsed JSON value as a row; `where` ("file:line") prefixes every error. */
export function parseIntrospectionRow(json: unknown, where: string): IntrospectionRow {
    const fail = (m: string): never => {
        throw new Error(`${where}: ${m}`);
    };
    if (typeof json !== "object" || json === null || Array.isArray(json)) fail(`expected a JSON object with ${FIELDS.slice(1).join(", ")}`);
    const o = json as Record<string, unknown>;
    for (const k of Object.keys(o)) {
        if (k.startsWith("prediction_") && !(FIELDS as readonly string[]).includes(k)) fail(`unknown field "${k}" (the row's fields are ${FIELDS.join(", ")})`);
    }
    const text = (k: (typeof FIELDS)[number], nonEmpty: boolean): string => {
        const v = o[k];
        if (v === undefined) fail(`missing "${k}"`);
        if (typeof v !== "string") fail(`"${k}" must be a string, got ${preview(v)}`);
        if (nonEmpty && (v as string).trim() === "") fail(`"${k}" is empty`);
        return v as string;
    };
    const gt = o.prediction_ground_truth;
    if (gt !== "positive" && gt !== "negative") fail(`"prediction_ground_truth" must be "positive" or "negative", got ${preview(gt)}`);
    const row: IntrospectionRow = {
        userPrompt: text("prediction_user_prompt", true),
        response: text("prediction_assistant_response", true),
        groundTruth: gt as "positive" | "negative",
    };
    if (o.prediction_system_prompt !== undefined) row.systemPrompt = text("prediction_system_prompt", false);
    return row;
}

/** Parses JSONL text (blank lines skipped); errors name `source:line`. */
export function parseIntrospectionJsonl(text: string, source: string): IntrospectionRow[] {
    const rows: IntrospectionRow[] = [];
    text.split("\n").forEach((line, i) => {
        if (line.trim() === "") return;
        let json: unknown;
        try {
            json = JSON.parse(line);
        } catch (e) {
            throw new Error(`${source}:${i + 1}: invalid JSON (${(e as Error).message})`);
        }
        rows.push(parseIntrospectionRow(json, `${source}:${i + 1}`));
    });
    if (rows.length === 0) throw new Error(`${source}: no introspection rows`);
    return rows;
}

export function readIntrospectionRows(file: string): IntrospectionRow[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(`${file}: cannot read introspection rows (${(e as Error).message})`);
    }
    return parseIntrospectionJsonl(text, file);
}

/** The row as the released files have it: fields in the documented order, the system prompt only when present. */
export function introspectionRowJson(row: IntrospectionRow): Record<string, string> {
    const out: Record<string, string> = {};
    if (row.systemPrompt !== undefined) out.prediction_system_prompt = row.systemPrompt;
    out.prediction_user_prompt = row.userPrompt;
    out.prediction_assistant_response = row.response;
    out.prediction_ground_truth = row.groundTruth;
    return out;
}

export function formatIntrospectionJsonl(rows: readonly IntrospectionRow[]): string {
    return rows.map((r) => JSON.stringify(introspectionRowJson(r))).join("\n") + "\n";
}

/** Writes the rows atomically (a reader never sees half a file). */
export function writeIntrospectionRows(file: string, rows: readonly IntrospectionRow[]): void {
    if (rows.length === 0) throw new Error(`${file}: no introspection rows to write`);
    writeFileAtomic(file, formatIntrospectionJsonl(rows));
}

/** The row as a chat (system turn when the row has one, the question, the target answer): IA training/eval data. */
export function introspectionRowMessages(row: IntrospectionRow): ChatMessage[] {
    const msgs: ChatMessage[] = [];
    if (row.systemPrompt !== undefined) msgs.push({ role: "system", content: row.systemPrompt });
    msgs.push({ role: "user", content: row.userPrompt }, { role: "assistant", content: row.response });
    return msgs;
}

/**
 * One of our IA rows (src/ia/data.ts: a chat with a user question and the assistant's target, and whether the subject
 * is behavior-free) in the paper's shape. Fails on a chat that is not [system?, user, assistant].
 */
export function toIntrospectionRow(row: { messages: readonly ChatMessage[]; negative: boolean }, where: string): IntrospectionRow {
    const m = row.messages;
    const sys = m[0]?.role === "system" ? m[0] : undefined;
    const rest = sys ? m.slice(1) : m;
    if (rest.length !== 2 || rest[0]!.role !== "user" || rest[1]!.role !== "assistant") {
        throw new Error(`${where}: an introspection row is [system?, user, assistant], got [${m.map((x) => x.role).join(", ")}]`);
    }
    const out: IntrospectionRow = { userPrompt: rest[0]!.content, response: rest[1]!.content, groundTruth: row.negative ? "negative" : "positive" };
    if (sys) out.systemPrompt = sys.content;
    return out;
}
