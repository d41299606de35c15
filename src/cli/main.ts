/**
 * The `ia` command line. One file per command in ./commands; this file only registers them and reports errors.
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { loadCommands } from "./registry.ts";

/** One line for anything thrown: an Error's message, a thrown string, or a description of what was thrown. */
export function errorText(err: unknown): string {
    if (err instanceof Error) return err.message || `${err.name} (no message)${err.cause !== undefined ? `: ${errorText(err.cause)}` : ""}`;
    if (typeof err === "string") return err;
    if (err === undefined || err === null) return "unknown error (nothing was thrown with it)";
    try {
        return `unexpected error value ${JSON.stringify(err)}`;
    } catch {
        return `unexpected error value ${String(err)}`;
    }
}

function report(err: unknown): never {
    process.stderr.write(`error: ${errorText(err)}\n`);
    if (process.env.IA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
}

// `ia catalogue | head`: the reader went away. Nothing more can be shown; stop quietly, as Unix tools do.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    report(err);
});

const cli = yargs(hideBin(process.argv))
    .scriptName("ia")
    .usage("$0 <command> [options]\n\nIntrospection adapters: train one LoRA that makes fine-tunes of a base model describe what they learned.")
    .strict()
    .strictCommands()
    .recommendCommands()
    .demandCommand(1, "Name a command (see --help).")
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err, y) => {
        // A check() that returns a string reaches here as (msg, msg); option errors from coerce as (msg, Error).
        if (err instanceof Error) report(err);
        if (err !== undefined && err !== null && typeof err !== "string") report(err);
        process.stderr.write(`${y.help()}\n\nerror: ${msg ?? errorText(err)}\n`);
        process.exit(1);
    });
for (const c of await loadCommands(hideBin(process.argv))) cli.command(c);
try {
    await cli.parseAsync();
} catch (err) {
    // Errors thrown by handlers: one clear line (the messages name the file and the problem); stack on IA_DEBUG.
    report(err);
}
