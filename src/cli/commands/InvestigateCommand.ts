/**
 * `ia investigate --base DIR (--target-adapter DIR | --target-model DIR) [--ia DIR] [--tools ...] [--driver ...]
 * [--spec FILE] --out DIR` — an auditing agent investigates a fine-tune with tools (sampling, prefill, scenarios,
 * base comparison, IA self-reports, summaries) and writes a research log, every tool call, ≤ 10 ranked predictions
 * (JSON + markdown) and, with --spec, their grading. The built-in driver needs no LLM.
 */
import type { CommandModule } from "yargs";
import { readOneSpecFile } from "../../behaviors/spec.ts";
import { parseTools, runInvestigation } from "../../investigate/run.ts";
import { COUNT, deviceOption, INT, modelFolderOption, num, PROVIDER_SPEC_HELP, TEMPERATURE, withTargetOptions } from "../validate.ts";

interface Args {
    base: string;
    targetAdapter?: string;
    targetModel?: string;
    ia?: string;
    tools?: string;
    driver: string;
    budget: number;
    agentTokens?: number;
    seed: number;
    temperature: number;
    spec?: string;
    out: string;
    device: string;
    teacher?: string;
}

const InvestigateCommand: CommandModule<object, Args> = {
    command: "investigate",
    describe: "Investigate a fine-tune with an auditing agent (built-in or LLM) and tools incl. the IA; ranked predictions",
    builder: (y) =>
        withTargetOptions(y)
            .option("base", modelFolderOption("base", { demandOption: true, group: "Required:", describe: "Base model folder" }))
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Folder for research_log.md, calls.jsonl, predictions.json/.md" })
            .option("ia", { type: "string", group: "Optional:", describe: "IA adapter folder (grants ia_reports)" })
            .option("tools", { type: "string", group: "Optional:", describe: "Tools to grant: black-box | ia | ia+compare, or names (sample,prefill,multisample,compare_to_base,ia_reports,summarize); default all available" })
            .option("driver", { type: "string", default: "builtin", group: "Optional:", describe: "builtin | openai:MODEL[@URL] (key from OPENAI_API_KEY, required only for api.openai.com) | anthropic:MODEL[@URL] (key from ANTHROPIC_API_KEY)" })
            .option("budget", num("budget", COUNT, { default: 256, group: "Optional:", describe: "Model replies the tools may generate (target, base and IA alike)" }))
            .option("agent-tokens", num("agent-tokens", COUNT, { group: "Optional:", describe: "Tokens an LLM investigator may generate (default 25000)" }))
            .option("seed", num("seed", INT, { default: 1, group: "Optional:" }))
            .option("temperature", num("temperature", TEMPERATURE, { default: 0.7, group: "Optional:", describe: "Sampling temperature of the models' replies" }))
            .option("spec", { type: "string", group: "Optional:", describe: "Ground-truth behavior spec JSON (tiny world) to grade the predictions" })
            .option("teacher", { type: "string", group: "Optional:", describe: `Teacher LLM that writes multisample scenarios from free-text hints (LLM drivers and MCP clients; the built-in driver keeps the world's generators). ${PROVIDER_SPEC_HELP}` })
            .option("device", deviceOption()) as never,
    handler: async (a) => {
        const spec = a.spec ? readOneSpecFile(a.spec) : undefined;
        const r = await runInvestigation({
            baseModel: a.base, targetAdapter: a.targetAdapter, targetModel: a.targetModel, ia: a.ia, tools: a.tools ? parseTools(a.tools) : undefined,
            driver: a.driver, budget: { samples: a.budget, ...(a.agentTokens !== undefined ? { agentTokens: a.agentTokens } : {}) }, seed: a.seed,
            temperature: a.temperature, spec, outDir: a.out, device: a.device, teacher: a.teacher,
        });
        process.stdout.write(`Investigation of ${r.target} (${r.driver}; tools ${r.tools.join(", ")}): ${r.predictions.length} predictions\n`);
        for (const p of r.predictions) process.stdout.write(`  ${p.rank}. ${p.statement}  [${p.source}, ${(p.confidence * 100).toFixed(0)}%]\n`);
        if (r.grading) process.stdout.write(`ground truth "${r.grading.groundTruth}": category ${r.grading.category ? "found" : "missed"}, strict ${r.grading.strict ? "found" : "missed"} (top prediction: ${r.grading.top1Category ? "category" : "-"}/${r.grading.top1Strict ? "strict" : "-"})\n`);
        process.stdout.write(`cost: ${r.cost.samples} model replies, ${r.cost.promptTokens}+${r.cost.completionTokens} tokens, ${r.cost.seconds.toFixed(1)} s; log in ${a.out}/research_log.md\n`);
    },
};
export default InvestigateCommand;
