// Memory stays flat: LoRA training steps through runTrainLoop (and a hand-written forward/backward/AdamW loop)
// leave the live-tensor count unchanged from step 10 to step 50 and grow RSS by less than 30 MB; tidy()
// disposes intermediates and keeps what it returns; noGrad restores grad mode; disposed tensors fail loudly.
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { ones, tensor, zeros } from "../../src/engine/factory.ts";
import { initEngine, isGradEnabled, liveTensors, manualSeed, noGrad } from "../../src/engine/runtime.ts";
import { disposeAll, keep, tidy } from "../../src/engine/scope.ts";
import type { Tensor } from "../../src/engine/tensor.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { loadModel } from "../../src/model/weights.ts";
import { collate, type Example } from "../../src/train/batch.ts";
import { runTrainLoop } from "../../src/train/loop.ts";
import { summedTokenLoss } from "../../src/train/loss.ts";
import { AdamW } from "../../src/train/optimizer.ts";
import { loraTrainable } from "../../src/train/trainables.ts";
import { Rng } from "../../src/util/rng.ts";
import { ADAPTER_A, QWEN3_TINY, tmpDir } from "../helpers/engineUtil.ts";

initEngine(2);
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const MB = 1024 * 1024;

/** Deterministic examples for step `step`: a few rows of varying length, last half of each row is the target. */
function examplesFor(step: number, vocab: number): Example[] {
    const rng = new Rng(1000 + step);
    return Array.from({ length: 3 }, () => {
        const n = 6 + rng.int(10);
        const ids = Array.from({ length: n }, () => 3 + rng.int(vocab - 3));
        return { ids, targetMask: ids.map((_, i) => (i >= n / 2 ? 1 : 0)) };
    });
}

test("50 LoRA steps through runTrainLoop: live tensors flat from step 10 to 50, RSS growth < 30 MB", () => {
    manualSeed(1);
    const model = loadModel(QWEN3_TINY);
    const frozen = loadAdapter(ADAPTER_A, model.config);
    const adapter = LoraAdapter.create("ia", model.config, { r: 4, alpha: 8, dropout: 0.05 });
    model.adapters.push(frozen, adapter);
    const trainable = loraTrainable(model, adapter);
    // One forward first: it builds the model's RoPE tables (2 kept tensors) that live as long as the model.
    noGrad(() => tidy(() => model.forward({ ids: tensor([1, 2], [1, 2], { dtype: "int64" }) })));
    const startCount = liveTensors();
    const counts: number[] = [];
    let rss10 = 0, rss50 = 0;
    const result = runTrainLoop(model, trainable, (step) => [
        { batch: () => collate(examplesFor(step, model.config.vocabSize), 0) },
        { batch: () => collate(examplesFor(step + 7777, model.config.vocabSize), 0) },
    ], {
        totalSteps: 50,
        schedule: { lr: 1e-3, warmupSteps: 5 },
        checkpointEvery: 0,
        outDir: tmpDir("mem-loop"),
        label: "mem",
        flopsPerToken: 1,
        quiet: true,
        onStep: ({ step }) => {
            if (step >= 9) counts.push(liveTensors());
            if (step === 9) { gc(); rss10 = process.memoryUsage().rss; }
            if (step === 49) { gc(); rss50 = process.memoryUsage().rss; }
        },
    });
    assert.equal(counts.length, 41);
    assert.ok(counts.every((c) => c === counts[0]), `live tensors drift between steps 10 and 50: ${[...new Set(counts)].join(" -> ")}`);
    assert.ok(rss50 - rss10 < 30 * MB, `RSS grew by ${((rss50 - rss10) / MB).toFixed(1)} MB between steps 10 and 50`);
    assert.ok(Number.isFinite(result.lastLoss));
    // The loop frees its optimizer state and gradients: nothing is left for the GC to find.
    adapter.parameters().forEach((p) => assert.equal(p.grad, null));
    assert.equal(liveTensors(), startCount, "runTrainLoop left tensors alive after returning");
    frozen.dispose();
    adapter.dispose();
    model.dispose();
});

test("hand-written forward / backward / clip / AdamW loop keeps live tensors constant per step", () => {
    manualSeed(2);
    const model = loadModel(QWEN3_TINY);
    const adapter = LoraAdapter.create("ia", model.config, { r: 2, alpha: 4, dropout: 0.1 }).setTrainable(true);
    model.adapters.push(adapter);
    model.training = true;
    const opt = new AdamW(adapter.parameters(), { weightDecay: 0.01 });
    const counts: number[] = [];
    for (let step = 0; step < 30; step++) {
        tidy(() => {
            const b = collate(examplesFor(step, model.config.vocabSize), 0);
            const loss = summedTokenLoss(model.forward({ ids: b.ids }), b.labels).div(b.targetTokens);
            loss.backward();
        });
        opt.clipGradNorm(1);
        opt.step(1e-3);
        opt.zeroGrad();
        counts.push(liveTensors());
    }
    assert.ok(counts.slice(5).every((c) => c === counts[5]), `live tensors per step: ${counts.join(",")}`);
    // zeroGrad drops the gradients (set_to_none).
    for (const p of adapter.parameters()) assert.equal(p.grad, null);
    opt.dispose();
    adapter.dispose();
    model.dispose();
});

test("tidy disposes intermediates and keeps returned tensors (nested), which move to the enclosing scope", () => {
    const base = liveTensors();
    let inner: { a: Tensor; list: Tensor[]; map: Map<string, Tensor> } | null = null;
    let kept: Tensor | null = null;
    const outer = tidy(() => {
        inner = tidy(() => {
            const x = ones([4]);
            const y = x.add(1).mul(2); // intermediates: add result
            kept = keep(x.mul(10));
            return { a: y, list: [x.sub(1)], map: new Map([["z", zeros([2])]]) };
        });
        // x, add(1) are gone; y, x.sub(1), zeros, kept remain.
        assert.equal(liveTensors(), base + 4);
        assert.deepEqual(inner.a.toNumbers(), [4, 4, 4, 4]);
        return inner.a;
    });
    // Leaving the outer scope disposed what inner returned but outer did not.
    assert.equal(outer.isDisposed, false);
    assert.equal(inner!.list[0]!.isDisposed, true);
    assert.equal(inner!.map.get("z")!.isDisposed, true);
    assert.equal(kept!.isDisposed, false);
    assert.equal(liveTensors(), base + 2);
    outer.dispose();
    kept!.dispose();
    assert.equal(liveTensors(), base);
});

test("tidy disposes its tensors when fn throws, and rethrows", () => {
    const base = liveTensors();
    assert.throws(() => tidy(() => {
        ones([3]).add(1);
        throw new Error("boom");
    }), /boom/);
    assert.equal(liveTensors(), base);
    // An engine error inside nested scopes unwinds every scope.
    assert.throws(() => tidy(() => tidy(() => ones([2, 3]).matmul(ones([2, 3])))), /libtorch/);
    assert.equal(liveTensors(), base);
});

test("tidy rejects async functions", () => {
    assert.throws(() => tidy((async () => 1) as unknown as () => number), /tidy\(\): fn must be synchronous/);
});

test("tidy rejecting an async fn frees the tensors it created before the first await", {
}, () => {
    const base = liveTensors();
    assert.throws(() => tidy((async () => { ones([2]); await null; }) as unknown as () => void));
    assert.equal(liveTensors(), base);
});

test("disposeAll frees nested structures; dispose is idempotent; liveTensors counts precisely", () => {
    const base = liveTensors();
    const a = ones([2]), b = zeros([3]), c = ones([1]);
    assert.equal(liveTensors(), base + 3);
    disposeAll({ a, rest: [b, new Map([["c", c]])] });
    assert.equal(liveTensors(), base);
    a.dispose();
    assert.equal(liveTensors(), base);
    // The gradient getter returns a fresh handle each call (the caller disposes it).
    const p = ones([2]).requiresGrad_(true);
    tidy(() => p.mul(3).sum().backward());
    const g1 = p.grad!, g2 = p.grad!;
    assert.notEqual(g1, g2);
    assert.deepEqual(g1.toNumbers(), [3, 3]);
    assert.equal(liveTensors(), base + 3);
    disposeAll([p, g1, g2]);
    assert.equal(liveTensors(), base);
});

test("a disposed tensor fails with a clear JS Error, also inside ops and after tidy", () => {
    const t = tidy(() => {
        const x = ones([2]);
        return { x, y: x.add(1) };
    });
    t.x.dispose();
    assert.throws(() => t.x.toNumbers(), /use of a disposed tensor/);
    assert.throws(() => t.y.add(t.x), /use of a disposed tensor/);
    let escaped: Tensor | null = null;
    tidy(() => { escaped = ones([1]); });
    assert.throws(() => escaped!.item(), /use of a disposed tensor/);
    disposeAll(t);
});

test("noGrad turns recording off inside and restores the previous mode, also on throw", () => {
    assert.equal(isGradEnabled(), true);
    const w = ones([2]).requiresGrad_(true);
    const out = noGrad(() => {
        assert.equal(isGradEnabled(), false);
        return w.mul(2);
    });
    assert.equal(out.requiresGrad, false);
    assert.throws(() => noGrad(() => { throw new Error("x"); }), /x/);
    assert.equal(isGradEnabled(), true);
    noGrad(() => noGrad(() => 0));
    assert.equal(isGradEnabled(), true);
    const y = w.mul(2);
    assert.equal(y.requiresGrad, true);
    disposeAll([w, out, y]);
});

test("RoPE tables and KV caches are kept outside tidy scopes (a model built inside tidy still works after)", () => {
    const model = tidy(() => loadModel(QWEN3_TINY));
    const ids = tensor([1, 2, 3], [1, 3], { dtype: "int64" });
    const a = noGrad(() => tidy(() => model.forward({ ids }).toNumbers()));
    // Growing the RoPE table inside a tidy must not leave the model with disposed tables.
    noGrad(() => tidy(() => model.forward({ ids: tensor(Array.from({ length: 100 }, (_, i) => i % 128), [1, 100], { dtype: "int64" }) })));
    const b = noGrad(() => tidy(() => model.forward({ ids }).toNumbers()));
    assert.deepEqual(a, b);
    ids.dispose();
    model.dispose();
});
