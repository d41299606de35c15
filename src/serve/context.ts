/** Everything a request handler needs: the base model, its tokenizer, the engine loop, the adapter roots and cache. */
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import type { AdapterCache } from "./adapterCache.ts";
import type { AdapterRoots } from "./adapterRoots.ts";
import type { Limits } from "./requests.ts";
import type { Scheduler } from "./scheduler.ts";

export interface ServeOptions {
    /** The base model's id in `model` strings. */
    baseId: string;
    /** Adapter roots: DIR or PREFIX=DIR. */
    adapterRoots: string[];
    maxActiveAdapters: number;
    /** Bearer token required on /v1/* when set. */
    apiKey?: string;
    /** Request body size limit in bytes. */
    bodyLimit: number;
    maxBatchRows: number;
    /** 1 = one request at a time (no batching across requests). */
    maxBatchRequests: number;
    /** Requests queued or running at most (429 beyond). */
    maxQueued: number;
    limits: Limits;
}

export interface ServeContext {
    baseId: string;
    model: Transformer;
    tokenizer: ChatTokenizer;
    scheduler: Scheduler;
    roots: AdapterRoots;
    cache: AdapterCache;
    limits: Limits;
    options: ServeOptions;
}
