/** Every CLI command, in the order `ia --help` lists them. */
import type { CommandModule } from "yargs";
import GenerateCommand from "./commands/GenerateCommand.ts";
import ChatCommand from "./commands/ChatCommand.ts";
import LogprobsCommand from "./commands/LogprobsCommand.ts";
import TrainCommand from "./commands/TrainCommand.ts";
// BenchEngineCommand registered once bench/engine.ts lands

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [TrainCommand, GenerateCommand, ChatCommand, LogprobsCommand];
