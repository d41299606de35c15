/**
 * Tensor creation (PyTorch names). Dtype defaults to float32 and device to cpu, as in PyTorch.
 */
import { native, type DType } from "./native.ts";
import { Tensor } from "./tensor.ts";

export interface TensorOptions {
    /** Element type. Default "float32" (arange: "int64"). */
    dtype?: DType;
    /** "cpu", "cuda", "cuda:1"... Default "cpu". */
    device?: string;
}

export function zeros(shape: number[], o: TensorOptions = {}): Tensor {
    return new Tensor(native.zeros(shape, o.dtype ?? "float32", o.device));
}
export function ones(shape: number[], o: TensorOptions = {}): Tensor {
    return new Tensor(native.ones(shape, o.dtype ?? "float32", o.device));
}
export function empty(shape: number[], o: TensorOptions = {}): Tensor {
    return new Tensor(native.empty(shape, o.dtype ?? "float32", o.device));
}
export function full(shape: number[], value: number | boolean, o: TensorOptions = {}): Tensor {
    return new Tensor(native.full(shape, value, o.dtype ?? "float32", o.device));
}
export function arange(start: number, end: number, step = 1, o: TensorOptions = {}): Tensor {
    return new Tensor(native.arange(start, end, step, o.dtype ?? "int64", o.device));
}
export function randn(shape: number[], o: TensorOptions = {}): Tensor {
    return new Tensor(native.randn(shape, o.dtype ?? "float32", o.device));
}
export function rand(shape: number[], o: TensorOptions = {}): Tensor {
    return new Tensor(native.rand(shape, o.dtype ?? "float32", o.device));
}

/** A tensor from JS numbers; shape defaults to 1-d. Integer dtypes round-trip exactly up to 2^53. */
export function tensor(values: ArrayLike<number>, shape?: number[], o: TensorOptions = {}): Tensor {
    const dtype = o.dtype ?? "float32";
    const dims = shape ?? [values.length];
    let data: ArrayBufferView;
    switch (dtype) {
        case "float32": data = Float32Array.from(values); break;
        case "float64": data = Float64Array.from(values); break;
        case "int64": data = BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v)))); break;
        case "int32": data = Int32Array.from(values); break;
        case "uint8": case "bool": data = Uint8Array.from(values); break;
        default: {
            const f = fromBytes(Float32Array.from(values), dims, "float32", o.device);
            const out = f.to(dtype);
            f.dispose();
            return out;
        }
    }
    return fromBytes(data, dims, dtype, o.device);
}

/** A tensor copied from raw little-endian bytes of the given dtype (e.g. a safetensors entry). */
export function fromBytes(data: ArrayBufferView | ArrayBuffer, shape: number[], dtype: DType, device?: string): Tensor {
    return new Tensor(native.from_buffer(data, shape, dtype, device));
}

export function cat(tensors: Tensor[], dim = 0): Tensor {
    return new Tensor(native.cat(tensors.map((t) => t.handle), dim));
}
export function stack(tensors: Tensor[], dim = 0): Tensor {
    return new Tensor(native.stack(tensors.map((t) => t.handle), dim));
}
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
    return new Tensor(native.where(cond.handle, typeof a === "number" ? a : a.handle, typeof b === "number" ? b : b.handle));
}
export function embedding(weight: Tensor, ids: Tensor): Tensor {
    return new Tensor(native.embedding(weight.handle, ids.handle));
}
export function multinomial(probs: Tensor, n: number, replacement = false): Tensor {
    return new Tensor(native.multinomial(probs.handle, n, replacement));
}
export function crossEntropy(logits: Tensor, target: Tensor, o: { ignoreIndex?: number; reduction?: "mean" | "sum" | "none" } = {}): Tensor {
    return new Tensor(native.cross_entropy(logits.handle, target.handle, o.ignoreIndex ?? -100, o.reduction ?? "mean"));
}
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, isCausal: boolean, scale: number | null = null): Tensor {
    return new Tensor(native.scaled_dot_product_attention(q.handle, k.handle, v.handle, mask ? mask.handle : null, isCausal, scale));
}
