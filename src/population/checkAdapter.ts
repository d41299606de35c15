/**
 * Whether an adapter folder fits a base model, before anything is copied or recorded: every check loadAdapter makes
 * (src/lora/peft.ts inspectAdapter: layout, adapter_config.json, key names, target modules, dtypes, ranks, layer
 * indices and every A/B shape against the base's config.json), from the files' headers, without loading weights.
 * A mismatch is an error naming the adapter folder and the mismatch.
 *
 * adapter_config.json's `base_model_name_or_path` is only compared for a note: it is a Hub name or a path on the
 * machine that trained the adapter, so it rarely equals a local folder; the shapes are what decide.
 */
import fs from "node:fs";
import path from "node:path";
import type { LoraConfig } from "../lora/adapter.ts";
import { inspectAdapter } from "../lora/peft.ts";
import type { AdapterFolder } from "../lora/peftLayout.ts";
import type { ModelConfig } from "../model/config.ts";

export interface CheckedAdapter {
    /** The folder as given. */
    given: string;
    folder: AdapterFolder;
    /** adapter_model.safetensors. */
    weights: string;
    config: LoraConfig;
    modules: number;
    /** Things worth telling the user that do not stop the add (e.g. another base name recorded in the config). */
    notes: string[];
}

function baseNames(baseDir: string): string[] {
    const names = [path.resolve(baseDir), path.basename(path.resolve(baseDir))];
    try {
        const cfg = JSON.parse(fs.readFileSync(path.join(baseDir, "config.json"), "utf8")) as Record<string, unknown>;
        if (typeof cfg._name_or_path === "string" && cfg._name_or_path !== "") names.push(cfg._name_or_path, path.basename(cfg._name_or_path));
    } catch {
        // The config was read (and checked) already; its name is only a hint.
    }
    return names;
}

export function checkAdapterForBase(adapterDir: string, baseDir: string, base: ModelConfig): CheckedAdapter {
    let ins;
    try {
        ins = inspectAdapter(adapterDir, base);
    } catch (e) {
        throw new Error(`${adapterDir}: refused, not an adapter for the base ${baseDir}: ${(e as Error).message}`);
    }
    const notes: string[] = [];
    const named = ins.baseModel;
    if (named) {
        const known = baseNames(baseDir);
        const fits = known.includes(named) || known.includes(path.basename(named)) || known.includes(path.resolve(path.dirname(adapterDir), named));
        if (!fits) notes.push(`${path.join(ins.folder.dir, "adapter_config.json")} names base_model_name_or_path ${JSON.stringify(named)}, not ${baseDir}; every shape fits this base, so it was accepted`);
    }
    return { given: adapterDir, folder: ins.folder, weights: ins.file, config: ins.config, modules: ins.modules.size, notes };
}
