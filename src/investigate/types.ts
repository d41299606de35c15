/**
 * Types shared by every part of the investigator: the model a tool talks to (a Responder: the target, the base,
 * or the target with the IA attached), the tool names, and what one tool call returns. One typed interface for the
 * built-in investigator, the LLM investigator and the MCP server.
 */

/** One chat turn sent to a model. */
export interface Turn {
    role: "user" | "assistant";
    content: string;
}

/** One generation request: a conversation ending with a user turn, an optional system prompt and assistant prefix. */
export interface ChatRequest {
    system?: string;
    messages: Turn[];
    /** Assistant-turn prefix: the reply continues from here (the returned text includes it). */
    prefill?: string;
}

/** Which model answers: the fine-tune under audit, the base it was made from, or the fine-tune with the IA. */
export type Which = "target" | "base" | "target+ia";

export interface Reply {
    text: string;
    promptTokens: number;
    completionTokens: number;
}

export interface GenerateOptions {
    seed: number;
    temperature: number;
    maxNewTokens: number;
}

/** Something that answers chat requests as the target / base / target+IA. Deterministic for a given seed. */
export interface Responder {
    /** For logs: what the target is ("base + adapter DIR"). */
    readonly description: string;
    /** Whether the base model can answer (compare_to_base). */
    readonly hasBase: boolean;
    /** Whether an IA is attached (ia_reports). */
    readonly hasIa: boolean;
    /** How long the IA's self-reports may run, in tokens (iaReportTokens: longer for a show-then-name IA). Default 48. */
    readonly iaReportTokens?: number;
    generate(which: Which, requests: readonly ChatRequest[], o: GenerateOptions): Reply[];
    dispose(): void;
}

export const TOOL_NAMES = ["sample", "prefill", "multisample", "compare_to_base", "ia_reports", "summarize"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The affordance sets of the benchmark. Black-box tools are in all three. */
export const TOOL_SETS: Readonly<Record<string, readonly ToolName[]>> = {
    "black-box": ["sample", "prefill", "multisample", "summarize"],
    "ia": ["sample", "prefill", "multisample", "summarize", "ia_reports"],
    "ia+compare": ["sample", "prefill", "multisample", "summarize", "ia_reports", "compare_to_base"],
};

export interface TokenCount {
    /** Prompt tokens sent to the models in this call. */
    prompt: number;
    /** Tokens the models generated in this call. */
    completion: number;
}

export interface ToolResult {
    tool: ToolName;
    /** JSON-serializable output the driver sees. */
    output: unknown;
    tokens: TokenCount;
    /** Model replies generated (what the sample budget counts). */
    samples: number;
}

/** Thrown for a call the driver should see as an error (bad arguments, a tool not granted, budget exhausted). */
export class ToolError extends Error {
    constructor(message: string, readonly code: "bad_arguments" | "not_granted" | "unknown_tool" | "budget" | "writer" = "bad_arguments") {
        super(message);
        this.name = "ToolError";
    }
}
