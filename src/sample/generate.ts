/**
 * Batched generation with a KV cache. Prompts are left-padded to a common length (positions follow the
 * attention mask, as HF generate does), so one prefill and one decode step per token serve the whole batch;
 * many samples of one prompt are rows of the same batch. Sampling: temperature (0 = greedy), top-p.
 * Rows stop at an end-of-turn token or maxNewTokens; the loop ends when every row has stopped.
 */
import { fromBytes, multinomial, tensor } from "../engine/factory.ts";
import { manualSeed, noGrad } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import { KvCache } from "../model/kvCache.ts";
import type { Transformer } from "../model/transformer.ts";

export interface SampleOptions {
    /** Tokens to generate at most per row. Default 128. */
    maxNewTokens?: number;
    /** Softmax temperature; 0 means greedy (argmax). Default 1. */
    temperature?: number;
    /** Nucleus sampling: keep the smallest set of tokens whose probability reaches topP. Default 1 (off). */
    topP?: number;
    /** Token ids that end a row (e.g. <|im_end|>, eos). The stop token is not included in the output. Default none. */
    stopTokenIds?: number[];
    /** Seeds libtorch's RNG before sampling, for reproducible samples. Default: leave the RNG as it is. */
    seed?: number;
    /** Padding id for left padding (any valid id; padded positions are masked). Default 0. */
    padTokenId?: number;
    /** Rows per forward pass; larger batches are split. Default 64. */
    maxBatch?: number;
    /** Called before each chunk of rows [start, start+count) is generated (e.g. to point a LoraBank at them). */
    beforeBatch?: (start: number, count: number) => void;
}

export interface Generation {
    tokens: number[];
    finishReason: "stop" | "length";
}

export function generate(model: Transformer, prompts: number[][], o: SampleOptions = {}): Generation[] {
    if (o.seed !== undefined) manualSeed(o.seed);
    const maxBatch = o.maxBatch ?? 64;
    const out: Generation[] = [];
    for (let i = 0; i < prompts.length; i += maxBatch) {
        const chunk = prompts.slice(i, i + maxBatch);
        o.beforeBatch?.(i, chunk.length);
        out.push(...generateBatch(model, chunk, o));
    }
    return out;
}

function generateBatch(model: Transformer, prompts: number[][], o: SampleOptions): Generation[] {
    const maxNew = o.maxNewTokens ?? 128;
    const temperature = o.temperature ?? 1;
    const topP = o.topP ?? 1;
    const stop = new Set(o.stopTokenIds ?? []);
    const pad = o.padTokenId ?? 0;
    const b = prompts.length;
    const len = Math.max(...prompts.map((p) => p.length));
    if (prompts.some((p) => p.length === 0)) throw new Error("generate: empty prompt");
    const capacity = len + maxNew;

    const ids = new Array<number>(b * len).fill(pad);
    const mask: number[][] = [];
    const nextPos: number[] = [];
    prompts.forEach((p, r) => {
        const offset = len - p.length;
        for (let i = 0; i < p.length; i++) ids[r * len + offset + i] = p[i] as number;
        mask.push([...new Array<number>(offset).fill(0), ...new Array<number>(p.length).fill(1)]);
        nextPos.push(p.length);
    });
    const anyPadding = prompts.some((p) => p.length !== len);
    const positions = prompts.flatMap((p) => {
        const offset = len - p.length;
        return Array.from({ length: len }, (_, i) => Math.max(0, i - offset));
    });

    const results: Generation[] = prompts.map(() => ({ tokens: [], finishReason: "length" }));
    const done = new Array<boolean>(b).fill(false);
    const cache = new KvCache(model.config, b, capacity, model.device, model.dtype);
    try {
        noGrad(() => {
            let next = tidy(() => {
                const logits = model.forward({
                    ids: tensor(ids, [b, len], { dtype: "int64", device: model.device }),
                    attentionMask: anyPadding ? maskTensor(mask, model.device) : null,
                    positions: anyPadding ? tensor(positions, [b, len], { dtype: "int64", device: model.device }) : null,
                    cache,
                    lastOnly: true,
                });
                return pickNext(logits, temperature, topP);
            });
            for (let step = 0; step < maxNew; step++) {
                let alive = 0;
                next.forEach((tok, r) => {
                    if (done[r]) return;
                    if (stop.has(tok)) {
                        done[r] = true;
                        (results[r] as Generation).finishReason = "stop";
                        return;
                    }
                    (results[r] as Generation).tokens.push(tok);
                    alive++;
                });
                if (alive === 0 || step === maxNew - 1) break;
                for (const m of mask) m.push(1);
                const stepIds = next.map((t, r) => (done[r] ? pad : t));
                const stepPos = nextPos.map((p) => p);
                for (let r = 0; r < b; r++) nextPos[r] = (nextPos[r] as number) + 1;
                next = tidy(() => {
                    const logits = model.forward({
                        ids: tensor(stepIds, [b, 1], { dtype: "int64", device: model.device }),
                        attentionMask: anyPadding ? maskTensor(mask, model.device) : null,
                        positions: tensor(stepPos, [b, 1], { dtype: "int64", device: model.device }),
                        cache,
                    });
                    return pickNext(logits, temperature, topP);
                });
            }
        });
    } finally {
        cache.dispose();
    }
    return results;
}

export function maskTensor(mask: number[][], device: string): Tensor {
    const b = mask.length, s = (mask[0] as number[]).length;
    const data = new Uint8Array(b * s);
    mask.forEach((row, r) => data.set(row, r * s));
    return fromBytes(data, [b, s], "uint8", device).to("int64");
}

/** Next token per row from logits [B, 1, V]. */
export function pickNext(logits: Tensor, temperature: number, topP: number): number[] {
    const l = logits.squeeze(1).to("float32");
    if (temperature <= 0) return l.argmax(-1).toNumbers();
    const probs = l.div(temperature).softmax(-1);
    if (topP >= 1) return multinomial(probs, 1).squeeze(1).toNumbers();
    // Sample in sorted order: drop tokens once the mass before them reaches topP (the top token always stays).
    const [sorted, order] = probs.sort(-1, true);
    const before = sorted.cumsum(-1).sub(sorted);
    const kept = sorted.maskedFill(before.ge(topP), 0);
    const pick = multinomial(kept, 1); // multinomial renormalizes
    return order.gather(-1, pick).squeeze(1).toNumbers();
}
