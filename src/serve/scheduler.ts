/**
 * The engine loop: requests queue up; whenever the engine is free it takes the oldest request and every queued
 * request with the same sampling settings (temperature, top_p; a seeded request runs alone, so its seed
 * reproduces it) up to `maxBatchRows` rows, whatever their adapter stacks (RowAdapters), and decodes them in one
 * batch, yielding to the event loop after every token so replies stream and disconnects are noticed. Requests
 * arriving meanwhile wait for the next batch (dynamic batching, not continuous: a batch runs until its last
 * row ends). Admission is bounded: beyond `maxQueued` requests in flight, submit throws 429.
 */
import { manualSeed } from "../engine/runtime.ts";
import type { Transformer } from "../model/transformer.ts";
import { BatchDecoder, type StepToken } from "./decoder.ts";
import { ApiError } from "./errors.ts";
import { RowAdapters, type StackEntry } from "./rowAdapters.ts";
import { TextStream } from "./textStream.ts";

export type FinishReason = "stop" | "length";

export interface RowResult {
    text: string;
    tokens: number[];
    finishReason: FinishReason;
    logprobs: StepToken[];
}

export interface GenRequest {
    /** One prompt per row (n samples of a prompt are n rows). */
    rows: number[][];
    stack: StackEntry[];
    temperature: number;
    topP: number;
    seed?: number;
    maxTokens: number;
    stop: string[];
    /** Top alternatives per token (0 = no log-probs; 1 = the chosen token's only). */
    logprobs: number;
    /** Keep going past end-of-turn tokens (vLLM's ignore_eos): fixed-length replies for benchmarks. */
    ignoreEos?: boolean;
    signal?: AbortSignal;
    /** Streaming: called with new text (and the token's log-probs) of row `row`. */
    onDelta?: (row: number, text: string, token: StepToken) => void;
    /** Streaming: called once per row when it ends. */
    onFinish?: (row: number, reason: FinishReason) => void;
}

export interface SchedulerOptions {
    /** Rows per batch at most. */
    maxBatchRows: number;
    /** Requests per batch at most (1 = one at a time: the baseline the bench compares against). */
    maxBatchRequests: number;
    /** Requests queued or running at most; more are refused with 429. */
    maxQueued: number;
    eosTokenIds: number[];
    padTokenId: number;
    decode: (ids: number[]) => string;
}

export interface SchedulerStats {
    batches: number;
    requests: number;
    rows: number;
    tokens: number;
    maxRowsInBatch: number;
    maxStacksInBatch: number;
    rejected: number;
    cancelledRows: number;
}

interface Pending {
    req: GenRequest;
    resolve: (r: RowResult[]) => void;
    reject: (e: unknown) => void;
    key: string;
}

let seedKeys = 0;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Scheduler {
    private readonly queue: Pending[] = [];
    private running = 0;
    private looping = false;
    private closed = false;
    readonly stats: SchedulerStats = { batches: 0, requests: 0, rows: 0, tokens: 0, maxRowsInBatch: 0, maxStacksInBatch: 0, rejected: 0, cancelledRows: 0 };

    constructor(private readonly model: Transformer, private readonly o: SchedulerOptions) {}

    get inFlight(): number {
        return this.queue.length + this.running;
    }

    /** Whether one more request would be admitted now. */
    get full(): boolean {
        return this.inFlight >= this.o.maxQueued;
    }

    submit(req: GenRequest): Promise<RowResult[]> {
        if (this.closed) return Promise.reject(new ApiError(503, "server is shutting down", "unavailable"));
        if (this.full) {
            this.stats.rejected++;
            return Promise.reject(new ApiError(429, `too many requests in flight (limit ${this.o.maxQueued}); retry later`, "rate_limit_exceeded"));
        }
        if (req.rows.length > this.o.maxBatchRows) return Promise.reject(new ApiError(400, `n × prompts = ${req.rows.length} rows exceeds the batch limit ${this.o.maxBatchRows}`, "invalid_value", "n"));
        const key = req.seed !== undefined ? `seed:${++seedKeys}` : `${req.temperature}|${req.topP}`;
        return new Promise((resolve, reject) => {
            this.queue.push({ req, resolve, reject, key });
            // Started on the next turn of the event loop, so requests arriving together share the first batch.
            if (!this.looping) {
                this.looping = true;
                setImmediate(() => void this.loop());
            }
        });
    }

    close(): void {
        this.closed = true;
    }

    private async loop(): Promise<void> {
        try {
            while (this.queue.length > 0) {
                const batch = this.take();
                this.running = batch.length;
                try {
                    const results = await this.runBatch(batch.map((p) => p.req));
                    batch.forEach((p, i) => p.resolve(results[i] as RowResult[]));
                } catch (err) {
                    for (const p of batch) p.reject(err);
                } finally {
                    this.running = 0;
                }
                await yieldToLoop();
            }
        } finally {
            this.looping = false;
        }
    }

    private take(): Pending[] {
        const first = this.queue.shift() as Pending;
        const batch = [first];
        let rows = first.req.rows.length;
        for (let i = 0; i < this.queue.length && batch.length < this.o.maxBatchRequests; ) {
            const p = this.queue[i] as Pending;
            if (p.key === first.key && rows + p.req.rows.length <= this.o.maxBatchRows) {
                batch.push(p);
                rows += p.req.rows.length;
                this.queue.splice(i, 1);
            } else i++;
        }
        return batch;
    }

    private async runBatch(reqs: GenRequest[]): Promise<RowResult[][]> {
        const owner: number[] = [], local: number[] = [], prompts: number[][] = [], stacks: StackEntry[][] = [];
        reqs.forEach((req, q) => req.rows.forEach((p, j) => {
            owner.push(q);
            local.push(j);
            prompts.push(p);
            stacks.push(req.stack);
        }));
        const first = reqs[0] as GenRequest;
        const b = prompts.length;
        const maxNew = Math.max(...reqs.map((r) => r.maxTokens));
        const eos = new Set(this.o.eosTokenIds);
        const streams = prompts.map((_, r) => new TextStream(this.o.decode, (reqs[owner[r] as number] as GenRequest).stop));
        const logprobs: StepToken[][] = prompts.map(() => []);
        const finish: (FinishReason | null)[] = new Array(b).fill(null);
        const cancelled = new Array<boolean>(b).fill(false);
        this.stats.batches++;
        this.stats.requests += reqs.length;
        this.stats.rows += b;
        this.stats.maxRowsInBatch = Math.max(this.stats.maxRowsInBatch, b);
        this.stats.maxStacksInBatch = Math.max(this.stats.maxStacksInBatch, new Set(reqs.map((r) => r.stack.map((e) => `${e.adapter.name}:${e.scale}`).join("+"))).size);

        const anyAdapter = stacks.some((s) => s.length > 0);
        const rowAdapters = anyAdapter ? new RowAdapters(stacks, this.model.device) : null;
        const decoder = new BatchDecoder(this.model, prompts, {
            maxNewTokens: maxNew,
            temperature: first.temperature,
            topP: first.topP,
            padTokenId: this.o.padTokenId,
            logprobs: Math.max(...reqs.map((r) => r.logprobs)),
        });
        const end = (r: number, reason: FinishReason): void => {
            finish[r] = reason;
            decoder.done[r] = true;
            const req = reqs[owner[r] as number] as GenRequest;
            if (!cancelled[r]) {
                const rest = streams[r]!.flush();
                if (rest) req.onDelta?.(local[r] as number, rest, { token: -1 });
                req.onFinish?.(local[r] as number, reason);
            }
        };
        const withAdapters = <T>(fn: () => T): T => {
            const saved = this.model.adapters;
            this.model.adapters = rowAdapters ? [rowAdapters] : [];
            try {
                return fn();
            } finally {
                this.model.adapters = saved;
            }
        };
        try {
            if (first.seed !== undefined) manualSeed(first.seed);
            let next = withAdapters(() => decoder.prefill());
            for (;;) {
                let alive = 0;
                next.forEach((st, r) => {
                    if (decoder.done[r]) return;
                    const req = reqs[owner[r] as number] as GenRequest;
                    if (req.signal?.aborted) {
                        cancelled[r] = true;
                        this.stats.cancelledRows++;
                        end(r, "stop");
                        return;
                    }
                    if (!req.ignoreEos && eos.has(st.token)) return end(r, "stop");
                    this.stats.tokens++;
                    const s = streams[r] as TextStream;
                    const text = s.push(st.token);
                    if (req.logprobs > 0) logprobs[r]!.push(st);
                    if (text || req.logprobs > 0) req.onDelta?.(local[r] as number, text, st);
                    if (s.stopped) return end(r, "stop");
                    if (s.tokens.length >= req.maxTokens) return end(r, "length");
                    alive++;
                });
                if (alive === 0) break;
                if (!decoder.canStep) {
                    next.forEach((_, r) => decoder.done[r] || end(r, "length"));
                    break;
                }
                await yieldToLoop();
                // Rows of clients that left while we yielded stop taking compute now.
                next.forEach((_, r) => {
                    if (!decoder.done[r] && reqs[owner[r] as number]!.signal?.aborted) {
                        cancelled[r] = true;
                        this.stats.cancelledRows++;
                        end(r, "stop");
                    }
                });
                if (decoder.done.every(Boolean)) break;
                const last = next.map((s) => s.token);
                next = withAdapters(() => decoder.step(last));
            }
        } finally {
            decoder.dispose();
            rowAdapters?.dispose();
        }
        const out: RowResult[][] = reqs.map(() => []);
        prompts.forEach((_, r) => {
            const s = streams[r] as TextStream;
            out[owner[r] as number]!.push({ text: s.fullText, tokens: s.tokens, finishReason: finish[r] ?? "length", logprobs: logprobs[r] as StepToken[] });
        });
        return out;
    }
}
