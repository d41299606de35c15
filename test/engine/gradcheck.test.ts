// Numeric gradient checks (central differences on float64 tensors vs autograd) of every op the model and the
// training loss use, composites as the model writes them (RMSNorm, rotate_half RoPE, masked softmax attention),
// and a whole tiny Transformer's gradient w.r.t. LoRA A/B entries. A self-test shows the checker can fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cat, crossEntropy, embedding, fromBytes, tensor } from "../../src/engine/factory.ts";
import { initEngine, liveTensors, manualSeed } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import type { Tensor } from "../../src/engine/tensor.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { applyRotary } from "../../src/model/rope.ts";
import { initModel } from "../../src/model/weights.ts";
import { gradcheck, randnF64 } from "../helpers/gradcheck.ts";
import { tinyQwen3Config } from "../helpers/engineUtil.ts";

initEngine(2);

/** Runs a gradcheck and asserts it neither throws nor leaks tensors. */
function check(name: string, f: (xs: Tensor[]) => Tensor, inputs: Tensor[], o: Parameters<typeof gradcheck>[3] = {}): void {
    const before = liveTensors();
    gradcheck(name, f, inputs, o);
    for (const x of inputs) x.dispose();
    assert.equal(liveTensors(), before - inputs.length, `${name}: tensors leaked`);
}

const i64 = (v: number[], shape: number[]): Tensor => tensor(v, shape, { dtype: "int64" });

test("the checker itself fails on a wrong gradient", () => {
    // d/dx (x * x) = 2x, but detaching one factor makes autograd report x.
    const x = randnF64([3, 2], 11);
    assert.throws(() => gradcheck("detached square", ([a]) => a!.detach().mul(a!), [x]), /gradcheck\(detached square\): input 0 element \d+: autograd/);
    // A gradient that is zero everywhere is reported as vacuous rather than passing.
    assert.throws(() => gradcheck("constant", ([a]) => a!.mul(0), [x]), /vacuous/);
    x.dispose();
});

test("matmul: 2-d, batched, and broadcast batch", () => {
    check("matmul 2d", ([a, b]) => a!.matmul(b!), [randnF64([3, 4], 1), randnF64([4, 5], 2)]);
    check("matmul batched", ([a, b]) => a!.matmul(b!), [randnF64([2, 3, 4], 3), randnF64([2, 4, 2], 4)]);
    check("matmul broadcast", ([a, b]) => a!.matmul(b!), [randnF64([2, 3, 4], 5), randnF64([4, 2], 6)]);
    check("matmul 4d (attention scores)", ([q, k]) => q!.matmul(k!.transpose(2, 3)), [randnF64([1, 2, 3, 4], 7), randnF64([1, 2, 5, 4], 8)]);
});

test("linear with and without bias, 3-d input", () => {
    check("linear", ([x, w, b]) => x!.linear(w!, b!), [randnF64([2, 3, 4], 9), randnF64([5, 4], 10), randnF64([5], 11)]);
    check("linear no bias", ([x, w]) => x!.linear(w!), [randnF64([2, 3, 4], 12), randnF64([5, 4], 13)]);
});

test("add / sub / mul / div with broadcasting and scalars", () => {
    const pair = (s1: number) => [randnF64([3, 1, 4], s1), randnF64([2, 1], s1 + 1)];
    check("add broadcast", ([a, b]) => a!.add(b!), pair(20));
    check("sub broadcast", ([a, b]) => a!.sub(b!), pair(22));
    check("mul broadcast", ([a, b]) => a!.mul(b!), pair(24));
    // Denominator kept away from 0 so central differences stay accurate.
    check("div broadcast", ([a, b]) => a!.div(b!), [randnF64([3, 1, 4], 26), randnF64([2, 1], 27, 0.3, 2)]);
    check("scalar ops", ([a]) => a!.mul(3).add(1).div(2).sub(0.5), [randnF64([2, 3], 28)]);
    check("pow", ([a]) => a!.pow(3), [randnF64([2, 3], 29)]);
});

test("RMSNorm composite (mul, mean keepdim, add eps, rsqrt, weight)", () => {
    const rms = (x: Tensor, w: Tensor) => x.mul(x.mul(x).mean(-1, true).add(1e-6).rsqrt()).mul(w);
    check("rmsnorm", ([x, w]) => rms(x!, w!), [randnF64([2, 3, 6], 30), randnF64([6], 31, 0.2, 1)]);
    check("rsqrt", ([x]) => x!.rsqrt(), [randnF64([5], 32, 0.2, 1.5)]);
    check("mean over dims", ([x]) => x!.mean([0, 2], false), [randnF64([2, 3, 4], 33)]);
    check("sum keepdim", ([x]) => x!.sum(1, true), [randnF64([2, 3, 4], 34)]);
});

test("elementwise activations: silu, sigmoid, logSigmoid, exp, log, tanh, neg", () => {
    check("silu", ([x]) => x!.silu(), [randnF64([3, 5], 40, 2)]);
    check("sigmoid", ([x]) => x!.sigmoid(), [randnF64([3, 5], 41, 2)]);
    check("logSigmoid", ([x]) => x!.logSigmoid(), [randnF64([3, 5], 46, 4)]);
    check("exp", ([x]) => x!.exp(), [randnF64([4], 42)]);
    check("log", ([x]) => x!.log(), [randnF64([4], 43, 0.2, 2)]);
    check("tanh", ([x]) => x!.tanh(), [randnF64([4], 44)]);
    check("neg", ([x]) => x!.neg(), [randnF64([4], 45)]);
});

test("softmax and logSoftmax over the last and a middle dim", () => {
    check("softmax -1", ([x]) => x!.softmax(-1), [randnF64([2, 3, 5], 50, 2)]);
    check("softmax 1", ([x]) => x!.softmax(1), [randnF64([2, 3, 5], 51, 2)]);
    check("logSoftmax -1", ([x]) => x!.logSoftmax(-1), [randnF64([2, 3, 5], 52, 2)]);
    check("logsumexp", ([x]) => x!.logsumexp(-1, true), [randnF64([2, 5], 53, 2)]);
});

test("cross_entropy with ignore_index, mean / sum / none", () => {
    const target = i64([2, -100, 0, 4, -100, 1], [6]);
    for (const reduction of ["mean", "sum", "none"] as const) {
        check(`cross_entropy ${reduction}`, ([l]) => crossEntropy(l!, target, { ignoreIndex: -100, reduction }), [randnF64([6, 5], 60, 2)]);
    }
    // Ignored rows get exactly zero gradient; the mean divides by the 4 counted rows only.
    const logits = randnF64([6, 5], 61, 2).requiresGrad_(true);
    tidy(() => {
        const loss = crossEntropy(logits, target, { ignoreIndex: -100, reduction: "mean" });
        const sum = crossEntropy(logits, target, { ignoreIndex: -100, reduction: "sum" });
        assert.ok(Math.abs(loss.item() - sum.item() / 4) < 1e-12, "mean must divide by non-ignored targets");
        loss.backward();
        const g = logits.grad!;
        const rows = g.toFloat64Array();
        for (const r of [1, 4]) for (let c = 0; c < 5; c++) assert.equal(rows[r * 5 + c], 0, `ignored row ${r} has a gradient`);
        g.dispose();
    });
    logits.dispose();
    target.dispose();
});

test("gather, indexSelect and embedding (repeated indices accumulate)", () => {
    const idx = i64([0, 2, 2, 1, 0, 0], [2, 3]);
    check("gather dim 1", ([x]) => x!.gather(1, idx), [randnF64([2, 4], 70)]);
    const rows = i64([3, 0, 3, 1], [4]);
    check("indexSelect dim 0", ([w]) => w!.indexSelect(0, rows), [randnF64([5, 3], 71)]);
    check("indexSelect dim 1", ([w]) => w!.indexSelect(1, i64([1, 1, 0], [3])), [randnF64([2, 3], 72)]);
    const ids = i64([3, 0, 3, 1, 4, 3], [2, 3]);
    check("embedding", ([w]) => embedding(w!, ids), [randnF64([5, 3], 73)]);
    for (const t of [idx, rows, ids]) t.dispose();
});

test("narrow / cat / neg: rotate_half RoPE as the model applies it", () => {
    const cos = randnF64([1, 1, 3, 8], 80), sin = randnF64([1, 1, 3, 8], 81);
    check("applyRotary", ([x]) => applyRotary(x!, cos, sin), [randnF64([2, 2, 3, 8], 82)]);
    check("narrow", ([x]) => x!.narrow(-1, 1, 2), [randnF64([2, 5], 83)]);
    check("cat dim 0 / -1", ([a, b]) => cat([cat([a!, b!], 0), cat([b!, a!], 0)], -1), [randnF64([2, 3], 84), randnF64([1, 3], 85)]);
    cos.dispose();
    sin.dispose();
});

test("transpose / reshape / view / permute / unsqueeze / squeeze / expand", () => {
    check("transpose+reshape", ([x]) => x!.transpose(1, 2).reshape([2, 12]), [randnF64([2, 3, 4], 90)]);
    check("view", ([x]) => x!.view([4, 6]), [randnF64([2, 3, 4], 91)]);
    check("permute", ([x]) => x!.permute([2, 0, 1]).contiguous(), [randnF64([2, 3, 4], 92)]);
    check("unsqueeze/squeeze", ([x]) => x!.unsqueeze(1).squeeze(1).unsqueeze(0), [randnF64([2, 3], 93)]);
    // expand shares the gradient of the broadcast rows: it must sum back.
    check("expand", ([x]) => x!.expand([4, 3]), [randnF64([1, 3], 94)]);
});

test("maskedFill and the additive causal mask before softmax", () => {
    const mask = fromBytes(Uint8Array.from([0, 1, 0, 0, 1, 1]), [2, 3], "bool");
    check("maskedFill", ([x]) => x!.maskedFill(mask, -5), [randnF64([2, 3], 100)]);
    // Masked entries get no gradient at all.
    tidy(() => {
        const x = randnF64([2, 3], 101).requiresGrad_(true);
        x.maskedFill(mask, 0).mul(randnF64([2, 3], 102)).sum().backward();
        const g = x.grad!.toFloat64Array();
        [1, 4, 5].forEach((i) => assert.equal(g[i], 0));
        [0, 2, 3].forEach((i) => assert.notEqual(g[i], 0));
    });
    const causal = fromBytes(Float64Array.from([0, -1e30, -1e30, 0, 0, -1e30, 0, 0, 0]), [3, 3], "float64");
    check("masked attention probs", ([s]) => s!.add(causal).softmax(-1), [randnF64([2, 3, 3], 103)]);
    mask.dispose();
    causal.dispose();
});

test("dropout with p = 0 in training mode is the identity (values and gradient)", () => {
    check("dropout p=0", ([x]) => x!.dropout(0, true), [randnF64([3, 4], 110)]);
    tidy(() => {
        const x = randnF64([3, 4], 111);
        assert.deepEqual(x.dropout(0, true).toNumbers(), x.toNumbers());
        // Eval mode with p > 0 is also the identity.
        assert.deepEqual(x.dropout(0.5, false).toNumbers(), x.toNumbers());
    });
});

test("attention block as the model composes it (GQA fold, scale, mask, softmax, matmul with v)", () => {
    const mask = fromBytes(Float64Array.from([0, -1e30, -1e30, 0, 0, -1e30, 0, 0, 0]), [1, 1, 1, 3, 3], "float64");
    check("gqa attention", ([q, k, v]) => {
        const qg = q!.reshape([1, 1, 2 * 3, 4]);
        const scores = qg.matmul(k!.transpose(2, 3)).mul(0.5).view([1, 1, 2, 3, 3]).add(mask);
        return scores.softmax(-1).view([1, 1, 6, 3]).matmul(v!).view([1, 2, 3, 4]);
    }, [randnF64([1, 2, 3, 4], 120), randnF64([1, 1, 3, 4], 121), randnF64([1, 1, 3, 4], 122)]);
    mask.dispose();
});

// The whole float64 model: gradient of the logits w.r.t. every entry of one LoRA pair, against central
// differences. The model computes RMSNorm and attention softmax in float32 even when it is float64 (see the
// todo test below), so central differences are only good to ~2e-4 relative here: eps 1e-3, tolerances sized
// to that (still far below what a wrong scaling, a missing path or a transposed factor would produce).
function loraGradcheck(eps: number, atol: number, rtol: number): void {
    manualSeed(7);
    const cfg = tinyQwen3Config();
    const model = initModel(cfg, { dtype: "float64", std: 0.2 });
    const adapter = LoraAdapter.create("t", cfg, { r: 2, alpha: 4, dropout: 0 }, { dtype: "float64" });
    model.adapters.push(adapter);
    const ids = i64([1, 5, 9, 2, 7, 3, 11, 4], [2, 4]);
    try {
        for (const [mod, seed] of [["model.layers.0.self_attn.q_proj", 3], ["model.layers.1.mlp.down_proj", 4]] as const) {
            const pair = adapter.weights.get(mod)!;
            // B is zero at init; a random B makes A's gradient nonzero too.
            const B = randnF64(pair.B.shape, seed, 0.3);
            const r = gradcheck(`transformer LoRA ${mod}`, ([A, Bx]) => {
                adapter.weights.set(mod, { A: A!, B: Bx! });
                try {
                    return model.forward({ ids });
                } finally {
                    adapter.weights.set(mod, pair);
                }
            }, [pair.A.clone(), B], { eps, atol, rtol, maxPerInput: 24 });
            assert.ok(r.maxAbsGrad > 0.1, `${mod}: gradients too small to be informative (${r.maxAbsGrad})`);
            B.dispose();
        }
    } finally {
        ids.dispose();
        adapter.dispose();
        model.dispose();
    }
}

test("whole tiny Transformer (float64): d logits / d LoRA A,B matches central differences", () => {
    loraGradcheck(1e-3, 2e-2, 2e-3);
});

test("whole tiny Transformer (float64) gradcheck at float64 precision", {
}, () => {
    loraGradcheck(1e-6, 1e-7, 1e-5);
});
