/**
 * The `ia` command line. One file per command in ./commands; this file only registers them.
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { commands } from "./registry.ts";

const cli = yargs(hideBin(process.argv))
    .scriptName("ia")
    .usage("$0 <command> [options]\n\nIntrospection adapters: train one LoRA that makes fine-tunes of a base model describe what they learned.")
    .strict()
    .strictCommands()
    .recommendCommands()
    .demandCommand(1, "Name a command (see --help).")
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err, y) => {
        if (err) {
            process.stderr.write(`error: ${err.message}\n`);
            if (process.env.IA_DEBUG) process.stderr.write(`${err.stack}\n`);
        } else {
            process.stderr.write(`${y.help()}\n\n${msg}\n`);
        }
        process.exit(1);
    });
for (const c of commands) cli.command(c);
try {
    await cli.parseAsync();
} catch (err) {
    // Errors thrown by handlers: one clear line (the messages name the file and the problem); stack on IA_DEBUG.
    process.stderr.write(`error: ${(err as Error).message}\n`);
    if (process.env.IA_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
}
