// Values of engine ops against hand-computed results: softmax, topk / sort, multinomial under manualSeed,
// byte round trips per dtype (incl. bfloat16 / float16 bit patterns), and misuse (shape mismatches, bad
// buffers, bad dtypes) surfacing as JS Errors with libtorch's message instead of crashing the process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { arange, cat, crossEntropy, fromBytes, full, multinomial, ones, rand, randn, tensor, zeros } from "../../src/engine/factory.ts";
import type { DType } from "../../src/engine/native.ts";
import { initEngine, liveTensors, manualSeed } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import { maxAbsDiff } from "../helpers/engineUtil.ts";

initEngine(2);

const close = (got: number[], want: number[], tol: number, what: string): void => {
    assert.equal(got.length, want.length, `${what}: length`);
    assert.ok(maxAbsDiff(got, want) <= tol, `${what}: got [${got}] want [${want}]`);
};

test("softmax / logSoftmax / logsumexp match hand-computed values", () => {
    tidy(() => {
        const x = tensor([1, 2, 3, 0, 0, Math.log(3)], [2, 3], { dtype: "float64" });
        const e = [Math.E, Math.E ** 2, Math.E ** 3];
        const z = e[0]! + e[1]! + e[2]!;
        const want = [e[0]! / z, e[1]! / z, e[2]! / z, 0.2, 0.2, 0.6];
        close(x.softmax(-1).toNumbers(), want, 1e-15, "softmax rows");
        close(x.logSoftmax(-1).toNumbers(), want.map(Math.log), 1e-14, "logSoftmax");
        close(x.logsumexp(-1).toNumbers(), [Math.log(z), Math.log(5)], 1e-14, "logsumexp");
        // Softmax over dim 0 (columns), and invariance to a huge shift (no overflow).
        close(x.softmax(0).toNumbers().slice(0, 1), [Math.E / (Math.E + 1)], 1e-15, "softmax dim 0");
        const big = tensor([1000, 1001, 1002], [3]);
        close(big.softmax(-1).toNumbers(), want.slice(0, 3), 1e-6, "softmax of large logits");
        // A fully -1e30 row (finite mask value, as buildMask uses) is uniform, not NaN.
        close(tensor([-1e30, -1e30, -1e30, -1e30], [4]).softmax(-1).toNumbers(), [0.25, 0.25, 0.25, 0.25], 1e-7, "fully masked row");
    });
});

test("cross_entropy values with ignore_index (mean over counted targets)", () => {
    tidy(() => {
        const logits = tensor([0, 0, 0, 0, Math.log(3), 0, 5, 5, 5], [3, 3], { dtype: "float64" });
        const target = tensor([1, 0, -100], [3], { dtype: "int64" });
        const none = crossEntropy(logits, target, { reduction: "none" }).toNumbers();
        // row 0: uniform over 3 -> log 3; row 1: softmax([0, log 3, 0])[0] = 1/5 -> log 5; row 2 ignored -> 0.
        close(none, [Math.log(3), Math.log(5), 0], 1e-14, "per-row nll");
        close([crossEntropy(logits, target).item()], [(Math.log(3) + Math.log(5)) / 2], 1e-14, "mean");
        close([crossEntropy(logits, target, { reduction: "sum" }).item()], [Math.log(15)], 1e-14, "sum");
    });
});

test("topk and sort: values, indices, descending/ascending, stability on distinct values", () => {
    tidy(() => {
        const x = tensor([3, 1, 4, 1.5, 9, 2, 6, 5], [2, 4]);
        const [v, i] = x.topk(2, -1);
        assert.deepEqual(v.toNumbers(), [4, 3, 9, 6]);
        assert.deepEqual(i.toNumbers(), [2, 0, 0, 2]);
        assert.equal(i.dtype, "int64");
        const [sv, si] = x.sort(-1, true);
        assert.deepEqual(sv.toNumbers(), [4, 3, 1.5, 1, 9, 6, 5, 2]);
        assert.deepEqual(si.toNumbers(), [2, 0, 3, 1, 0, 2, 3, 1]);
        const [av, ai] = x.sort(0, false);
        assert.deepEqual(av.toNumbers(), [3, 1, 4, 1.5, 9, 2, 6, 5]);
        assert.deepEqual(ai.toNumbers(), [0, 0, 0, 0, 1, 1, 1, 1]);
        // gather with sort's indices reproduces the sorted values (how top-p maps back to token ids).
        assert.deepEqual(x.gather(-1, si).toNumbers(), sv.toNumbers());
        assert.deepEqual(x.argmax(-1).toNumbers(), [2, 0]);
        assert.deepEqual(x.cumsum(-1).toNumbers(), [3, 4, 8, 9.5, 9, 11, 17, 22]);
    });
});

test("multinomial: reproducible under manualSeed, respects zero-probability entries, frequencies match", () => {
    tidy(() => {
        const probs = tensor([0.1, 0, 0.6, 0.3, 0.5, 0.5, 0, 0], [2, 4]);
        manualSeed(123);
        const a = multinomial(probs, 50, true).toNumbers();
        manualSeed(123);
        const b = multinomial(probs, 50, true).toNumbers();
        assert.deepEqual(a, b, "same seed, same draws");
        manualSeed(124);
        const c = multinomial(probs, 50, true).toNumbers();
        assert.notDeepEqual(a, c, "another seed gives other draws");
        for (let k = 0; k < 50; k++) {
            assert.notEqual(a[k], 1, "row 0 drew a zero-probability token");
            assert.ok(a[50 + k] === 0 || a[50 + k] === 1, "row 1 drew a zero-probability token");
        }
        // Unnormalised weights are fine (top-p relies on this); empirical frequency of 0.6/1.0 over 4000 draws.
        manualSeed(5);
        const many = multinomial(tensor([2, 0, 6, 2], [4]), 4000, true).toNumbers();
        const freq2 = many.filter((t) => t === 2).length / 4000;
        assert.ok(Math.abs(freq2 - 0.6) < 0.04, `frequency of token 2: ${freq2}`);
        // Without replacement: distinct draws.
        manualSeed(9);
        const distinct = multinomial(tensor([1, 1, 1, 1, 1], [5]), 5, false).toNumbers();
        assert.deepEqual([...distinct].sort(), [0, 1, 2, 3, 4]);
    });
});

test("randn / rand / dropout are reproducible under manualSeed", () => {
    tidy(() => {
        manualSeed(42);
        const a = [...randn([16]).toNumbers(), ...rand([16]).toNumbers(), ...ones([16]).dropout(0.5, true).toNumbers()];
        manualSeed(42);
        const b = [...randn([16]).toNumbers(), ...rand([16]).toNumbers(), ...ones([16]).dropout(0.5, true).toNumbers()];
        assert.deepEqual(a, b);
        // Dropout keeps entries scaled by 1/(1-p) and zeroes the rest.
        for (const v of a.slice(32)) assert.ok(v === 0 || v === 2, `dropout value ${v}`);
    });
});

test("fromBytes / toBytes round trip for every dtype, and typed-array views", () => {
    const cases: [DType, ArrayBufferView][] = [
        ["float32", Float32Array.from([1.5, -2.25, 3e-38, Infinity])],
        ["float64", Float64Array.from([Math.PI, -1e-300, 1e300, 0])],
        ["int64", BigInt64Array.from([-(2n ** 62n), 0n, 2n ** 53n + 1n, -1n])],
        ["int32", Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0, 7])],
        ["int16", Int16Array.from([-32768, 32767, 0, -1])],
        ["int8", Int8Array.from([-128, 127, 0, -1])],
        ["uint8", Uint8Array.from([0, 255, 128, 1])],
        ["bool", Uint8Array.from([1, 0, 0, 1])],
        // bfloat16: 1.0, -2.0, +inf, 0x3E80 = 0.25
        ["bfloat16", Uint16Array.from([0x3f80, 0xc000, 0x7f80, 0x3e80])],
        // float16: 1.0, 65504 (max), -0.5, 2^-24 (smallest subnormal)
        ["float16", Uint16Array.from([0x3c00, 0x7bff, 0xb800, 0x0001])],
    ];
    for (const [dtype, data] of cases) {
        tidy(() => {
            const t = fromBytes(data, [2, 2], dtype);
            assert.equal(t.dtype, dtype);
            assert.deepEqual(t.shape, [2, 2]);
            const bytes = t.toBytes();
            assert.deepEqual(Buffer.from(bytes), Buffer.from(data.buffer, data.byteOffset, data.byteLength), `${dtype} bytes`);
            // Non-contiguous (transposed) tensors come out in row-major order of the view.
            const tt = t.transpose(0, 1).toBytes();
            const item = bytes.byteLength / 4;
            const swapped = Buffer.concat([0, 2, 1, 3].map((k) => Buffer.from(bytes.subarray(k * item, (k + 1) * item))));
            assert.deepEqual(Buffer.from(tt), swapped, `${dtype} transposed bytes`);
        });
    }
    tidy(() => {
        assert.deepEqual(Array.from(fromBytes(Uint16Array.from([0x3f80, 0xc000, 0x7f80, 0x3e80]), [4], "bfloat16").toFloat32Array()), [1, -2, Infinity, 0.25]);
        assert.deepEqual(Array.from(fromBytes(Uint16Array.from([0x3c00, 0x7bff, 0xb800, 0x0001]), [4], "float16").toFloat32Array()), [1, 65504, -0.5, 2 ** -24]);
        // float32 -> bfloat16 rounds to nearest even: 1 + 2^-8 is a tie (rounds down to 1), 1 + 3*2^-8 rounds up.
        const bf = tensor([1 + 2 ** -8, 1 + 3 * 2 ** -8], [2], { dtype: "bfloat16" });
        assert.deepEqual(Array.from(new Uint16Array(bf.toBytes().slice().buffer)), [0x3f80, 0x3f82]);
        // int64 beyond 2^53 survives through toInt64Array.
        assert.equal(fromBytes(BigInt64Array.from([2n ** 60n + 3n]), [1], "int64").toInt64Array()[0], 2n ** 60n + 3n);
        // A view into a larger buffer (byteOffset != 0) copies only its own bytes.
        const backing = Float32Array.from([9, 1, 2, 9]);
        assert.deepEqual(fromBytes(backing.subarray(1, 3), [2], "float32").toNumbers(), [1, 2]);
        // A plain ArrayBuffer is accepted too; the tensor does not alias JS memory.
        const ab = Float32Array.from([4, 5]);
        const t = fromBytes(ab.buffer, [2], "float32");
        ab[0] = 100;
        assert.deepEqual(t.toNumbers(), [4, 5]);
        assert.deepEqual(fromBytes(new Uint8Array(0), [0, 3], "float32").shape, [0, 3]);
    });
});

test("tensor() per dtype and scalar ops keep PyTorch promotion for tensor-first operands", () => {
    tidy(() => {
        assert.deepEqual(tensor([1, 2, 3], [3], { dtype: "int64" }).add(0.5).toNumbers(), [1.5, 2.5, 3.5]);
        assert.deepEqual(tensor([1.5, -2.5], [2], { dtype: "int16" }).toNumbers(), [1, -2]);
        assert.deepEqual(tensor([0.1], [1], { dtype: "float16" }).toNumbers(), [0.0999755859375]);
        assert.equal(full([2], true, { dtype: "bool" }).dtype, "bool");
        assert.deepEqual(arange(0, 5, 2).toNumbers(), [0, 2, 4]);
        assert.deepEqual(tensor([2, 4], [2]).rsub(10).toNumbers(), [8, 6]);
        assert.equal(tensor([7], [1]).item(), 7);
        assert.equal(zeros([1], { dtype: "bool" }).item(), 0);
    });
});

test("scalar-first binary ops promote like PyTorch (2.5 - int tensor is float)", {
}, () => {
    tidy(() => {
        const r = tensor([1, 2], [2], { dtype: "int64" }).rsub(2.5);
        assert.deepEqual(r.toNumbers(), [1.5, 0.5]);
    });
});

test("int tensor + integral JS number stays int64 (as torch.tensor([1]) + 1)", {
}, () => {
    tidy(() => {
        const r = tensor([1, 2], [2], { dtype: "int64" }).add(1);
        assert.equal(r.dtype, "int64");
    });
});

/** Asserts fn throws a real Error (not a crash) whose message matches. */
function throwsJs(fn: () => unknown, re: RegExp, what: string): void {
    const before = liveTensors();
    let err: unknown;
    try {
        tidy(() => { fn(); });
    } catch (e) {
        err = e;
    }
    assert.ok(err instanceof Error, `${what}: expected a JS Error, got ${String(err)}`);
    assert.match(err.message, re, `${what}: message was ${JSON.stringify(err.message)}`);
    assert.equal(liveTensors(), before, `${what}: tensors leaked`);
}

test("shape mismatches and misuse are JS Errors with a clear message, and the process survives", () => {
    const a = () => tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    throwsJs(() => a().matmul(a()), /libtorch: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/, "matmul [2,3]x[2,3]");
    throwsJs(() => a().add(tensor([1, 2], [2])), /libtorch: .*size of tensor a \(3\) must match the size of tensor b \(2\)/i, "add broadcast");
    throwsJs(() => a().linear(tensor([1, 2], [1, 2])), /libtorch: mat1 and mat2 shapes cannot be multiplied/, "linear in-features mismatch");
    // libtorch 1.13 raises this one as std::runtime_error (ATen/InferSize.h), hence "native:".
    throwsJs(() => a().view([4, 2]), /^(libtorch|native): shape '\[4, 2\]' is invalid for input of size 6/, "view to a wrong size");
    throwsJs(() => a().reshape([4, 2]), /^(libtorch|native): shape '\[4, 2\]' is invalid for input of size 6/, "reshape to a wrong size");
    throwsJs(() => a().expand([3, 3]), /libtorch: .*expanded size/, "expand to an incompatible size");
    throwsJs(() => a().transpose(0, 3), /libtorch: Dimension out of range/, "transpose of a missing dim");
    throwsJs(() => a().gather(1, tensor([9], [1, 1], { dtype: "int64" })), /libtorch: index 9 is out of bounds/, "gather out of range");
    throwsJs(() => a().transpose(0, 1).view([6]), /libtorch: .*view/i, "view of a non-contiguous tensor");
    throwsJs(() => cat([a(), tensor([1, 2], [1, 2])], 0), /libtorch: .*Sizes of tensors must match/i, "cat mismatched");
    throwsJs(() => a().indexSelect(0, tensor([5], [1], { dtype: "int64" })), /libtorch: index out of range/, "indexSelect out of range");
    throwsJs(() => a().narrow(1, 2, 5), /libtorch: start \(2\) \+ length \(5\) exceeds dimension size \(3\)/, "narrow beyond the end");
    throwsJs(() => crossEntropy(a(), tensor([0, 7], [2], { dtype: "int64" })), /libtorch: Target 7 is out of bounds/, "cross_entropy target out of range");
    throwsJs(() => crossEntropy(a(), tensor([0, 1], [2])), /libtorch: expected scalar type Long but found Float/, "cross_entropy with a float target");
    throwsJs(() => fromBytes(new Float32Array(5), [2, 3], "float32"), /from_buffer: 20 bytes for a tensor of 24 bytes/, "fromBytes byte count");
    throwsJs(() => fromBytes(new Float32Array(6), [2, 3], "complex64" as DType), /unknown dtype: complex64/, "unknown dtype");
    throwsJs(() => a().item(), /item: tensor has 6 elements/, "item on many elements");
    throwsJs(() => a().size(5), /size\(5\) of a 2-d tensor/, "size out of range");
    throwsJs(() => multinomial(zeros([3]), 1), /libtorch: invalid multinomial distribution/, "multinomial of all zeros");
    throwsJs(() => a().sum().backward(), /libtorch: element 0 of tensors does not require grad/, "backward without requires_grad");
    const ok = tidy(() => a().sum().item());
    assert.equal(ok, 21, "the engine still works after the errors");
});

test("a disposed tensor throws a clear JS Error on use, dispose is idempotent", () => {
    const t = ones([2]);
    t.dispose();
    t.dispose();
    assert.equal(t.isDisposed, true);
    assert.throws(() => t.add(1), /use of a disposed tensor/);
    assert.throws(() => t.shape, /use of a disposed tensor/);
    const other = ones([2]);
    assert.throws(() => other.add(t), /use of a disposed tensor/);
    assert.throws(() => cat([other, t]), /use of a disposed tensor/);
    other.dispose();
});
