/** Every CLI command, in the order `ia --help` lists them. */
import type { CommandModule } from "yargs";
import GenerateCommand from "./commands/GenerateCommand.ts";
import ChatCommand from "./commands/ChatCommand.ts";
import LogprobsCommand from "./commands/LogprobsCommand.ts";
import TrainCommand from "./commands/TrainCommand.ts";
import BenchEngineCommand from "./commands/BenchEngineCommand.ts";
import DemoCommand from "./commands/DemoCommand.ts";
import BaseCommand from "./commands/BaseCommand.ts";
import CatalogueCommand from "./commands/CatalogueCommand.ts";
import OrganismsCommand from "./commands/OrganismsCommand.ts";
import BenchCommand from "./commands/BenchCommand.ts";
import AuditCommand from "./commands/AuditCommand.ts";
import IaTrainCommand from "./commands/IaTrainCommand.ts";
import SynthesizeCommand from "./commands/SynthesizeCommand.ts";
import InvestigateCommand from "./commands/InvestigateCommand.ts";
import McpCommand from "./commands/McpCommand.ts";
import InvestigateBenchCommand from "./commands/InvestigateBenchCommand.ts";
import ServeCommand from "./commands/ServeCommand.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
    DemoCommand, BaseCommand, CatalogueCommand, SynthesizeCommand, OrganismsCommand, IaTrainCommand, AuditCommand, InvestigateCommand, McpCommand, InvestigateBenchCommand, BenchCommand, ServeCommand,
    TrainCommand, GenerateCommand, ChatCommand, LogprobsCommand, BenchEngineCommand,
];
