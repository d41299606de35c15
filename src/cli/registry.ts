/** Every CLI command, in the order `ia --help` lists them. */
import type { CommandModule } from "yargs";
import GenerateCommand from "./commands/GenerateCommand.ts";
import ChatCommand from "./commands/ChatCommand.ts";
import LogprobsCommand from "./commands/LogprobsCommand.ts";
import TrainCommand from "./commands/TrainCommand.ts";
// BenchEngineCommand registered once bench/engine.ts lands
import DemoCommand from "./commands/DemoCommand.ts";
import BaseCommand from "./commands/BaseCommand.ts";
import CatalogueCommand from "./commands/CatalogueCommand.ts";
import OrganismsCommand from "./commands/OrganismsCommand.ts";
import BenchCommand from "./commands/BenchCommand.ts";
import AuditCommand from "./commands/AuditCommand.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
    DemoCommand, BaseCommand, CatalogueCommand, OrganismsCommand, BenchCommand, AuditCommand,
    TrainCommand, GenerateCommand, ChatCommand, LogprobsCommand,
];
