/**
 * `ia mcp --base DIR (--target-adapter DIR | --target-model DIR) [--ia DIR] [--tools ...] [--budget N] [--log DIR]` —
 * serve the investigation tools for one target over MCP (stdio). stdout carries the protocol; the call log and
 * research log go to --log.
 */
import type { CommandModule } from "yargs";
import { Budget } from "../../investigate/budget.ts";
import { InvestigationLog } from "../../investigate/callLog.ts";
import { EngineTarget } from "../../investigate/engineTarget.ts";
import { serveStdio } from "../../investigate/mcpServer.ts";
import { parseTools } from "../../investigate/run.ts";
import { ToolBox } from "../../investigate/tools.ts";
import { TOOL_NAMES } from "../../investigate/types.ts";
import { COUNT, deviceOption, INT, modelFolderOption, num, PROVIDER_SPEC_HELP, TEMPERATURE, withTargetOptions } from "../validate.ts";
import { providerFromSpec } from "../../providers/fromSpec.ts";

interface Args {
    base: string;
    targetAdapter?: string;
    targetModel?: string;
    ia?: string;
    tools?: string;
    budget: number;
    seed: number;
    temperature: number;
    log?: string;
    device: string;
    teacher?: string;
}

const McpCommand: CommandModule<object, Args> = {
    command: "mcp",
    describe: "Serve the investigation tools for one target over MCP (stdio)",
    builder: (y) =>
        withTargetOptions(y)
            .option("base", modelFolderOption("base", { demandOption: true, group: "Required:", describe: "Base model folder" }))
            .option("ia", { type: "string", group: "Optional:", describe: "IA adapter folder (grants ia_reports)" })
            .option("tools", { type: "string", group: "Optional:", describe: "Tools to expose (names or black-box | ia | ia+compare); default all available" })
            .option("budget", num("budget", COUNT, { default: 1000, group: "Optional:", describe: "Model replies the tools may generate in this session" }))
            .option("seed", num("seed", INT, { default: 1, group: "Optional:" }))
            .option("temperature", num("temperature", TEMPERATURE, { default: 0.7, group: "Optional:" }))
            .option("log", { type: "string", group: "Optional:", describe: "Folder for calls.jsonl and research_log.md" })
            .option("teacher", { type: "string", group: "Optional:", describe: `Teacher LLM that writes multisample scenarios from free-text hints (LLM drivers and MCP clients; the built-in driver keeps the world's generators). ${PROVIDER_SPEC_HELP}` })
            .option("device", deviceOption()) as never,
    handler: async (a) => {
        const budget = new Budget({ samples: a.budget });
        const writer = a.teacher ? providerFromSpec(a.teacher) : undefined;
        const responder = new EngineTarget({ baseModel: a.base, targetAdapter: a.targetAdapter, targetModel: a.targetModel, ia: a.ia, device: a.device });
        try {
            const granted = a.tools ? parseTools(a.tools) : TOOL_NAMES.filter((t) => (t !== "ia_reports" || responder.hasIa) && (t !== "compare_to_base" || responder.hasBase));
            const log = new InvestigationLog(a.log ?? null, `MCP session on ${responder.description}`);
            const tools = new ToolBox({ responder, granted, budget, log, seed: a.seed, temperature: a.temperature, ...(writer ? { writer } : {}) });
            process.stderr.write(`[mcp] serving ${granted.join(", ")} for ${responder.description} on stdio\n`);
            await serveStdio(tools);
        } finally {
            responder.dispose();
        }
    },
};
export default McpCommand;
