/**
 * `ia serve`'s HTTP server (fastify): an OpenAI-compatible API over one base model with per-request adapter
 * stacks. Routes: GET /v1/models, GET /v1/models/:id, POST /v1/chat/completions, POST /v1/completions,
 * GET /health (no key; queue and cache figures). Every error is an OpenAI error object.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { AdapterCache } from "./adapterCache.ts";
import { AdapterRoots } from "./adapterRoots.ts";
import type { ServeContext, ServeOptions } from "./context.ts";
import { handleGeneration } from "./endpoints.ts";
import { ApiError } from "./errors.ts";
import { parseStack, stackId } from "./modelSpec.ts";
import { DEFAULT_LIMITS } from "./requests.ts";
import { Scheduler } from "./scheduler.ts";

export const DEFAULT_SERVE_OPTIONS: Omit<ServeOptions, "baseId"> = {
    adapterRoots: [],
    maxActiveAdapters: 64,
    bodyLimit: 1 << 20,
    maxBatchRows: 64,
    maxBatchRequests: 64,
    maxQueued: 256,
    limits: DEFAULT_LIMITS,
};

export interface Server {
    app: FastifyInstance;
    ctx: ServeContext;
    /** Listens on host:port (port 0: any free port); returns the base URL, e.g. http://127.0.0.1:41234. */
    listen(port: number, host?: string): Promise<string>;
    close(): Promise<void>;
}

export function createServer(model: Transformer, tokenizer: ChatTokenizer, options: Partial<ServeOptions> & { baseId: string }): Server {
    const o: ServeOptions = { ...DEFAULT_SERVE_OPTIONS, ...options, limits: { ...DEFAULT_LIMITS, ...options.limits } };
    const ctx: ServeContext = {
        baseId: o.baseId,
        model,
        tokenizer,
        roots: new AdapterRoots(o.adapterRoots),
        cache: new AdapterCache(model, o.maxActiveAdapters),
        limits: o.limits,
        options: o,
        scheduler: new Scheduler(model, {
            maxBatchRows: o.maxBatchRows,
            maxBatchRequests: o.maxBatchRequests,
            maxQueued: o.maxQueued,
            eosTokenIds: tokenizer.eosTokenIds,
            padTokenId: tokenizer.padTokenId,
            decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
        }),
    };
    const app = Fastify({ bodyLimit: o.bodyLimit, logger: false, forceCloseConnections: true });
    const keyDigest = o.apiKey ? createHash("sha256").update(o.apiKey).digest() : null;

    app.addHook("onRequest", async (req) => {
        if (!keyDigest || !req.url.startsWith("/v1")) return;
        const h = req.headers.authorization ?? "";
        const given = h.startsWith("Bearer ") ? h.slice(7) : "";
        if (!timingSafeEqual(createHash("sha256").update(given).digest(), keyDigest)) {
            throw new ApiError(401, "missing or wrong API key (send Authorization: Bearer <key>)", "invalid_api_key");
        }
    });

    app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
        let e: ApiError;
        if (err instanceof ApiError) e = err;
        else if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") e = new ApiError(413, `request body too large (limit ${o.bodyLimit} bytes)`, "request_too_large");
        else if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") e = new ApiError(415, "send the body as application/json", "unsupported_media_type");
        else if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) e = new ApiError(err.statusCode, err.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || /JSON/i.test(err.message) ? `malformed JSON body: ${err.message}` : err.message, "invalid_request");
        else {
            req.log.error(err);
            process.stderr.write(`[serve] internal error: ${err.stack ?? err.message}\n`);
            e = new ApiError(500, "internal server error", "internal_error");
        }
        void reply.status(e.status).send(e.body());
    });
    app.setNotFoundHandler((req, reply) => {
        void reply.status(404).send(new ApiError(404, `no route ${req.method} ${req.url.split("?")[0]}`, "not_found").body());
    });

    const created = Math.floor(Date.now() / 1000);
    const modelEntry = (id: string) => ({ id, object: "model", created, owned_by: "ia" });
    app.get("/v1/models", async () => ({
        object: "list",
        data: [modelEntry(ctx.baseId), ...ctx.roots.list().map((n) => modelEntry(`${ctx.baseId}+${n}`))],
    }));
    app.get<{ Params: { "*": string } }>("/v1/models/*", async (req) => {
        const spec = parseStack(req.params["*"], undefined, ctx.baseId);
        for (const a of spec.adapters) ctx.roots.resolve(a.name);
        return modelEntry(stackId(spec));
    });
    app.post("/v1/chat/completions", (req, reply) => handleGeneration(ctx, "chat", req, reply));
    app.post("/v1/completions", (req, reply) => handleGeneration(ctx, "completion", req, reply));
    app.get("/health", async () => ({ ok: true, inFlight: ctx.scheduler.inFlight, scheduler: ctx.scheduler.stats, adapters: ctx.cache.stats }));

    return {
        app,
        ctx,
        async listen(port: number, host = "127.0.0.1") {
            const address = await app.listen({ port, host });
            return address.replace("[::1]", "127.0.0.1");
        },
        async close() {
            ctx.scheduler.close();
            await app.close();
            ctx.cache.dispose();
        },
    };
}
