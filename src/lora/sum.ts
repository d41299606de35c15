/**
 * Sum-merge of two LoRA adapters into one, as AuditBench does after adversarial training (a new LoRA trained with
 * the instillation LoRA frozen, then "merged by summing"). Per module,
 *   dW = s1 * B1 A1 + s2 * B2 A2 = [s1 B1 | s2 B2] @ [A1 ; A2]
 * with s = scaling * scale of each adapter, so the sum is exact (not an SVD approximation): one adapter of rank
 * r1 + r2 whose scales are folded into B and whose own scaling is 1 (alpha = r, no rsLoRA). A module only one
 * adapter targets gets zero rows/columns for the other, so it contributes nothing, as it did when stacked.
 * Dropout is training-only and does not change the update, so the result has dropout 0 (it is an inference
 * artifact; set it before training the sum further).
 */
import path from "node:path";
import { cat, zeros } from "../engine/factory.ts";
import { keep, tidy } from "../engine/scope.ts";
import type { DType, Tensor } from "../engine/tensor.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import type { ModelConfig } from "../model/config.ts";
import { LORA_TARGETS, LoraAdapter, type LoraConfig, type LoraPair, type LoraTarget } from "./adapter.ts";
import { loadAdapter, saveAdapter } from "./peft.ts";

/** The model dimension each side of a projection lives in: equal roles must have equal sizes on one base. */
type Dim = "hidden" | "attention" | "kv" | "intermediate";
const DIMS: Record<LoraTarget, [inDim: Dim, outDim: Dim]> = {
    q_proj: ["hidden", "attention"],
    k_proj: ["hidden", "kv"],
    v_proj: ["hidden", "kv"],
    o_proj: ["attention", "hidden"],
    gate_proj: ["hidden", "intermediate"],
    up_proj: ["hidden", "intermediate"],
    down_proj: ["intermediate", "hidden"],
};

function targetOf(mod: string): LoraTarget {
    const t = mod.slice(mod.lastIndexOf(".") + 1);
    if (!(LORA_TARGETS as readonly string[]).includes(t)) throw new Error(`${mod} is not a q/k/v/o/gate/up/down projection`);
    return t as LoraTarget;
}

/** Model dimensions implied by an adapter's tensor shapes, each with the module it was read from. */
function impliedDims(a: LoraAdapter, label: string): Map<Dim, { size: number; where: string }> {
    const out = new Map<Dim, { size: number; where: string }>();
    for (const [mod, { A, B }] of a.weights) {
        if (A.size(0) !== a.config.r || B.size(1) !== a.config.r) throw new Error(`${label}: ${mod} has lora_A [${A.shape}] / lora_B [${B.shape}] but r = ${a.config.r}`);
        const [inDim, outDim] = DIMS[targetOf(mod)];
        for (const [dim, size, side] of [[inDim, A.size(1), "input"], [outDim, B.size(0), "output"]] as const) {
            const seen = out.get(dim);
            if (seen && seen.size !== size) throw new Error(`${label}: ${seen.where} and ${mod} disagree on the ${dim} size (${seen.size} vs ${size})`);
            out.set(dim, { size, where: `${mod} (${side} ${size})` });
        }
    }
    return out;
}

/**
 * Refuses adapters made for different bases. Shapes are compared by model dimension (hidden, attention, kv,
 * intermediate), so two adapters with disjoint target modules are still checked against each other.
 */
function checkSameBase(a: LoraAdapter, b: LoraAdapter, labelA: string, labelB: string): void {
    const da = impliedDims(a, labelA), db = impliedDims(b, labelB);
    for (const [dim, x] of da) {
        const y = db.get(dim);
        if (y && y.size !== x.size) {
            throw new Error(`cannot sum ${labelA} and ${labelB}: adapters for different base models (${dim} size ${x.size} in ${labelA}: ${x.where}; ${y.size} in ${labelB}: ${y.where})`);
        }
    }
}

export interface SumAdaptersOptions {
    /** Name of the result. Default "<a>+<b>". */
    name?: string;
    /** Provenance saved as base_model_name_or_path. Default a's, else b's. */
    baseModel?: string | null;
    /** Used in error messages instead of the adapters' names (the folder function passes the folders). */
    labels?: [string, string];
}

/**
 * One adapter of rank a.r + b.r whose update equals a's plus b's (each with its scaling and user scale), on a's
 * device; float32 unless both adapters share another dtype. The inputs are left untouched.
 */
export function sumAdapters(a: LoraAdapter, b: LoraAdapter, o: SumAdaptersOptions = {}): LoraAdapter {
    const [labelA, labelB] = o.labels ?? [a.name, b.name];
    checkSameBase(a, b, labelA, labelB);
    const device = a.parameters()[0]?.device ?? "cpu";
    const first = (x: LoraAdapter) => x.parameters()[0]?.dtype;
    const dtype: DType = first(a) === first(b) && first(a) !== undefined ? first(a)! : "float32";
    const ra = a.config.r, rb = b.config.r;
    const sa = a.scaling * a.scale, sb = b.scaling * b.scale;
    const modules = [...new Set([...a.weights.keys(), ...b.weights.keys()])];
    const weights = new Map<string, LoraPair>();
    try {
        for (const mod of modules) {
            const pa = a.weights.get(mod), pb = b.weights.get(mod);
            const ref = (pa ?? pb)!;
            const inF = ref.A.size(1), outF = ref.B.size(0);
            // In float32, so folding the scales into B rounds once, in the output dtype.
            const f32 = (t: Tensor) => t.detach().to("float32", device);
            const z = (shape: number[]) => zeros(shape, { device });
            const pair = tidy(() => ({
                A: cat([pa ? f32(pa.A) : z([ra, inF]), pb ? f32(pb.A) : z([rb, inF])], 0).to(dtype),
                B: cat([pa ? f32(pa.B).mul(sa) : z([outF, ra]), pb ? f32(pb.B).mul(sb) : z([outF, rb])], 1).to(dtype),
            }));
            weights.set(mod, { A: keep(pair.A), B: keep(pair.B) });
        }
    } catch (err) {
        for (const { A, B } of weights.values()) { A.dispose(); B.dispose(); }
        throw err;
    }
    const targets = new Set([...a.config.targetModules, ...b.config.targetModules]);
    const config: LoraConfig = {
        r: ra + rb,
        alpha: ra + rb, // scaling alpha / r = 1: the scales already sit in B
        dropout: 0,
        useRslora: false,
        targetModules: LORA_TARGETS.filter((t) => targets.has(t)),
    };
    return new LoraAdapter(o.name ?? `${a.name}+${b.name}`, config, weights, o.baseModel !== undefined ? o.baseModel : a.baseModel ?? b.baseModel);
}


export interface SumAdapterDirsOptions {
    /** Also check both adapters against this base (layer count and every shape), as loadAdapter does. */
    model?: ModelConfig;
    /** Storage dtype of the result. Default float32. */
    dtype?: DType;
    /** base_model_name_or_path of the result. Default the first adapter's, else the second's. */
    baseModel?: string;
}

/**
 * Sums the PEFT adapters in dirA and dirB into a PEFT adapter at outDir (written atomically), recording both
 * sources (path, rank, alpha, scaling) under "summed_from" in its adapter_config.json. Returns its config.
 */
export function sumAdapterDirs(dirA: string, dirB: string, outDir: string, o: SumAdapterDirsOptions = {}): LoraConfig {
    const load = (dir: string) => loadAdapter(dir, o.model ?? null);
    const a = load(dirA);
    let b: LoraAdapter | undefined, sum: LoraAdapter | undefined;
    try {
        b = load(dirB);
        sum = sumAdapters(a, b, { labels: [dirA, dirB], baseModel: o.baseModel });
        const source = (dir: string, x: LoraAdapter) => ({
            path: path.resolve(dir),
            r: x.config.r,
            lora_alpha: x.config.alpha,
            use_rslora: x.config.useRslora,
            scaling: x.scaling,
            base_model_name_or_path: x.baseModel,
        });
        const extra = { summed_from: [source(dirA, a), source(dirB, b)] };
        const result = sum;
        writeDirAtomic(outDir, (tmp) => saveAdapter(result, tmp, { dtype: o.dtype, extra }));
        return { ...sum.config, targetModules: [...sum.config.targetModules] };
    } finally {
        a.dispose();
        b?.dispose();
        sum?.dispose();
    }
}
