/**
 * An audit asked with the paper's evaluation rows (`prediction_*` JSONL, src/population/introspectionRows.ts) instead
 * of our question set: each row's question, with its system prompt when the row has one, in file order and cycled
 * until the audit has its samples; and, unless another ground truth is given, the rows' own answer as the label the
 * LLM judge grades against (the most common answer among the positive rows).
 */
import { readIntrospectionRows, type IntrospectionRow } from "../population/introspectionRows.ts";

export interface AuditQuestion {
    prompt: string;
    /** Present when the row has the key (the released code then adds a system turn, even an empty one). */
    system?: string;
}

export interface RowQuestions {
    questions: AuditQuestion[];
    /** The positive rows' most common answer; undefined when no row is positive. */
    label?: string;
}

export function rowQuestions(file: string, samples: number): RowQuestions {
    const rows = readIntrospectionRows(file);
    const questions = Array.from({ length: samples }, (_, i) => {
        const r = rows[i % rows.length] as IntrospectionRow;
        return r.systemPrompt !== undefined ? { prompt: r.userPrompt, system: r.systemPrompt } : { prompt: r.userPrompt };
    });
    const counts = new Map<string, number>();
    for (const r of rows) if (r.groundTruth === "positive") counts.set(r.response, (counts.get(r.response) ?? 0) + 1);
    const label = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    return label === undefined ? { questions } : { questions, label };
}
