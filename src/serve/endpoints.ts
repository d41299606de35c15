/**
 * The generation endpoints (/v1/chat/completions, /v1/completions): validate, resolve the adapter stack inside
 * the roots (pinned in the LRU while the request lives), queue the rows, answer as JSON or as an SSE stream in
 * OpenAI's shapes (ids, choices, finish_reason, usage, logprobs).
 */
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { LoraAdapter } from "../lora/adapter.ts";
import type { StepToken } from "./decoder.ts";
import { ApiError } from "./errors.ts";
import { parseStack, stackId } from "./modelSpec.ts";
import { asBody, chatMessages, completionPrompts, resolveMaxTokens, samplingParams } from "./requests.ts";
import type { RowResult } from "./scheduler.ts";
import type { ServeContext } from "./context.ts";
import { SseWriter } from "./sse.ts";

type Kind = "chat" | "completion";

export async function handleGeneration(ctx: ServeContext, kind: Kind, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const body = asBody(req.body);
    if (ctx.scheduler.full) {
        ctx.scheduler.stats.rejected++;
        throw new ApiError(429, `too many requests in flight (limit ${ctx.options.maxQueued}); retry later`, "rate_limit_exceeded");
    }
    const spec = parseStack(body["model"], body["adapters"], ctx.baseId);
    const p = samplingParams(body, ctx.limits, kind);
    const tok = ctx.tokenizer;
    const prompts = kind === "chat"
        ? [tok.encodeChat(chatMessages(body), { addGenerationPrompt: true, enableThinking: false })]
        : completionPrompts(body, (s) => tok.encode(s), ctx.model.config.vocabSize);
    const maxTokens = resolveMaxTokens(prompts.map((x) => x.length), p.maxTokens, ctx.limits, ctx.model.config.maxPositionEmbeddings);
    const rows = prompts.flatMap((x) => Array.from({ length: p.n }, () => x));
    if (rows.length > ctx.options.maxBatchRows) throw new ApiError(400, `prompts × n = ${rows.length} rows; at most ${ctx.options.maxBatchRows} per request`, "invalid_value", "n");

    const pinned: LoraAdapter[] = [];
    try {
        const stack = spec.adapters.map((a) => {
            const dir = ctx.roots.resolve(a.name);
            const adapter = ctx.cache.acquire(dir, a.name);
            pinned.push(adapter);
            return { adapter, scale: a.scale };
        });
        const model = stackId(spec);
        const id = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID().replaceAll("-", "")}`;
        const created = Math.floor(Date.now() / 1000);
        const abort = new AbortController();
        reply.raw.on("close", () => {
            if (!reply.raw.writableFinished) abort.abort();
        });
        const usage = (results: RowResult[]) => {
            const promptTokens = prompts.reduce((s, x) => s + x.length, 0);
            const completion = results.reduce((s, r) => s + r.tokens.length, 0);
            return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
        };
        const gen = {
            rows, stack, temperature: p.temperature, topP: p.topP, seed: p.seed, maxTokens, stop: p.stop,
            logprobs: p.logprobs ? Math.max(1, p.topLogprobs) : 0, ignoreEos: p.ignoreEos, signal: abort.signal,
        };
        const tokenText = (t: number) => tok.decode([t]);

        if (!p.stream) {
            const results = await ctx.scheduler.submit(gen);
            const choices = results.map((r, i) => kind === "chat"
                ? { index: i, message: { role: "assistant", content: r.text, refusal: null }, logprobs: p.logprobs ? { content: chatLogprobs(r.logprobs, p.topLogprobs, tokenText) } : null, finish_reason: r.finishReason }
                : { index: i, text: r.text, logprobs: p.logprobs ? completionLogprobs(r.logprobs, p.topLogprobs, tokenText) : null, finish_reason: r.finishReason });
            await reply.send({ id, object: kind === "chat" ? "chat.completion" : "text_completion", created, model, choices, usage: usage(results), system_fingerprint: null });
            return;
        }

        reply.hijack();
        const sse = new SseWriter(reply.raw);
        const object = kind === "chat" ? "chat.completion.chunk" : "text_completion";
        const chunk = (choice: Record<string, unknown>) => sse.send({ id, object, created, model, system_fingerprint: null, choices: [choice] });
        sse.start();
        if (kind === "chat") for (let i = 0; i < rows.length; i++) chunk({ index: i, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null });
        try {
            const results = await ctx.scheduler.submit({
                ...gen,
                onDelta: (row: number, text: string, st: StepToken) => {
                    const lp = p.logprobs && st.token >= 0 ? [st] : null;
                    if (kind === "chat") chunk({ index: row, delta: { content: text }, logprobs: lp ? { content: chatLogprobs(lp, p.topLogprobs, tokenText) } : null, finish_reason: null });
                    else chunk({ index: row, text, logprobs: lp ? completionLogprobs(lp, p.topLogprobs, tokenText) : null, finish_reason: null });
                },
                onFinish: (row: number, reason: string) => {
                    if (kind === "chat") chunk({ index: row, delta: {}, logprobs: null, finish_reason: reason });
                    else chunk({ index: row, text: "", logprobs: null, finish_reason: reason });
                },
            });
            if (p.includeUsage) sse.send({ id, object, created, model, system_fingerprint: null, choices: [], usage: usage(results) });
        } catch (err) {
            const e = err instanceof ApiError ? err : new ApiError(500, "internal error during generation", "internal_error");
            if (!(err instanceof ApiError)) req.log.error(err);
            sse.send(e.body());
        }
        sse.end();
    } finally {
        for (const a of pinned) ctx.cache.release(a);
    }
}

function chatLogprobs(steps: StepToken[], top: number, text: (t: number) => string) {
    const entry = (token: number, logprob: number) => {
        const s = text(token);
        return { token: s, logprob, bytes: [...Buffer.from(s, "utf8")] };
    };
    return steps.map((st) => ({ ...entry(st.token, st.logprob ?? 0), top_logprobs: (st.top ?? []).slice(0, top).map((t) => entry(t.token, t.logprob)) }));
}

function completionLogprobs(steps: StepToken[], top: number, text: (t: number) => string) {
    let offset = 0;
    const text_offset: number[] = [];
    const tokens = steps.map((st) => {
        const s = text(st.token);
        text_offset.push(offset);
        offset += s.length;
        return s;
    });
    return {
        tokens,
        token_logprobs: steps.map((st) => st.logprob ?? 0),
        top_logprobs: top > 0 ? steps.map((st) => Object.fromEntries((st.top ?? []).slice(0, top).map((t) => [text(t.token), t.logprob]))) : null,
        text_offset,
    };
}
