/**
 * The Tensor: a handle on one libtorch tensor with PyTorch-named methods. Every method returns a new Tensor
 * (registered in the current tidy() scope) except the ones ending in `_`, which work in place.
 * Disposal is explicit (dispose(), tidy(), keep()); see scope.ts for why.
 */
import { native, type DType, type Handle } from "./native.ts";
import { track, type Disposable } from "./scope.ts";

export type { DType } from "./native.ts";
type Operand = Tensor | number;

const h = (x: Operand): Handle | number => (typeof x === "number" ? x : x.handle);

export class Tensor implements Disposable {
    private _handle: Handle | null;
    private _shape: number[] | null = null;

    /** @internal Wraps a native handle; use the factory functions (factory.ts) instead. */
    constructor(handle: Handle) {
        this._handle = handle;
        track(this);
    }

    get handle(): Handle {
        if (this._handle === null) throw new Error("use of a disposed tensor");
        return this._handle;
    }

    get isDisposed(): boolean {
        return this._handle === null;
    }

    dispose(): void {
        if (this._handle !== null) {
            native.dispose(this._handle);
            this._handle = null;
        }
    }

    get shape(): number[] {
        return (this._shape ??= native.shape(this.handle));
    }
    get ndim(): number {
        return this.shape.length;
    }
    get numel(): number {
        return this.shape.reduce((a, b) => a * b, 1);
    }
    size(dim: number): number {
        const s = this.shape;
        const d = dim < 0 ? s.length + dim : dim;
        const v = s[d];
        if (v === undefined) throw new Error(`size(${dim}) of a ${s.length}-d tensor`);
        return v;
    }
    get dtype(): DType {
        return native.dtype(this.handle);
    }
    get device(): string {
        return native.device(this.handle);
    }

    // ---- data out ----
    item(): number {
        return Number(native.item(this.handle));
    }
    /** A copy of the data as a typed array matching the dtype (bf16/f16 are converted to float32). */
    toFloat32Array(): Float32Array {
        const t = this.dtype === "float32" ? this : this.to("float32");
        const out = new Float32Array(native.to_buffer(t.handle));
        if (t !== this) t.dispose();
        return out;
    }
    toFloat64Array(): Float64Array {
        const t = this.dtype === "float64" ? this : this.to("float64");
        const out = new Float64Array(native.to_buffer(t.handle));
        if (t !== this) t.dispose();
        return out;
    }
    toInt64Array(): BigInt64Array {
        const t = this.dtype === "int64" ? this : this.to("int64");
        const out = new BigInt64Array(native.to_buffer(t.handle));
        if (t !== this) t.dispose();
        return out;
    }
    toNumbers(): number[] {
        if (this.dtype === "int64" || this.dtype === "int32" || this.dtype === "bool" || this.dtype === "uint8") {
            return Array.from(this.toInt64Array(), Number);
        }
        return Array.from(this.toFloat64Array());
    }
    /** Raw little-endian bytes in the tensor's own dtype (for safetensors). */
    toBytes(): Uint8Array {
        return new Uint8Array(native.to_buffer(this.handle));
    }

    // ---- elementwise ----
    add(o: Operand): Tensor { return new Tensor(native.add(this.handle, h(o))); }
    sub(o: Operand): Tensor { return new Tensor(native.sub(this.handle, h(o))); }
    mul(o: Operand): Tensor { return new Tensor(native.mul(this.handle, h(o))); }
    div(o: Operand): Tensor { return new Tensor(native.div(this.handle, h(o))); }
    pow(o: Operand): Tensor { return new Tensor(native.pow(this.handle, h(o))); }
    rsub(o: number): Tensor { return new Tensor(native.sub(o, this.handle)); }
    eq(o: Operand): Tensor { return new Tensor(native.eq(this.handle, h(o))); }
    ne(o: Operand): Tensor { return new Tensor(native.ne(this.handle, h(o))); }
    lt(o: Operand): Tensor { return new Tensor(native.lt(this.handle, h(o))); }
    le(o: Operand): Tensor { return new Tensor(native.le(this.handle, h(o))); }
    gt(o: Operand): Tensor { return new Tensor(native.gt(this.handle, h(o))); }
    ge(o: Operand): Tensor { return new Tensor(native.ge(this.handle, h(o))); }
    remainder(o: Operand): Tensor { return new Tensor(native.remainder(this.handle, h(o))); }
    maximum(o: Tensor): Tensor { return new Tensor(native.maximum(this.handle, o.handle)); }
    minimum(o: Tensor): Tensor { return new Tensor(native.minimum(this.handle, o.handle)); }
    logicalAnd(o: Tensor): Tensor { return new Tensor(native.logical_and(this.handle, o.handle)); }
    logicalOr(o: Tensor): Tensor { return new Tensor(native.logical_or(this.handle, o.handle)); }
    logicalNot(): Tensor { return new Tensor(native.logical_not(this.handle)); }
    clamp(lo: number | null, hi: number | null): Tensor { return new Tensor(native.clamp(this.handle, lo, hi)); }
    maskedFill(mask: Tensor, value: number): Tensor { return new Tensor(native.masked_fill(this.handle, mask.handle, value)); }
    neg(): Tensor { return new Tensor(native.neg(this.handle)); }
    exp(): Tensor { return new Tensor(native.exp(this.handle)); }
    log(): Tensor { return new Tensor(native.log(this.handle)); }
    sqrt(): Tensor { return new Tensor(native.sqrt(this.handle)); }
    rsqrt(): Tensor { return new Tensor(native.rsqrt(this.handle)); }
    abs(): Tensor { return new Tensor(native.abs(this.handle)); }
    tanh(): Tensor { return new Tensor(native.tanh(this.handle)); }
    sigmoid(): Tensor { return new Tensor(native.sigmoid(this.handle)); }
    /** log(sigmoid(x)), stable for large |x|, with the exact gradient sigmoid(-x) everywhere (also at 0). */
    logSigmoid(): Tensor { return new Tensor(native.log_sigmoid(this.handle)); }
    silu(): Tensor { return new Tensor(native.silu(this.handle)); }
    relu(): Tensor { return new Tensor(native.relu(this.handle)); }
    gelu(): Tensor { return new Tensor(native.gelu(this.handle)); }
    cos(): Tensor { return new Tensor(native.cos(this.handle)); }
    sin(): Tensor { return new Tensor(native.sin(this.handle)); }
    reciprocal(): Tensor { return new Tensor(native.reciprocal(this.handle)); }
    isfinite(): Tensor { return new Tensor(native.isfinite(this.handle)); }

    // ---- linear algebra / nn ----
    matmul(o: Tensor): Tensor { return new Tensor(native.matmul(this.handle, o.handle)); }
    bmm(o: Tensor): Tensor { return new Tensor(native.bmm(this.handle, o.handle)); }
    mv(o: Tensor): Tensor { return new Tensor(native.mv(this.handle, o.handle)); }
    /** x @ weight^T (+ bias), weight as stored by nn.Linear: [out, in]. */
    linear(weight: Tensor, bias?: Tensor | null): Tensor {
        return new Tensor(native.linear(this.handle, weight.handle, bias ? bias.handle : null));
    }
    softmax(dim: number): Tensor { return new Tensor(native.softmax(this.handle, dim)); }
    logSoftmax(dim: number): Tensor { return new Tensor(native.log_softmax(this.handle, dim)); }
    dropout(p: number, train: boolean): Tensor { return new Tensor(native.dropout(this.handle, p, train)); }

    // ---- reductions ----
    sum(dims: number | number[] | null = null, keepdim = false): Tensor { return new Tensor(native.sum(this.handle, dims, keepdim)); }
    mean(dims: number | number[] | null = null, keepdim = false): Tensor { return new Tensor(native.mean(this.handle, dims, keepdim)); }
    amax(dims: number | number[] | null = null, keepdim = false): Tensor { return new Tensor(native.amax(this.handle, dims, keepdim)); }
    argmax(dim: number, keepdim = false): Tensor { return new Tensor(native.argmax(this.handle, dim, keepdim)); }
    logsumexp(dim: number, keepdim = false): Tensor { return new Tensor(native.logsumexp(this.handle, dim, keepdim)); }
    cumsum(dim: number): Tensor { return new Tensor(native.cumsum(this.handle, dim)); }
    norm(): Tensor { return new Tensor(native.norm(this.handle)); }

    // ---- shape ----
    reshape(shape: number[]): Tensor { return new Tensor(native.reshape(this.handle, shape)); }
    view(shape: number[]): Tensor { return new Tensor(native.view(this.handle, shape)); }
    transpose(d0: number, d1: number): Tensor { return new Tensor(native.transpose(this.handle, d0, d1)); }
    permute(dims: number[]): Tensor { return new Tensor(native.permute(this.handle, dims)); }
    unsqueeze(d: number): Tensor { return new Tensor(native.unsqueeze(this.handle, d)); }
    squeeze(d: number): Tensor { return new Tensor(native.squeeze(this.handle, d)); }
    expand(shape: number[]): Tensor { return new Tensor(native.expand(this.handle, shape)); }
    narrow(dim: number, start: number, length: number): Tensor { return new Tensor(native.narrow(this.handle, dim, start, length)); }
    select(dim: number, index: number): Tensor { return new Tensor(native.select(this.handle, dim, index)); }
    indexSelect(dim: number, idx: Tensor): Tensor { return new Tensor(native.index_select(this.handle, dim, idx.handle)); }
    gather(dim: number, idx: Tensor): Tensor { return new Tensor(native.gather(this.handle, dim, idx.handle)); }
    tril(diagonal = 0): Tensor { return new Tensor(native.tril(this.handle, diagonal)); }
    triu(diagonal = 0): Tensor { return new Tensor(native.triu(this.handle, diagonal)); }
    repeatInterleave(repeats: number, dim: number): Tensor { return new Tensor(native.repeat_interleave(this.handle, repeats, dim)); }
    contiguous(): Tensor { return new Tensor(native.contiguous(this.handle)); }
    flatten(): Tensor { return new Tensor(native.flatten(this.handle)); }
    clone(): Tensor { return new Tensor(native.clone(this.handle)); }
    detach(): Tensor { return new Tensor(native.detach(this.handle)); }
    to(dtype: DType | null, device: string | null = null): Tensor { return new Tensor(native.to(this.handle, dtype, device)); }
    topk(k: number, dim: number): [Tensor, Tensor] {
        const [v, i] = native.topk(this.handle, k, dim);
        return [new Tensor(v), new Tensor(i)];
    }
    sort(dim: number, descending = false): [Tensor, Tensor] {
        const [v, i] = native.sort(this.handle, dim, descending);
        return [new Tensor(v), new Tensor(i)];
    }

    // ---- in place ----
    copy_(src: Tensor): this { native.copy_(this.handle, src.handle); return this; }
    zero_(): this { native.zero_(this.handle); return this; }
    add_(o: Tensor, alpha = 1): this { native.add_(this.handle, o.handle, alpha); return this; }
    mul_(o: Operand): this { native.mul_(this.handle, h(o)); return this; }

    // ---- autograd ----
    requiresGrad_(flag = true): this { native.requires_grad_(this.handle, flag); return this; }
    get requiresGrad(): boolean { return native.requires_grad(this.handle); }
    backward(grad?: Tensor): void { native.backward(this.handle, grad?.handle); }
    /** The accumulated gradient as a new handle (dispose it), or null. */
    get grad(): Tensor | null {
        const g = native.grad(this.handle);
        return g === null ? null : new Tensor(g);
    }

    toString(): string {
        return `Tensor(${this.dtype}, [${this.shape.join(", ")}], ${this.device})`;
    }
}
