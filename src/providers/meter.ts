/**
 * Token and cost meter: tallies every completion per model (network calls and cache hits apart, since cache hits
 * cost nothing) and prices the network calls from a `PriceTable`. A model without a price still counts its tokens;
 * its cost is null and the total names it as unpriced rather than pretending it was free.
 * Does not meter failed calls (servers do not report usage for them).
 */
import { DEFAULT_PRICES, costUsd, type PriceTable } from "./prices.ts";
import type { ChatProvider, CompletionRequest, CompletionResult } from "./types.ts";

export interface MeterRow {
    /** The model as the server named it. */
    model: string;
    /** Network calls (billed). */
    calls: number;
    inputTokens: number;
    outputTokens: number;
    /** Answers served from the cache (not billed). */
    cachedCalls: number;
    cachedInputTokens: number;
    cachedOutputTokens: number;
    /** USD for the network calls, or null when the model has no price. */
    costUsd: number | null;
}

export interface MeterTotals {
    calls: number;
    inputTokens: number;
    outputTokens: number;
    cachedCalls: number;
    cachedInputTokens: number;
    cachedOutputTokens: number;
    /** USD over priced models only; a lower bound when `unpricedModels` is non-empty. */
    costUsd: number;
    /** Models with billed calls but no price. */
    unpricedModels: string[];
}

export interface CostMeterOptions {
    /** Price table. Default: `DEFAULT_PRICES` from prices.ts. */
    prices?: PriceTable;
}

export class CostMeter {
    private readonly prices: PriceTable;
    private readonly byModel = new Map<string, Omit<MeterRow, "costUsd">>();

    constructor(opts: CostMeterOptions = {}) {
        this.prices = opts.prices ?? DEFAULT_PRICES;
    }

    record(result: Pick<CompletionResult, "model" | "usage" | "cached">): void {
        let row = this.byModel.get(result.model);
        if (!row) {
            row = { model: result.model, calls: 0, inputTokens: 0, outputTokens: 0, cachedCalls: 0, cachedInputTokens: 0, cachedOutputTokens: 0 };
            this.byModel.set(result.model, row);
        }
        if (result.cached) {
            row.cachedCalls++;
            row.cachedInputTokens += result.usage.inputTokens;
            row.cachedOutputTokens += result.usage.outputTokens;
        } else {
            row.calls++;
            row.inputTokens += result.usage.inputTokens;
            row.outputTokens += result.usage.outputTokens;
        }
    }

    /** One row per model, sorted by model name. */
    rows(): MeterRow[] {
        return [...this.byModel.values()]
            .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0))
            .map((r) => ({ ...r, costUsd: costUsd(r.model, r.inputTokens, r.outputTokens, this.prices) }));
    }

    totals(): MeterTotals {
        const t: MeterTotals = { calls: 0, inputTokens: 0, outputTokens: 0, cachedCalls: 0, cachedInputTokens: 0, cachedOutputTokens: 0, costUsd: 0, unpricedModels: [] };
        for (const r of this.rows()) {
            t.calls += r.calls;
            t.inputTokens += r.inputTokens;
            t.outputTokens += r.outputTokens;
            t.cachedCalls += r.cachedCalls;
            t.cachedInputTokens += r.cachedInputTokens;
            t.cachedOutputTokens += r.cachedOutputTokens;
            if (r.costUsd !== null) t.costUsd += r.costUsd;
            else if (r.calls > 0) t.unpricedModels.push(r.model);
        }
        return t;
    }

    /** A fixed-width table for terminals and logs. */
    summary(): string {
        const header = ["model", "calls", "in tok", "out tok", "cached", "cost USD"];
        const fmtCost = (c: number | null) => (c === null ? "n/a" : `$${c.toFixed(4)}`);
        const lines = this.rows().map((r) => [r.model, String(r.calls), String(r.inputTokens), String(r.outputTokens), String(r.cachedCalls), fmtCost(r.costUsd)]);
        const t = this.totals();
        const totalCost = `$${t.costUsd.toFixed(4)}${t.unpricedModels.length > 0 ? "+" : ""}`;
        lines.push(["TOTAL", String(t.calls), String(t.inputTokens), String(t.outputTokens), String(t.cachedCalls), totalCost]);
        const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
        const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
        const out = [fmt(header), ...lines.map(fmt)];
        if (t.unpricedModels.length > 0) out.push(`(no price for ${t.unpricedModels.join(", ")}: total cost excludes them)`);
        return out.join("\n");
    }
}

/** Wraps a provider so every successful completion (network or cache) is recorded in `meter`. */
export function withMeter(inner: ChatProvider, meter: CostMeter): ChatProvider {
    return {
        name: inner.name,
        model: inner.model,
        async complete(req: CompletionRequest): Promise<CompletionResult> {
            const result = await inner.complete(req);
            meter.record(result);
            return result;
        },
    };
}
