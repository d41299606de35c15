/**
 * Every CLI command, in the order `ia --help` lists them, each loaded only when needed: `ia train ...` imports the
 * train command alone (loading all of them — the server, the MCP SDK, the investigator — cost ~3 s of CPU at every
 * start); `ia --help`, no command or an unknown one loads them all so yargs can list and suggest.
 */
import type { CommandModule } from "yargs";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;
type Loader = () => Promise<{ default: AnyCommand }>;

const LOADERS: Record<string, Loader> = {
    demo: () => import("./commands/DemoCommand.ts"),
    base: () => import("./commands/BaseCommand.ts"),
    catalogue: () => import("./commands/CatalogueCommand.ts"),
    synthesize: () => import("./commands/SynthesizeCommand.ts"),
    organisms: () => import("./commands/OrganismsCommand.ts"),
    population: () => import("./commands/PopulationCommand.ts"),
    "ia-train": () => import("./commands/IaTrainCommand.ts"),
    audit: () => import("./commands/AuditCommand.ts"),
    investigate: () => import("./commands/InvestigateCommand.ts"),
    mcp: () => import("./commands/McpCommand.ts"),
    "investigate-bench": () => import("./commands/InvestigateBenchCommand.ts"),
    bench: () => import("./commands/BenchCommand.ts"),
    analyze: () => import("./commands/AnalyzeCommand.ts"),
    ablate: () => import("./commands/AblateCommand.ts"),
    serve: () => import("./commands/ServeCommand.ts"),
    train: () => import("./commands/TrainCommand.ts"),
    generate: () => import("./commands/GenerateCommand.ts"),
    chat: () => import("./commands/ChatCommand.ts"),
    logprobs: () => import("./commands/LogprobsCommand.ts"),
    "bench-engine": () => import("./commands/BenchEngineCommand.ts"),
};

export const commandNames = Object.keys(LOADERS);

/** The commands to register for these arguments: the named one, or all of them. */
export async function loadCommands(args: readonly string[]): Promise<AnyCommand[]> {
    const named = args[0] !== undefined ? LOADERS[args[0]] : undefined;
    const modules = await Promise.all((named ? [named] : Object.values(LOADERS)).map((load) => load()));
    return modules.map((m) => m.default);
}
