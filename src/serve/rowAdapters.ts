/**
 * Per-row adapter stacks in one batch: row r of the batch goes through its own ordered list of (adapter, scale),
 * so requests for different organisms (+ the IA) share one forward pass. Adapters with the same shape
 * (rank, scaling, targets, dtype) are grouped; within a group, slot j holds each row's j-th adapter of that
 * shape. A group with one distinct adapter runs as a plain LoRA update times a per-row scale (0 for rows
 * without it); a group with several gathers each row's A/B from a stack (as LoraBank does) and runs two bmm.
 * The stacked weights are built once per batch, on first use per module, and freed by dispose().
 */
import { stack, tensor } from "../engine/factory.ts";
import { keep, tidy } from "../engine/scope.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import type { ActiveAdapter } from "../lora/types.ts";

export interface StackEntry {
    adapter: LoraAdapter;
    scale: number;
}

interface Group {
    adapters: LoraAdapter[];
    /** Index into adapters per row (0 for rows without one: their scale is 0). */
    rowIndex: number[];
    rowScale: number[];
    scaling: number;
    index: Tensor | null;
    scales: Tensor | null;
    /** A scalar when every row has the same scale. */
    uniform: number | null;
    stacked: Map<string, { A: Tensor; B: Tensor } | null>;
}

export class RowAdapters implements ActiveAdapter {
    readonly name = "rows";
    private readonly groups: Group[] = [];

    constructor(stacks: readonly (readonly StackEntry[])[], private readonly device: string) {
        const b = stacks.length;
        stacks.forEach((s, r) => {
            const used = new Set<Group>();
            for (const { adapter, scale } of s) {
                if (scale === 0) continue;
                const key = shapeKey(adapter);
                // Same adapter twice in a row's stack: the updates add, so fold into one scale.
                let g = this.groups.find((g) => shapeKey(g.adapters[0] as LoraAdapter) === key && g.rowScale[r] !== 0 && g.adapters[g.rowIndex[r] as number] === adapter);
                if (g) {
                    g.rowScale[r] = (g.rowScale[r] as number) + scale;
                    continue;
                }
                g = this.groups.find((g) => !used.has(g) && g.rowScale[r] === 0 && shapeKey(g.adapters[0] as LoraAdapter) === key);
                if (!g) {
                    g = { adapters: [adapter], rowIndex: new Array<number>(b).fill(0), rowScale: new Array<number>(b).fill(0), scaling: adapter.scaling, index: null, scales: null, uniform: null, stacked: new Map() };
                    this.groups.push(g);
                }
                used.add(g);
                let i = g.adapters.indexOf(adapter);
                if (i < 0) i = g.adapters.push(adapter) - 1;
                g.rowIndex[r] = i;
                g.rowScale[r] = scale;
            }
        });
        for (const g of this.groups) {
            const first = g.rowScale[0] as number;
            g.uniform = g.rowScale.every((s) => s === first) ? first : null;
            if (g.uniform === null) g.scales = keep(tensor(g.rowScale, [b, 1, 1], { dtype: "float32", device }));
            if (g.adapters.length > 1) g.index = keep(tensor(g.rowIndex, [b], { dtype: "int64", device }));
        }
    }

    /** Distinct adapters in this batch. */
    get distinct(): number {
        return new Set(this.groups.flatMap((g) => g.adapters)).size;
    }

    delta(path: string, x: Tensor, _training: boolean): Tensor | null {
        let out: Tensor | null = null;
        for (const g of this.groups) {
            const d = this.groupDelta(g, path, x);
            if (d) out = out ? out.add(d) : d;
        }
        return out;
    }

    private groupDelta(g: Group, path: string, x: Tensor): Tensor | null {
        const first = g.adapters[0] as LoraAdapter;
        const pair = first.weights.get(path);
        if (!pair) return null; // same targets within a group
        const input = pair.A.dtype === x.dtype ? x : x.to(pair.A.dtype);
        let d: Tensor;
        if (g.adapters.length === 1) {
            d = input.linear(pair.A).mul(g.scaling * (g.uniform ?? 1)).linear(pair.B);
        } else {
            let st = g.stacked.get(path);
            if (!st) {
                st = {
                    A: keep(tidy(() => stack(g.adapters.map((a) => a.weights.get(path)!.A), 0).transpose(1, 2).contiguous())), // [N, in, r]
                    B: keep(tidy(() => stack(g.adapters.map((a) => a.weights.get(path)!.B), 0).transpose(1, 2).contiguous())), // [N, r, out]
                };
                g.stacked.set(path, st);
            }
            const A = st.A.indexSelect(0, g.index as Tensor), B = st.B.indexSelect(0, g.index as Tensor);
            d = input.matmul(A).mul(g.scaling * (g.uniform ?? 1)).matmul(B);
        }
        if (g.scales) d = d.mul(g.scales.to(d.dtype));
        return d.dtype === x.dtype ? d : d.to(x.dtype);
    }

    dispose(): void {
        for (const g of this.groups) {
            g.index?.dispose();
            g.scales?.dispose();
            for (const st of g.stacked.values()) {
                st?.A.dispose();
                st?.B.dispose();
            }
            g.stacked.clear();
        }
        this.groups.length = 0;
    }
}

function shapeKey(a: LoraAdapter): string {
    const first = a.weights.values().next().value;
    return `${a.config.r}|${a.scaling}|${[...a.weights.keys()].sort().join(",")}|${first?.A.dtype ?? ""}`;
}
