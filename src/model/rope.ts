/**
 * Rotary position embeddings as in Hugging Face transformers: inverse frequencies (with Llama 3's
 * frequency-dependent scaling when configured), cos/sin tables in the layout cat(freqs, freqs), and
 * rotate_half application. Tables are built in float64 in JS, stored as float32 (as HF computes them), and
 * grown on demand.
 */
import { cat, fromBytes } from "../engine/factory.ts";
import { keep } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { ModelConfig } from "./config.ts";

export function inverseFrequencies(c: Pick<ModelConfig, "headDim" | "ropeTheta" | "ropeScaling">): Float64Array {
    const half = c.headDim / 2;
    const inv = new Float64Array(half);
    for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(c.ropeTheta, (2 * i) / c.headDim);
    const s = c.ropeScaling;
    if (s) {
        // Llama 3.1: long wavelengths are divided by `factor`, short ones kept, the band between interpolated.
        const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
        const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
        for (let i = 0; i < half; i++) {
            const f = inv[i] as number;
            const wavelen = (2 * Math.PI) / f;
            if (wavelen < highWavelen) continue;
            if (wavelen > lowWavelen) {
                inv[i] = f / s.factor;
            } else {
                const smooth = (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
                inv[i] = (1 - smooth) * (f / s.factor) + smooth * f;
            }
        }
    }
    return inv;
}

export class RopeTables {
    private cosTable: Tensor | null = null;
    private sinTable: Tensor | null = null;
    private length = 0;
    private readonly inv: Float32Array;

    constructor(private readonly config: ModelConfig, private readonly device: string) {
        this.inv = Float32Array.from(inverseFrequencies(config));
    }

    /** cos and sin tables [len, headDim] in float32 covering positions [0, len). */
    tables(len: number): { cos: Tensor; sin: Tensor } {
        if (len > this.length || this.cosTable === null || this.sinTable === null) {
            const n = Math.max(len, Math.min(2 * this.length, this.config.maxPositionEmbeddings), 64);
            const half = this.config.headDim / 2;
            const cosData = new Float32Array(n * half * 2);
            const sinData = new Float32Array(n * half * 2);
            for (let p = 0; p < n; p++) {
                for (let i = 0; i < half; i++) {
                    // float32 product, as HF's float32 matmul of positions and inv_freq.
                    const angle = Math.fround(p * (this.inv[i] as number));
                    const c = Math.cos(angle), s = Math.sin(angle);
                    cosData[p * 2 * half + i] = c;
                    cosData[p * 2 * half + half + i] = c;
                    sinData[p * 2 * half + i] = s;
                    sinData[p * 2 * half + half + i] = s;
                }
            }
            this.cosTable?.dispose();
            this.sinTable?.dispose();
            this.cosTable = keep(fromBytes(cosData, [n, 2 * half], "float32", this.device));
            this.sinTable = keep(fromBytes(sinData, [n, 2 * half], "float32", this.device));
            this.length = n;
        }
        return { cos: this.cosTable, sin: this.sinTable as Tensor };
    }

    /** cos/sin gathered for per-row positions [B, T] -> [B, 1, T, headDim] in `dtype`. */
    forPositions(positions: Tensor, maxPosition: number, dtype: string): { cos: Tensor; sin: Tensor } {
        const { cos, sin } = this.tables(maxPosition + 1);
        const [b, t] = positions.shape as [number, number];
        const flat = positions.reshape([b * t]);
        const pick = (table: Tensor): Tensor => {
            let x = table.indexSelect(0, flat).reshape([b, 1, t, this.config.headDim]);
            if (dtype !== "float32") x = x.to(dtype as "bfloat16");
            return x;
        };
        return { cos: pick(cos), sin: pick(sin) };
    }

    dispose(): void {
        this.cosTable?.dispose();
        this.sinTable?.dispose();
        this.cosTable = this.sinTable = null;
        this.length = 0;
    }
}

/** x * cos + rotate_half(x) * sin, x: [B, H, T, D]. */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
    const d = x.size(-1);
    const half = d / 2;
    const x1 = x.narrow(-1, 0, half);
    const x2 = x.narrow(-1, half, half);
    const rotated = cat([x2.neg(), x1], -1);
    return x.mul(cos).add(rotated.mul(sin));
}
