/**
 * Shared helpers for the engine / LoRA / training tests: tiny model configs, temp folders removed after the
 * test file, byte snapshots of tensors, and array comparisons. Test support only.
 */
import fs from "node:fs";
import path from "node:path";
import { tensor } from "../../src/engine/factory.ts";
import { noGrad } from "../../src/engine/runtime.ts";
import { tidy } from "../../src/engine/scope.ts";
import type { Tensor } from "../../src/engine/tensor.ts";
import { parseModelConfig, type ModelConfig } from "../../src/model/config.ts";
import type { Transformer } from "../../src/model/transformer.ts";
import { tempDir } from "./tempDir.ts";

export const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/golden");
export const QWEN3_TINY = path.join(FIXTURES, "qwen3-tiny");
export const LLAMA_TINY = path.join(FIXTURES, "llama-tiny");
export const ADAPTER_A = path.join(FIXTURES, "adapters/qwen3-a");
export const ADAPTER_B = path.join(FIXTURES, "adapters/qwen3-b");

/** A fresh temp directory under os.tmpdir(), removed when the test file finishes (tempDir.ts). */
export function tmpDir(prefix: string): string {
    return tempDir(`ia-${prefix}`);
}

/** Copies a fixture folder (flat) into a new temp directory and returns the copy's path. */
export function copyFixture(src: string, prefix: string): string {
    const dst = path.join(tmpDir(prefix), path.basename(src));
    fs.cpSync(src, dst, { recursive: true });
    return dst;
}

/** A small Qwen3-style config (GQA, qk-norm, head_dim != hidden/heads); `over` patches the HF JSON. */
export function tinyQwen3Config(over: Record<string, unknown> = {}): ModelConfig {
    return parseModelConfig({
        model_type: "qwen3",
        vocab_size: 48,
        hidden_size: 24,
        intermediate_size: 40,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        head_dim: 8,
        rms_norm_eps: 1e-6,
        rope_theta: 10000,
        max_position_embeddings: 256,
        tie_word_embeddings: false,
        ...over,
    }, "tinyQwen3Config");
}

/** Raw bytes of each tensor, for bit-identity checks. */
export function snapshot(tensors: Iterable<Tensor>): Uint8Array[] {
    return [...tensors].map((t) => t.toBytes());
}

export function bytesEqual(a: Uint8Array[], b: Uint8Array[]): boolean {
    return a.length === b.length && a.every((x, i) => Buffer.compare(Buffer.from(x), Buffer.from(b[i] as Uint8Array)) === 0);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} vs ${b.length}`);
    let m = 0;
    for (let i = 0; i < a.length; i++) {
        const d = Math.abs((a[i] as number) - (b[i] as number));
        if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
    }
    return m;
}

export function maxAbs(a: ArrayLike<number>): number {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
    return m;
}

/** Full-sequence logits [B*T*V] as plain numbers (no grad, no leaked tensors). */
export function logitsOf(model: Transformer, ids: number[][]): number[] {
    const b = ids.length, t = (ids[0] as number[]).length;
    return noGrad(() => tidy(() => model.forward({ ids: tensor(ids.flat(), [b, t], { dtype: "int64" }) }).to("float64").toNumbers()));
}
