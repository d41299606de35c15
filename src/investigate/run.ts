/**
 * One investigation end to end: load the target (and the base, and the IA), grant tools, run a driver (the
 * built-in investigator or an LLM through a provider), write the research log, every tool call, the predictions
 * (JSON + markdown) and, given the ground-truth spec, their grading. Errors stop the run with one clear message
 * and keep everything written so far (every file is written atomically, the log after every call).
 *
 * Files in the output folder: research_log.md, calls.jsonl, predictions.json, predictions.md, and for LLM
 * drivers the workspace (candidates/*.md, transcript.jsonl).
 */
import fs from "node:fs";
import path from "node:path";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { Budget, checkBudgetLimits, type BudgetLimits } from "./budget.ts";
import { BuiltinInvestigator, type BuiltinOptions } from "./builtin.ts";
import { InvestigationLog } from "./callLog.ts";
import { EngineTarget } from "./engineTarget.ts";
import { providerFromSpec } from "../providers/fromSpec.ts";
import type { ChatProvider } from "../providers/types.ts";
import { gradePredictions, predictionsMarkdown, type Grader, type Grading, type Prediction } from "./predictions.ts";
import { ToolBox } from "./tools.ts";
import { TOOL_NAMES, TOOL_SETS, type Responder, type ToolName } from "./types.ts";
import { runLlmInvestigator, type LlmDriverOptions } from "./llmDriver.ts";

export interface InvestigateOptions {
    baseModel?: string;
    targetAdapter?: string;
    targetModel?: string;
    ia?: string;
    /** Instead of model folders: a ready Responder (simulated targets, or a shared model in the benchmark). */
    responder?: Responder;
    /** Tools to grant; default every tool the target supports (ia_reports needs an IA). */
    tools?: readonly ToolName[];
    /** "builtin" (default) or a provider spec ("openai:MODEL[@URL]", "anthropic:MODEL[@URL]"). */
    driver?: string;
    budget: BudgetLimits;
    seed?: number;
    spec?: BehaviorSpec;
    /**
     * Teacher LLM (provider spec, e.g. "openai:gpt-4o-mini@http://127.0.0.1:8000/v1") that writes multisample's
     * scenarios from free-text hints for LLM drivers; the built-in driver keeps the world's generators. Default: none.
     */
    teacher?: string | ChatProvider;
    /** Ground truth other than a tiny-world spec (an OOD organism); wins over `spec` for grading. */
    grader?: Grader;
    outDir?: string | null;
    temperature?: number;
    device?: string;
    builtin?: BuiltinOptions;
    llm?: Omit<LlmDriverOptions, "spec">;
}

export interface InvestigationResult {
    target: string;
    driver: string;
    tools: ToolName[];
    seed: number;
    predictions: Prediction[];
    grading?: Grading;
    cost: { calls: number; samples: number; promptTokens: number; completionTokens: number; agentTokens: number; seconds: number };
}

/** "black-box" / "ia" / "ia+compare", or tool names separated by commas. */
export function parseTools(list: string | readonly string[]): ToolName[] {
    const items = (typeof list === "string" ? list.split(",") : list).map((x) => x.trim()).filter(Boolean);
    const out: ToolName[] = [];
    for (const x of items) {
        const set = TOOL_SETS[x];
        if (set) out.push(...set);
        else if ((TOOL_NAMES as readonly string[]).includes(x)) out.push(x as ToolName);
        else throw new Error(`unknown tool or tool set "${x}" (tools: ${TOOL_NAMES.join(", ")}; sets: ${Object.keys(TOOL_SETS).join(", ")})`);
    }
    if (out.length === 0) throw new Error("no tools granted: name at least one tool or tool set");
    return [...new Set(out)];
}

export function resultMarkdown(r: InvestigationResult): string {
    return `${predictionsMarkdown(r.target, r.predictions, r.grading)}\nDriver ${r.driver}, tools ${r.tools.join(", ")}, seed ${r.seed}; cost: ${r.cost.samples} model replies in ${r.cost.calls} calls, ${r.cost.promptTokens}+${r.cost.completionTokens} model tokens, ${r.cost.agentTokens} investigator tokens, ${r.cost.seconds.toFixed(1)} s.\n`;
}

export async function runInvestigation(o: InvestigateOptions): Promise<InvestigationResult> {
    const t0 = performance.now();
    checkBudgetLimits(o.budget);
    const seed = o.seed ?? 1;
    const driver = o.driver ?? "builtin";
    if (driver !== "builtin" && !/^(openai|anthropic):/.test(driver)) throw new Error(`unknown driver "${driver}" (expected builtin, openai:MODEL[@URL] or anthropic:MODEL[@URL])`);
    if (o.outDir) fs.mkdirSync(o.outDir, { recursive: true });
    const title = o.responder?.description ?? (o.targetAdapter ? `adapter ${o.targetAdapter}` : `model ${o.targetModel ?? "?"}`);
    // A bad teacher spec fails before any model is loaded.
    const writer = typeof o.teacher === "string" ? providerFromSpec(o.teacher) : o.teacher;
    const log = new InvestigationLog(o.outDir ?? null, title);
    let responder: Responder | null = null;
    try {
        if (o.responder) responder = o.responder;
        else {
            if (!o.baseModel) throw new Error("investigate: --base is required");
            responder = new EngineTarget({ baseModel: o.baseModel, targetAdapter: o.targetAdapter, targetModel: o.targetModel, ia: o.ia, device: o.device });
        }
        const available = TOOL_NAMES.filter((t) => (t !== "ia_reports" || responder!.hasIa) && (t !== "compare_to_base" || responder!.hasBase));
        const tools = o.tools ? [...o.tools] : available;
        const budget = new Budget(o.budget);
        const box = new ToolBox({ responder, granted: tools, budget, log, seed, temperature: o.temperature, ...(writer ? { writer } : {}) });
        log.note(`Target: ${responder.description}. Driver: ${driver}. Seed ${seed}.`);
        const predictions = driver === "builtin"
            ? new BuiltinInvestigator(box, o.builtin).run()
            : await runLlmInvestigator(box, { ...o.llm, spec: driver, workspace: o.outDir ?? null });
        const totals = log.totals;
        const result: InvestigationResult = {
            target: responder.description, driver, tools: [...box.granted], seed, predictions,
            cost: { ...totals, agentTokens: budget.agentTokensUsed, seconds: (performance.now() - t0) / 1000 },
        };
        const truth = o.grader ?? o.spec;
        if (truth) result.grading = gradePredictions(truth, predictions);
        if (o.outDir) {
            writeJsonAtomic(path.join(o.outDir, "predictions.json"), result);
            writeFileAtomic(path.join(o.outDir, "predictions.md"), resultMarkdown(result));
            if (result.grading) writeJsonAtomic(path.join(o.outDir, "grading.json"), result.grading);
        }
        return result;
    } catch (err) {
        log.note(`## Stopped\n\n**error**: ${(err as Error).message}`);
        throw err;
    } finally {
        if (responder && !o.responder) responder.dispose();
    }
}
