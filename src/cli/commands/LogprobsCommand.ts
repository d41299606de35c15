/**
 * `ia logprobs --model DIR [--adapter DIR[:scale]]... --input FILE`
 * FILE holds {"tokens": [ids...]}; prints {"logprobs": [null, lp1, ...]} where lp_t = log p(token_t | tokens_<t).
 */
import fs from "node:fs";
import type { CommandModule } from "yargs";
import { tokenLogprobs } from "../../sample/logprobs.ts";
import { loadModelWithAdapters, withModelOptions, type ModelArgs } from "../modelOptions.ts";

interface Args extends ModelArgs {
    input: string;
}

const LogprobsCommand: CommandModule<object, Args> = {
    command: "logprobs",
    describe: "Print the log-probability of each token given its prefix (for scoring and cross-checking)",
    builder: (y) => withModelOptions(y).option("input", { type: "string", demandOption: true, group: "Required:", describe: 'JSON file {"tokens": [ids...]}' }) as never,
    handler: (a) => {
        let tokens: unknown;
        try {
            tokens = (JSON.parse(fs.readFileSync(a.input, "utf8")) as { tokens?: unknown }).tokens;
        } catch (e) {
            throw new Error(`${a.input}: cannot read input (${(e as Error).message})`);
        }
        if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t))) throw new Error(`${a.input}: expected {"tokens": [integer ids...]}`);
        const model = loadModelWithAdapters(a);
        process.stdout.write(JSON.stringify({ logprobs: tokenLogprobs(model, tokens as number[]) }) + "\n");
        model.dispose();
    },
};
export default LogprobsCommand;
