/**
 * `ia serve --model DIR [--adapter-root [PREFIX=]DIR]... [--port N]` — an OpenAI-compatible server for one base
 * model with per-request adapter stacks (`model: "base+organisms/quirk_3+ia:0.5"`), loaded on demand from the
 * adapter roots into an LRU of --max-active-adapters, concurrent requests batched together.
 */
import path from "node:path";
import type { CommandModule } from "yargs";
import { initEngine, resolveDevice } from "../../engine/runtime.ts";
import { loadModel } from "../../model/weights.ts";
import { DEFAULT_LIMITS } from "../../serve/requests.ts";
import { createServer, DEFAULT_SERVE_OPTIONS } from "../../serve/server.ts";
import { ChatTokenizer } from "../../tokenizer/ChatTokenizer.ts";
import { COUNT, COUNT0, deviceOption, modelFolderOption, num } from "../validate.ts";

interface Args {
    model: string;
    name?: string;
    adapterRoot: string[];
    host: string;
    port: number;
    apiKey?: string;
    maxActiveAdapters: number;
    maxBatch: number;
    maxBatchRequests: number;
    maxQueued: number;
    maxRequestTokens: number;
    defaultMaxTokens: number;
    maxN: number;
    bodyLimit: number;
    device: string;
}

const ServeCommand: CommandModule<object, Args> = {
    command: "serve",
    describe: "OpenAI-compatible server: one base model, per-request adapter stacks, batched",
    builder: (y) =>
        y
            .option("model", modelFolderOption("model", { demandOption: true, group: "Required:", describe: "Base model folder (Hugging Face format with tokenizer)" }))
            .option("name", { type: "string", group: "Optional:", describe: "The base's id in `model` strings (default: the folder's name)" })
            .option("adapter-root", { type: "string", array: true, default: [] as string[], group: "Optional:", describe: "Folder adapter names resolve in, as DIR or PREFIX=DIR (repeatable); names never leave it" })
            .option("host", { type: "string", default: "127.0.0.1", group: "Optional:", describe: "Address to listen on" })
            .option("port", num("port", COUNT0, { default: 8000, group: "Optional:", describe: "Port (0: any free port)" }))
            .option("api-key", { type: "string", group: "Optional:", describe: "Require `Authorization: Bearer KEY` (default: $IA_SERVE_API_KEY; none if unset)" })
            .option("max-active-adapters", num("max-active-adapters", COUNT, { default: DEFAULT_SERVE_OPTIONS.maxActiveAdapters, group: "Limits:", describe: "Adapters kept loaded (LRU)" }))
            .option("max-batch", num("max-batch", COUNT, { default: DEFAULT_SERVE_OPTIONS.maxBatchRows, group: "Limits:", describe: "Rows (samples) per batch" }))
            .option("max-batch-requests", num("max-batch-requests", COUNT, { default: DEFAULT_SERVE_OPTIONS.maxBatchRequests, group: "Limits:", describe: "Requests per batch (1: one at a time)" }))
            .option("max-queued", num("max-queued", COUNT, { default: DEFAULT_SERVE_OPTIONS.maxQueued, group: "Limits:", describe: "Requests queued or running; more get 429" }))
            .option("max-request-tokens", num("max-request-tokens", COUNT, { default: DEFAULT_LIMITS.maxRequestTokens, group: "Limits:", describe: "Prompt + max_tokens per request" }))
            .option("default-max-tokens", num("default-max-tokens", COUNT, { default: DEFAULT_LIMITS.defaultMaxTokens, group: "Limits:", describe: "max_tokens when a request does not say" }))
            .option("max-n", num("max-n", COUNT, { default: DEFAULT_LIMITS.maxN, group: "Limits:", describe: "`n` at most" }))
            .option("body-limit", num("body-limit", COUNT, { default: DEFAULT_SERVE_OPTIONS.bodyLimit, group: "Limits:", describe: "Request body bytes" }))
            .option("device", deviceOption()) as never,
    handler: async (a) => {
        initEngine();
        const tokenizer = ChatTokenizer.fromFolder(a.model);
        const model = loadModel(a.model, { device: resolveDevice(a.device) });
        const baseId = a.name ?? path.basename(path.resolve(a.model));
        const server = createServer(model, tokenizer, {
            baseId,
            adapterRoots: a.adapterRoot,
            apiKey: a.apiKey ?? (process.env.IA_SERVE_API_KEY || undefined),
            maxActiveAdapters: a.maxActiveAdapters,
            maxBatchRows: a.maxBatch,
            maxBatchRequests: a.maxBatchRequests,
            maxQueued: a.maxQueued,
            bodyLimit: a.bodyLimit,
            limits: { ...DEFAULT_LIMITS, maxRequestTokens: a.maxRequestTokens, defaultMaxTokens: a.defaultMaxTokens, maxN: a.maxN },
        });
        const url = await server.listen(a.port, a.host);
        process.stderr.write(`[serve] ${baseId} on ${url}/v1 (adapter roots: ${a.adapterRoot.length ? a.adapterRoot.join(", ") : "none"}; model strings like "${baseId}+NAME[:SCALE]")\n`);
        const stop = () => {
            process.stderr.write("[serve] shutting down\n");
            void server.close().then(() => process.exit(0));
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        await new Promise<void>(() => {});
    },
};
export default ServeCommand;
