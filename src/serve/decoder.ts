/**
 * Step-wise batched decoding for the server: the same algorithm as src/sample/generate.ts (left-padded
 * prompts, positions following the attention mask, one prefill then one forward per token, a KV cache, the
 * same token picker), cut into steps so the scheduler can yield to the event loop between tokens (streaming,
 * disconnects, new requests) and end rows early (stop strings, per-row max_tokens, cancelled clients).
 */
import { tensor } from "../engine/factory.ts";
import { noGrad } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import { KvCache } from "../model/kvCache.ts";
import type { Transformer } from "../model/transformer.ts";
import { maskTensor, pickNext } from "../sample/generate.ts";

export interface StepToken {
    token: number;
    /** log p(token) under the model (before temperature), when logprobs were asked for. */
    logprob?: number;
    /** The `topLogprobs` most likely tokens with their log-probs. */
    top?: { token: number; logprob: number }[];
}

export interface DecoderOptions {
    maxNewTokens: number;
    temperature: number;
    topP: number;
    padTokenId: number;
    /** 0: no log-probs; otherwise the chosen token's log-prob plus this many - 1 alternatives (at least the chosen). */
    logprobs: number;
}

export class BatchDecoder {
    private readonly cache: KvCache;
    private readonly mask: number[][] = [];
    private readonly nextPos: number[] = [];
    private readonly anyPadding: boolean;
    private readonly b: number;
    readonly done: boolean[];
    private steps = 0;

    constructor(private readonly model: Transformer, private readonly prompts: readonly number[][], private readonly o: DecoderOptions) {
        this.b = prompts.length;
        if (this.b === 0 || prompts.some((p) => p.length === 0)) throw new Error("BatchDecoder: empty batch or prompt");
        const len = Math.max(...prompts.map((p) => p.length));
        this.anyPadding = prompts.some((p) => p.length !== len);
        this.done = new Array<boolean>(this.b).fill(false);
        this.cache = new KvCache(model.config, this.b, len + o.maxNewTokens, model.device, model.dtype);
    }

    /** The first token of every row (runs the prompt forward). */
    prefill(): StepToken[] {
        const { prompts, b } = this;
        const len = Math.max(...prompts.map((p) => p.length));
        const pad = this.o.padTokenId;
        const ids = new Array<number>(b * len).fill(pad);
        prompts.forEach((p, r) => {
            const offset = len - p.length;
            for (let i = 0; i < p.length; i++) ids[r * len + offset + i] = p[i] as number;
            this.mask.push([...new Array<number>(offset).fill(0), ...new Array<number>(p.length).fill(1)]);
            this.nextPos.push(p.length);
        });
        const positions = prompts.flatMap((p) => Array.from({ length: len }, (_, i) => Math.max(0, i - (len - p.length))));
        const dev = this.model.device;
        return this.forward(() => this.model.forward({
            ids: tensor(ids, [b, len], { dtype: "int64", device: dev }),
            attentionMask: this.anyPadding ? maskTensor(this.mask, dev) : null,
            positions: this.anyPadding ? tensor(positions, [b, len], { dtype: "int64", device: dev }) : null,
            cache: this.cache,
            lastOnly: true,
        }));
    }

    /** Feeds each live row its last token (done rows get padding) and returns the next token of every row. */
    step(last: readonly number[]): StepToken[] {
        if (++this.steps >= this.o.maxNewTokens) throw new Error("BatchDecoder: past maxNewTokens");
        const dev = this.model.device;
        for (const m of this.mask) m.push(1);
        const stepIds = last.map((t, r) => (this.done[r] ? this.o.padTokenId : t));
        const stepPos = [...this.nextPos];
        for (let r = 0; r < this.b; r++) this.nextPos[r] = (this.nextPos[r] as number) + 1;
        return this.forward(() => this.model.forward({
            ids: tensor(stepIds, [this.b, 1], { dtype: "int64", device: dev }),
            attentionMask: this.anyPadding ? maskTensor(this.mask, dev) : null,
            positions: tensor(stepPos, [this.b, 1], { dtype: "int64", device: dev }),
            cache: this.cache,
        }));
    }

    /** Whether another step fits (maxNewTokens tokens per row at most). */
    get canStep(): boolean {
        return this.steps + 1 < this.o.maxNewTokens;
    }

    private forward(run: () => Tensor): StepToken[] {
        return noGrad(() => tidy(() => {
            const logits = run();
            const tokens = pickNext(logits, this.o.temperature, this.o.topP);
            const out: StepToken[] = tokens.map((token) => ({ token }));
            if (this.o.logprobs > 0) {
                const lsm = logits.squeeze(1).to("float32").logSoftmax(-1);
                const chosen = lsm.gather(-1, tensor(tokens, [this.b, 1], { dtype: "int64", device: this.model.device })).squeeze(1).toNumbers();
                const k = Math.min(this.o.logprobs, lsm.size(-1));
                const [vals, idx] = lsm.topk(k, -1);
                const v = vals.toNumbers(), ix = idx.toNumbers();
                out.forEach((s, r) => {
                    s.logprob = chosen[r] as number;
                    s.top = Array.from({ length: k }, (_, j) => ({ token: ix[r * k + j] as number, logprob: v[r * k + j] as number }));
                });
            }
            return out;
        }));
    }

    dispose(): void {
        this.cache.dispose();
    }
}
