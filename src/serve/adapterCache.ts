/**
 * The active adapters: loaded on demand (PEFT folders, checked against the base by loadAdapter) and kept in an
 * LRU of at most `maxActive` entries (the paper's max_active_adapters). An adapter used by a queued or running
 * request is pinned and never evicted; the cache may exceed maxActive only while more than maxActive are pinned.
 * Every loaded adapter keeps scale 1: per-request scales are applied per row (RowAdapters).
 */
import type { LoraAdapter } from "../lora/adapter.ts";
import { loadAdapter } from "../lora/peft.ts";
import type { Transformer } from "../model/transformer.ts";
import { ApiError } from "./errors.ts";

interface Entry {
    adapter: LoraAdapter;
    pins: number;
}

export interface CacheStats {
    active: number;
    loads: number;
    evictions: number;
    hits: number;
}

export class AdapterCache {
    private readonly entries = new Map<string, Entry>(); // insertion order = LRU order (oldest first)
    readonly stats: CacheStats = { active: 0, loads: 0, evictions: 0, hits: 0 };

    constructor(private readonly model: Transformer, readonly maxActive: number) {}

    /** The adapter at real path `dir` (loaded if needed), pinned: call release() when the request ends. */
    acquire(dir: string, name: string): LoraAdapter {
        let e = this.entries.get(dir);
        if (e) {
            this.stats.hits++;
            this.entries.delete(dir);
        } else {
            let adapter: LoraAdapter;
            try {
                adapter = loadAdapter(dir, this.model.config, { name, device: this.model.device });
            } catch (err) {
                // The message names the file; show the client its adapter name, not the server's paths.
                const msg = (err as Error).message.split(dir).join(name);
                throw new ApiError(400, `adapter '${name}' cannot be used with this base model: ${msg}`, "adapter_incompatible", "model");
            }
            adapter.scale = 1;
            e = { adapter, pins: 0 };
            this.stats.loads++;
        }
        e.pins++;
        this.entries.set(dir, e);
        this.evict();
        return e.adapter;
    }

    release(adapter: LoraAdapter): void {
        for (const e of this.entries.values()) {
            if (e.adapter === adapter) {
                e.pins = Math.max(0, e.pins - 1);
                break;
            }
        }
        this.evict();
    }

    private evict(): void {
        for (const [key, e] of this.entries) {
            if (this.entries.size <= this.maxActive) break;
            if (e.pins > 0) continue;
            e.adapter.dispose();
            this.entries.delete(key);
            this.stats.evictions++;
        }
        this.stats.active = this.entries.size;
    }

    names(): string[] {
        return [...this.entries.values()].map((e) => e.adapter.name);
    }

    dispose(): void {
        for (const e of this.entries.values()) e.adapter.dispose();
        this.entries.clear();
        this.stats.active = 0;
    }
}
