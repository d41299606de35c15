/**
 * `ia chat --model DIR [--adapter DIR[:scale]]...` — an interactive chat on stdin/stdout (multi-turn).
 */
import readline from "node:readline/promises";
import type { CommandModule } from "yargs";
import { generate } from "../../sample/generate.ts";
import { ChatTokenizer, type ChatMessage } from "../../tokenizer/ChatTokenizer.ts";
import { loadModelWithAdapters, withModelOptions, type ModelArgs } from "../modelOptions.ts";
import { COUNT, num, TEMPERATURE } from "../validate.ts";

interface Args extends ModelArgs {
    system?: string;
    maxTokens: number;
    temperature: number;
}

const ChatCommand: CommandModule<object, Args> = {
    command: "chat",
    describe: "Chat with a model (+ adapters) interactively; /help lists the commands (/reset, /adapters, /exit)",
    builder: (y) =>
        withModelOptions(y)
            .option("system", { type: "string", group: "Optional:" })
            .option("max-tokens", num("max-tokens", COUNT, { default: 256, group: "Optional:", describe: "Max new tokens per reply" }))
            .option("temperature", num("temperature", TEMPERATURE, { default: 0.7, group: "Optional:", describe: "0 = greedy" })) as never,
    handler: async (a) => {
        const tok = ChatTokenizer.fromFolder(a.model);
        const model = loadModelWithAdapters(a);
        const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
        const history: ChatMessage[] = a.system ? [{ role: "system", content: a.system }] : [];
        const adapters = a.adapter.length ? a.adapter.join(", ") : "none";
        const help = "commands: /help this list, /reset clear the conversation, /adapters list the active adapters, /exit (or /quit, Ctrl-D) quit";
        // The banner goes to stderr, so stdout carries only the model's replies (scripts can pipe them).
        process.stderr.write(`ia chat: ${a.model} on ${model.device}; adapters: ${adapters}; temperature ${a.temperature}, max ${a.maxTokens} tokens per reply\n${help}\n`);
        for await (const line of rl) {
            const text = line.trim();
            if (text.startsWith("/")) {
                const cmd = text.split(/\s+/)[0]!.toLowerCase();
                if (cmd === "/exit" || cmd === "/quit") break;
                if (cmd === "/reset") {
                    history.splice(a.system ? 1 : 0);
                    process.stderr.write("(conversation cleared)\n");
                } else if (cmd === "/help") process.stderr.write(`${help}\n`);
                else if (cmd === "/adapters") process.stderr.write(`adapters: ${a.adapter.length ? a.adapter.join(", ") : "none"}\n`);
                else process.stderr.write(`unknown command ${cmd}; ${help}\n`);
                continue;
            }
            if (!text) continue;
            history.push({ role: "user", content: text });
            const ids = tok.encodeChat(history, { addGenerationPrompt: true, enableThinking: false });
            const [g] = generate(model, [ids], { maxNewTokens: a.maxTokens, temperature: a.temperature, topP: 0.95, stopTokenIds: tok.eosTokenIds });
            const reply = tok.decode(g!.tokens, { skipSpecialTokens: true });
            history.push({ role: "assistant", content: reply });
            process.stdout.write(`${reply}\n`);
        }
        rl.close();
        model.dispose();
    },
};
export default ChatCommand;
