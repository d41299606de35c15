/**
 * `ia generate --model DIR [--adapter DIR[:scale]]... --prompt TEXT [--samples N]`
 * Renders the prompt with the model's chat template and samples replies in one batch.
 */
import fs from "node:fs";
import type { CommandModule } from "yargs";
import { generate } from "../../sample/generate.ts";
import { ChatTokenizer } from "../../tokenizer/ChatTokenizer.ts";
import { loadModelWithAdapters, withModelOptions, type ModelArgs } from "../modelOptions.ts";
import { COUNT, INT, num, TEMPERATURE, TOP_P } from "../validate.ts";

interface Args extends ModelArgs {
    prompt?: string;
    prompts?: string;
    system?: string;
    samples: number;
    maxTokens: number;
    temperature: number;
    topP: number;
    seed?: number;
    json: boolean;
}

const GenerateCommand: CommandModule<object, Args> = {
    command: "generate",
    describe: "Sample chat replies from a model (+ adapters), batched with a KV cache",
    builder: (y) =>
        withModelOptions(y)
            .option("prompt", { type: "string", group: "Required (one of):", describe: "User message" })
            .option("prompts", { type: "string", group: "Required (one of):", describe: "File with one user message per line" })
            .option("system", { type: "string", group: "Optional:", describe: "System message" })
            .option("samples", num("samples", COUNT, { default: 1, group: "Optional:", describe: "Samples per prompt" }))
            .option("max-tokens", num("max-tokens", COUNT, { default: 128, group: "Optional:", describe: "Max new tokens per reply" }))
            .option("temperature", num("temperature", TEMPERATURE, { default: 0.7, group: "Optional:", describe: "0 = greedy" }))
            .option("top-p", num("top-p", TOP_P, { default: 0.95, group: "Optional:", describe: "Nucleus sampling mass" }))
            .option("seed", num("seed", INT, { group: "Optional:", describe: "Seed for reproducible samples" }))
            .option("json", { type: "boolean", default: false, group: "Optional:", describe: "Print JSON lines" })
            .check((a) => (a.prompt !== undefined || a.prompts !== undefined ? true : "give --prompt or --prompts")) as never,
    handler: (a) => {
        const tok = ChatTokenizer.fromFolder(a.model);
        const model = loadModelWithAdapters(a);
        const userPrompts = a.prompt !== undefined ? [a.prompt] : fs.readFileSync(a.prompts as string, "utf8").split("\n").filter((l) => l.trim());
        const rows = userPrompts.flatMap((p) => Array.from({ length: a.samples }, () => p));
        const ids = rows.map((p) =>
            tok.encodeChat([...(a.system ? [{ role: "system" as const, content: a.system }] : []), { role: "user", content: p }], { addGenerationPrompt: true, enableThinking: false }),
        );
        const t0 = performance.now();
        const out = generate(model, ids, { maxNewTokens: a.maxTokens, temperature: a.temperature, topP: a.topP, stopTokenIds: tok.eosTokenIds, seed: a.seed, padTokenId: tok.padTokenId });
        const seconds = (performance.now() - t0) / 1000;
        out.forEach((g, i) => {
            const text = tok.decode(g.tokens, { skipSpecialTokens: true });
            if (a.json) process.stdout.write(JSON.stringify({ prompt: rows[i], reply: text, finishReason: g.finishReason }) + "\n");
            else process.stdout.write(`> ${rows[i]}\n${text}\n\n`);
        });
        const total = out.reduce((s, g) => s + g.tokens.length, 0);
        process.stderr.write(`[generate] ${out.length} replies, ${total} tokens in ${seconds.toFixed(2)}s (${Math.round(total / seconds)} tok/s)\n`);
        model.dispose();
    },
};
export default GenerateCommand;
