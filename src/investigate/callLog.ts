/**
 * The investigation's record: every tool call with its inputs, outputs (or error), token counts and time, and the
 * readable research log (markdown) the investigator writes as it goes. Both files are rewritten atomically after
 * every entry, so whatever stops an investigation (an error, a provider going down, a kill) leaves the log
 * written so far intact: <out>/calls.jsonl and <out>/research_log.md.
 */
import path from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";
import type { TokenCount, ToolName } from "./types.ts";

export interface CallEntry {
    index: number;
    tool: ToolName | string;
    args: unknown;
    output?: unknown;
    error?: string;
    tokens: TokenCount;
    samples: number;
    ms: number;
}

export class InvestigationLog {
    readonly calls: CallEntry[] = [];
    private readonly lines: string[];

    constructor(readonly outDir: string | null, title: string) {
        this.lines = [`# Research log: ${title}`, ""];
        this.flush();
    }

    get totals(): { calls: number; samples: number; promptTokens: number; completionTokens: number } {
        let samples = 0, promptTokens = 0, completionTokens = 0;
        for (const c of this.calls) {
            samples += c.samples;
            promptTokens += c.tokens.prompt;
            completionTokens += c.tokens.completion;
        }
        return { calls: this.calls.length, samples, promptTokens, completionTokens };
    }

    /** A paragraph of the research log (markdown). */
    note(text: string): void {
        this.lines.push(text, "");
        this.flush();
    }

    record(entry: Omit<CallEntry, "index">): CallEntry {
        const e = { index: this.calls.length, ...entry };
        this.calls.push(e);
        const args = JSON.stringify(entry.args);
        const what = entry.error ? `**error**: ${entry.error}` : `${entry.samples} replies, ${entry.tokens.prompt}+${entry.tokens.completion} tokens`;
        this.lines.push(`> call ${e.index}: \`${entry.tool}\` ${args.length > 160 ? `${args.slice(0, 160)}…` : args} — ${what}`, "");
        this.flush();
        return e;
    }

    markdown(): string {
        return this.lines.join("\n");
    }

    flush(): void {
        if (!this.outDir) return;
        writeFileAtomic(path.join(this.outDir, "calls.jsonl"), this.calls.map((c) => JSON.stringify(c)).join("\n") + (this.calls.length ? "\n" : ""));
        writeFileAtomic(path.join(this.outDir, "research_log.md"), this.markdown());
    }
}
