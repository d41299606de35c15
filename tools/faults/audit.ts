/**
 * After a kill: is every artifact on disk complete and loadable, or absent? Walks the output folders and reads
 * everything with the project's own loaders: each *.safetensors in full, each *.json, each *.jsonl line, each
 * adapter folder (loadAdapter), model folder (loadModel), tokenizer folder, population manifest (readManifest,
 * and every organism it lists), finished IA stage (done.json -> its adapter) and checkpoint folder.
 * Temp leftovers of killed writers (writeFileAtomic / writeDirAtomic temps, checkpoint.tmp / .old) are listed,
 * not read: nothing reads them (the loop reads a .tmp/.old checkpoint only when its state.json marks it complete).
 */
import fs from "node:fs";
import path from "node:path";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { TEMP_NAME_RE } from "../../src/io/staleTemps.ts";
import { loadAdapter } from "../../src/lora/peft.ts";
import { readModelConfig, type ModelConfig } from "../../src/model/config.ts";
import { loadModel } from "../../src/model/weights.ts";
import { readManifest } from "../../src/organisms/manifest.ts";
import { ChatTokenizer } from "../../src/tokenizer/ChatTokenizer.ts";

export interface AuditResult {
    /** Files and folders read successfully. */
    checked: number;
    corrupted: { path: string; reason: string }[];
    temps: string[];
}

const isTemp = (name: string) => TEMP_NAME_RE.test(name) || /^checkpoint\.(tmp|old)$/.test(name);

/** The base model's config: the fixture's, or the first built one under the roots (bench builds its own). */
function findBaseConfig(roots: string[], known: string | null): ModelConfig | null {
    if (known) return readModelConfig(path.join(known, "config.json"));
    for (const root of roots) {
        const baseDir = path.join(root, "base");
        if (!fs.existsSync(baseDir)) continue;
        for (const d of fs.readdirSync(baseDir)) {
            const cfg = path.join(baseDir, d, "model", "config.json");
            if (fs.existsSync(cfg)) return readModelConfig(cfg);
        }
    }
    return null;
}

export function auditArtifacts(roots: string[], baseModel: string | null): AuditResult {
    const result: AuditResult = { checked: 0, corrupted: [], temps: [] };
    const baseConfig = findBaseConfig(roots, baseModel);
    const check = (p: string, fn: () => void) => {
        try {
            fn();
            result.checked++;
        } catch (err) {
            result.corrupted.push({ path: p, reason: (err as Error).message.slice(0, 200) });
        }
    };
    const adapter = (dir: string) => check(dir, () => {
        if (!baseConfig) throw new Error("an adapter folder exists but no base model config was found");
        loadAdapter(dir, baseConfig).dispose();
    });

    const visit = (dir: string) => {
        const names = fs.readdirSync(dir);
        const has = (f: string) => names.includes(f);
        for (const name of names) {
            const p = path.join(dir, name);
            if (isTemp(name)) {
                result.temps.push(p);
                continue;
            }
            const stat = fs.statSync(p);
            if (stat.isDirectory()) {
                visit(p);
            } else if (name.endsWith(".safetensors")) {
                check(p, () => void readSafetensors(p));
            } else if (name.endsWith(".jsonl")) {
                check(p, () => {
                    const text = fs.readFileSync(p, "utf8");
                    if (text && !text.endsWith("\n")) throw new Error("last line is cut short");
                    for (const line of text.split("\n")) if (line) JSON.parse(line);
                });
            } else if (name.endsWith(".json")) {
                check(p, () => void JSON.parse(fs.readFileSync(p, "utf8")));
            }
        }
        if (has("adapter_config.json") || has("adapter_model.safetensors")) adapter(dir);
        if (has("model.safetensors") || has("model.safetensors.index.json")) check(dir, () => loadModel(dir).dispose());
        if (has("tokenizer.json") || has("tokenizer_config.json")) check(dir, () => void ChatTokenizer.fromFolder(dir));
        if (has("manifest.json")) {
            check(path.join(dir, "manifest.json"), () => {
                const m = readManifest(dir);
                for (const e of m?.organisms ?? []) {
                    if (!fs.existsSync(path.join(dir, e.adapter))) throw new Error(`lists ${e.id} but ${e.adapter} is missing`);
                }
            });
        }
        if (has("done.json")) check(path.join(dir, "done.json"), () => {
            if (!fs.existsSync(path.join(dir, "adapter"))) throw new Error("stage marked done but its adapter folder is missing");
        });
        if (has("base.json")) check(path.join(dir, "base.json"), () => {
            if (!fs.existsSync(path.join(dir, "model"))) throw new Error("base marked built but its model folder is missing");
        });
        if (path.basename(dir) === "checkpoint") check(dir, () => {
            if (!has("state.json") || !has("optimizer.safetensors") || !has("weights")) throw new Error(`incomplete checkpoint: ${names.join(", ")}`);
        });
    };
    for (const root of roots) if (fs.existsSync(root)) visit(root);
    return result;
}
