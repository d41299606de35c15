/**
 * Loads the libtorch addon (build/native/ia_native.node) and types its exports.
 * Handles are opaque; use the Tensor class (tensor.ts), never these functions directly outside src/engine.
 */
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type Handle = { readonly __tensorHandle: unique symbol };
export type DType = "float32" | "float64" | "bfloat16" | "float16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";
type H = Handle;
type HS = H | number;

export interface NativeAddon {
    from_buffer(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: DType, device?: string): H;
    to_buffer(t: H): ArrayBuffer;
    item(t: H): number | boolean;
    shape(t: H): number[];
    dtype(t: H): DType;
    device(t: H): string;
    dispose(t: H): void;
    is_disposed(t: H): boolean;
    live_tensors(): number;
    zeros(shape: number[], dtype?: DType, device?: string): H;
    ones(shape: number[], dtype?: DType, device?: string): H;
    empty(shape: number[], dtype?: DType, device?: string): H;
    full(shape: number[], value: number | boolean, dtype?: DType, device?: string): H;
    arange(start: number, end: number, step: number, dtype?: DType, device?: string): H;
    randn(shape: number[], dtype?: DType, device?: string): H;
    rand(shape: number[], dtype?: DType, device?: string): H;
    manual_seed(seed: number): void;
    set_num_threads(n: number): void;
    get_num_threads(): number;
    cuda_is_available(): boolean;
    cuda_device_count(): number;
    cuda_synchronize(): void;
    build_info(): { torchVersion: string; hasSdpa: boolean; parallelInfo: string };

    neg(a: H): H; exp(a: H): H; log(a: H): H; sqrt(a: H): H; rsqrt(a: H): H; abs(a: H): H; tanh(a: H): H;
    sigmoid(a: H): H; log_sigmoid(a: H): H; silu(a: H): H; relu(a: H): H; gelu(a: H): H; cos(a: H): H; sin(a: H): H;
    reciprocal(a: H): H; logical_not(a: H): H; contiguous(a: H): H; clone(a: H): H; detach(a: H): H;
    flatten(a: H): H; isfinite(a: H): H;
    add(a: HS, b: HS): H; sub(a: HS, b: HS): H; mul(a: HS, b: HS): H; div(a: HS, b: HS): H; pow(a: HS, b: HS): H;
    eq(a: HS, b: HS): H; ne(a: HS, b: HS): H; lt(a: HS, b: HS): H; le(a: HS, b: HS): H; gt(a: HS, b: HS): H;
    ge(a: HS, b: HS): H; remainder(a: HS, b: HS): H;
    maximum(a: H, b: H): H; minimum(a: H, b: H): H; logical_and(a: H, b: H): H; logical_or(a: H, b: H): H;
    clamp(a: H, lo: number | null, hi: number | null): H;
    where(cond: H, a: HS, b: HS): H;
    masked_fill(a: H, mask: H, value: number): H;
    matmul(a: H, b: H): H; bmm(a: H, b: H): H; mv(a: H, b: H): H;
    linear(x: H, w: H, b: H | null): H;
    embedding(w: H, idx: H): H;
    sum(a: H, dims: number | number[] | null, keepdim: boolean): H;
    mean(a: H, dims: number | number[] | null, keepdim: boolean): H;
    amax(a: H, dims: number | number[] | null, keepdim: boolean): H;
    argmax(a: H, dim: number, keepdim: boolean): H;
    logsumexp(a: H, dim: number, keepdim: boolean): H;
    cumsum(a: H, dim: number): H;
    softmax(a: H, dim: number): H;
    log_softmax(a: H, dim: number): H;
    norm(a: H): H;
    reshape(a: H, shape: number[]): H; view(a: H, shape: number[]): H;
    transpose(a: H, d0: number, d1: number): H; permute(a: H, dims: number[]): H;
    unsqueeze(a: H, d: number): H; squeeze(a: H, d: number): H; expand(a: H, shape: number[]): H;
    narrow(a: H, dim: number, start: number, length: number): H; select(a: H, dim: number, index: number): H;
    cat(list: H[], dim: number): H; stack(list: H[], dim: number): H;
    index_select(a: H, dim: number, idx: H): H; gather(a: H, dim: number, idx: H): H;
    tril(a: H, diagonal: number): H; triu(a: H, diagonal: number): H;
    repeat_interleave(a: H, repeats: number, dim: number): H;
    to(a: H, dtype: DType | null, device: string | null): H;
    cross_entropy(logits: H, target: H, ignoreIndex: number, reduction: "mean" | "sum" | "none"): H;
    dropout(a: H, p: number, train: boolean): H;
    scaled_dot_product_attention(q: H, k: H, v: H, mask: H | null, isCausal: boolean, scale: number | null): H;
    multinomial(probs: H, n: number, replacement: boolean): H;
    topk(a: H, k: number, dim: number): [H, H];
    sort(a: H, dim: number, descending: boolean): [H, H];
    copy_(dst: H, src: H): void; zero_(a: H): void; add_(a: H, b: H, alpha?: number): void; mul_(a: H, b: HS): void;

    requires_grad_(a: H, flag: boolean): void;
    requires_grad(a: H): boolean;
    backward(a: H, grad?: H): void;
    grad(a: H): H | null;
    zero_grad(params: H[]): void;
    set_grad_enabled(flag: boolean): void;
    is_grad_enabled(): boolean;
    clip_grad_norm_(params: H[], maxNorm: number): number;
    adamw_step_(params: H[], expAvg: H[], expAvgSq: H[], step: number, lr: number, beta1: number, beta2: number,
        eps: number, weightDecay: number): void;
}

function loadAddon(): NativeAddon {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const file = path.resolve(here, "../../build/native/ia_native.node");
    if (!fs.existsSync(file)) {
        throw new Error(`native addon not built: ${file} is missing. Run \`make setup\` (or \`bash native/build.sh\`).`);
    }
    return createRequire(import.meta.url)(file) as NativeAddon;
}

export const native: NativeAddon = loadAddon();
