/**
 * The decoder-only transformer of Qwen3 and Llama, as in Hugging Face transformers:
 *   embed -> N x [x + attn(rmsnorm(x)), x + mlp(rmsnorm(x))] -> rmsnorm -> lm_head
 * attention: q/k/v projections, (Qwen3) per-head RMSNorm of q and k, RoPE, grouped-query attention with a
 * causal + padding mask, o projection; mlp: down(silu(gate(x)) * up(x)).
 * Every projection goes through `project`, where the active LoRA adapters add their updates.
 * Weights live in `params` under their Hugging Face names (see weights.ts).
 */
import { fromBytes, scaledDotProductAttention } from "../engine/factory.ts";
import { buildInfo } from "../engine/runtime.ts";
import { tidy } from "../engine/scope.ts";
import type { DType, Tensor } from "../engine/tensor.ts";
import type { ActiveAdapter } from "../lora/types.ts";
import type { ModelConfig } from "./config.ts";
import type { KvCache } from "./kvCache.ts";
import { applyRotary, RopeTables } from "./rope.ts";

export interface ForwardInput {
    /** Token ids [B, T] (int64). */
    ids: Tensor;
    /** 1 for real tokens, 0 for padding, [B, S] over cache + new tokens. Omit when there is no padding. */
    attentionMask?: Tensor | null;
    /** Positions [B, T] (int64). Default: pastLength + arange(T) for every row. */
    positions?: Tensor | null;
    /** Appends this call's keys/values and attends over everything cached so far (generation). */
    cache?: KvCache | null;
    /** Only compute logits for the last position of each row (generation). Default false. */
    lastOnly?: boolean;
    /**
     * Hands `out` the residual stream [B, T, hidden] right after layer `layer` (0-based), for activation probes.
     * The tensor is freed when the next layer finishes: `out` must read or copy what it needs before returning.
     */
    captureHidden?: { layer: number; out: (x: Tensor) => void };
}

interface LayerWeights {
    inputNorm: Tensor;
    postNorm: Tensor;
    q: Tensor; k: Tensor; v: Tensor; o: Tensor;
    qBias: Tensor | null; kBias: Tensor | null; vBias: Tensor | null; oBias: Tensor | null;
    qNorm: Tensor | null; kNorm: Tensor | null;
    gate: Tensor; up: Tensor; down: Tensor;
    prefix: string;
}

export class Transformer {
    /** Adapters applied in every forward, in order. */
    adapters: ActiveAdapter[] = [];
    /** Training mode enables adapter dropout. */
    training = false;
    private readonly layers: LayerWeights[];
    private readonly rope: RopeTables;
    private readonly useSdpa: boolean;
    /** Single-row projections through mv (CPU float32/float64; see linear()). */
    private readonly mvRows: boolean;

    constructor(
        readonly config: ModelConfig,
        readonly params: Map<string, Tensor>,
        readonly device: string,
        readonly dtype: DType,
    ) {
        const get = (name: string): Tensor => {
            const t = params.get(name);
            if (!t) throw new Error(`model weights: missing tensor ${name}`);
            return t;
        };
        const opt = (name: string): Tensor | null => params.get(name) ?? null;
        this.layers = [];
        for (let i = 0; i < config.numLayers; i++) {
            const p = `model.layers.${i}`;
            this.layers.push({
                prefix: p,
                inputNorm: get(`${p}.input_layernorm.weight`),
                postNorm: get(`${p}.post_attention_layernorm.weight`),
                q: get(`${p}.self_attn.q_proj.weight`), k: get(`${p}.self_attn.k_proj.weight`),
                v: get(`${p}.self_attn.v_proj.weight`), o: get(`${p}.self_attn.o_proj.weight`),
                qBias: opt(`${p}.self_attn.q_proj.bias`), kBias: opt(`${p}.self_attn.k_proj.bias`),
                vBias: opt(`${p}.self_attn.v_proj.bias`), oBias: opt(`${p}.self_attn.o_proj.bias`),
                qNorm: config.qkNorm ? get(`${p}.self_attn.q_norm.weight`) : null,
                kNorm: config.qkNorm ? get(`${p}.self_attn.k_norm.weight`) : null,
                gate: get(`${p}.mlp.gate_proj.weight`), up: get(`${p}.mlp.up_proj.weight`), down: get(`${p}.mlp.down_proj.weight`),
            });
        }
        this.rope = new RopeTables(config, device);
        // The fused kernel needs libtorch >= 2; on CPU the composed version is as fast for our sizes.
        this.useSdpa = buildInfo().hasSdpa && device.startsWith("cuda");
        this.mvRows = device === "cpu" && (dtype === "float32" || dtype === "float64");
    }

    get embedTokens(): Tensor {
        return this.params.get("model.embed_tokens.weight") as Tensor;
    }
    get lmHead(): Tensor {
        return this.config.tieWordEmbeddings ? this.embedTokens : (this.params.get("lm_head.weight") as Tensor);
    }

    /** Logits [B, T, V] (or [B, 1, V] with lastOnly), in the model dtype. Call inside tidy(). */
    forward(input: ForwardInput): Tensor {
        const { ids, cache } = input;
        const [b, t] = ids.shape as [number, number];
        const past = cache ? cache.length : 0;
        const positions = input.positions ?? defaultPositions(b, t, past, this.device);
        const maxPos = input.positions ? maxOf(input.positions) : past + t - 1;
        const { cos, sin } = this.rope.forPositions(positions, maxPos, this.dtype);
        const mask = buildMask(b, t, past, input.attentionMask ?? null, this.device, this.dtype);

        let x = this.embedTokens.indexSelect(0, ids.reshape([b * t])).reshape([b, t, this.config.hiddenSize]);
        for (let i = 0; i < this.layers.length; i++) {
            const L = this.layers[i] as LayerWeights;
            const residual = x;
            // One scope per layer drops the layer's intermediate handles as soon as it is done (autograd keeps
            // what it saved), as Python's refcounting does; holding them to the end of the step cost ~1 GB more
            // peak memory, growing ~0.1-0.5 GB per step, and ~15% speed (fresh pages) on Qwen3-0.6B B1xT256 LoRA.
            x = tidy(() => {
                const h = this.rmsNorm(residual, L.inputNorm);
                const mid = residual.add(this.attention(h, L, i, cos, sin, mask, cache ?? null));
                const h2 = this.rmsNorm(mid, L.postNorm);
                return mid.add(this.mlp(h2, L));
            });
            residual.dispose();
            if (input.captureHidden?.layer === i) input.captureHidden.out(x);
        }
        if (cache) cache.advance(t);
        if (input.lastOnly) x = x.narrow(1, t - 1, 1);
        x = this.rmsNorm(x, this.params.get("model.norm.weight") as Tensor);
        return this.linear(x, this.lmHead, null);
    }

    /**
     * x @ weight^T (+ bias). One row against a large weight (batch-1 decoding) goes through mv: OpenBLAS's gemv
     * streams the weight 3-4x faster than a one-row gemm (2 threads: 8192x384 1065 -> 333 us, 3072x1024
     * 1081 -> 262 us, Qwen3-0.6B's lm_head 39 -> 13 ms). Small weights stay on linear, where gemv's thread
     * wake-up costs more than it saves (128x128: 11 vs 23 us).
     */
    private linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
        if (this.mvRows && weight.numel >= MV_MIN_WEIGHT && x.numel === weight.size(1)) {
            const shape = x.shape.slice(0, -1);
            shape.push(weight.size(0));
            const y = weight.mv(x.reshape([x.numel]));
            return (bias ? y.add(bias) : y).reshape(shape);
        }
        return x.linear(weight, bias);
    }

    private project(x: Tensor, weight: Tensor, bias: Tensor | null, path: string): Tensor {
        let y = this.linear(x, weight, bias);
        for (const a of this.adapters) {
            const d = a.delta(path, x, this.training);
            if (d) y = y.add(d);
        }
        return y;
    }

    /** RMSNorm computed in float32 (as HF does for half-precision models), then scaled by the weight. */
    private rmsNorm(x: Tensor, weight: Tensor): Tensor {
        const half = isHalf(this.dtype);
        const x32 = half ? x.to("float32") : x;
        const normed = x32.mul(x32.mul(x32).mean(-1, true).add(this.config.rmsNormEps).rsqrt());
        return weight.mul(half ? normed.to(this.dtype) : normed);
    }

    private attention(x: Tensor, L: LayerWeights, layer: number, cos: Tensor, sin: Tensor, mask: Tensor | null, cache: KvCache | null): Tensor {
        const c = this.config;
        const [b, t] = x.shape as [number, number];
        const p = L.prefix + ".self_attn";
        let q = this.project(x, L.q, L.qBias, `${p}.q_proj`).view([b, t, c.numHeads, c.headDim]);
        let k = this.project(x, L.k, L.kBias, `${p}.k_proj`).view([b, t, c.numKvHeads, c.headDim]);
        let v = this.project(x, L.v, L.vBias, `${p}.v_proj`).view([b, t, c.numKvHeads, c.headDim]);
        if (L.qNorm && L.kNorm) {
            q = this.rmsNorm(q, L.qNorm);
            k = this.rmsNorm(k, L.kNorm);
        }
        q = applyRotary(q.transpose(1, 2), cos, sin); // [B, H, T, D]
        k = applyRotary(k.transpose(1, 2), cos, sin); // [B, KV, T, D]
        v = v.transpose(1, 2);
        if (cache) [k, v] = cache.update(layer, k, v); // [B, KV, S, D]
        const s = k.size(2);
        const groups = c.numHeads / c.numKvHeads;
        let out: Tensor;
        if (this.useSdpa) {
            const kk = groups > 1 ? k.repeatInterleave(groups, 1) : k;
            const vv = groups > 1 ? v.repeatInterleave(groups, 1) : v;
            out = scaledDotProductAttention(q, kk, vv, mask, false);
        } else {
            // Grouped-query attention without copying k/v: fold the group into the query length.
            const qg = q.reshape([b, c.numKvHeads, groups * t, c.headDim]);
            let scores = qg.matmul(k.transpose(2, 3)).mul(1 / Math.sqrt(c.headDim)).view([b, c.numKvHeads, groups, t, s]);
            if (mask) scores = scores.add(mask.unsqueeze(1));
            const probs = isHalf(this.dtype) ? scores.to("float32").softmax(-1).to(this.dtype) : scores.softmax(-1);
            out = probs.view([b, c.numKvHeads, groups * t, s]).matmul(v).view([b, c.numHeads, t, c.headDim]);
        }
        const merged = out.transpose(1, 2).reshape([b, t, c.numHeads * c.headDim]);
        return this.project(merged, L.o, L.oBias, `${p}.o_proj`);
    }

    private mlp(x: Tensor, L: LayerWeights): Tensor {
        const p = L.prefix + ".mlp";
        const gate = this.project(x, L.gate, null, `${p}.gate_proj`);
        const up = this.project(x, L.up, null, `${p}.up_proj`);
        return this.project(gate.silu().mul(up), L.down, null, `${p}.down_proj`);
    }

    dispose(): void {
        for (const t of this.params.values()) t.dispose();
        this.params.clear();
        this.rope.dispose();
    }
}

/** Weights with at least this many elements take the mv path for a single row (measured crossover ~1e5). */
const MV_MIN_WEIGHT = 1 << 17;

/** bfloat16/float16 compute norms and softmax in float32 (as HF does); float32/float64 stay as they are. */
export function isHalf(dtype: DType): boolean {
    return dtype === "bfloat16" || dtype === "float16";
}

function defaultPositions(b: number, t: number, past: number, device: string): Tensor {
    const data = new BigInt64Array(b * t);
    for (let r = 0; r < b; r++) for (let i = 0; i < t; i++) data[r * t + i] = BigInt(past + i);
    return fromBytes(data, [b, t], "int64", device);
}

function maxOf(positions: Tensor): number {
    return positions.amax().item();
}

/**
 * Additive mask [B, 1, T, S] (0 = attend, large negative = blocked): causal over the cache + new tokens, and
 * padding keys blocked. Returns null when nothing is masked (single new token, no padding). The blocked value
 * is finite, so a fully padded query row gets a uniform (ignored) distribution instead of NaN.
 */
function buildMask(b: number, t: number, past: number, attention: Tensor | null, device: string, dtype: DType): Tensor | null {
    const s = past + t;
    if (attention === null && t === 1) return null;
    const neg = dtype === "float16" ? -1e4 : -1e30;
    const causal = new Float32Array(t * s);
    for (let i = 0; i < t; i++) for (let j = 0; j < s; j++) causal[i * s + j] = j <= past + i ? 0 : neg;
    let mask = fromBytes(causal, [1, 1, t, s], "float32", device);
    if (attention !== null) {
        if (attention.size(1) !== s) throw new Error(`attentionMask covers ${attention.size(1)} positions, expected ${s} (cache ${past} + new ${t})`);
        mask = mask.maskedFill(attention.eq(0).unsqueeze(1).unsqueeze(1), neg); // [B,1,T,S]
    } else {
        mask = mask.expand([b, 1, t, s]);
    }
    return dtype === "float32" ? mask : mask.to(dtype);
}
