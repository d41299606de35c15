/**
 * The audit's model files checked before anything is loaded, probed or written: the base's config.json, a full
 * target checkpoint's config.json, and the target adapter and the IA against the base — every check loadAdapter
 * makes (layout, names, ranks, every shape), read from the files' headers (src/lora/peft.ts inspectAdapter). Loading a
 * multi-billion-parameter base takes minutes; an IA made for another base should not wait for it to fail.
 */
import fs from "node:fs";
import path from "node:path";
import { inspectAdapter } from "../lora/peft.ts";
import { readModelConfig } from "../model/config.ts";

export interface AuditInputs {
    baseModel: string;
    targetAdapter?: string;
    targetModel?: string;
    ia: string;
}

export function checkAuditInputs(o: AuditInputs): void {
    const config = readModelConfig(path.join(o.baseModel, "config.json"));
    if (o.targetModel !== undefined && !fs.existsSync(path.join(o.targetModel, "config.json"))) {
        throw new Error(`--target-model ${o.targetModel}: no config.json there; expected a Hugging Face model folder (a fine-tune of ${o.baseModel})`);
    }
    const check = (option: string, dir: string) => {
        try {
            inspectAdapter(dir, config);
        } catch (e) {
            throw new Error(`--${option} ${dir}: ${(e as Error).message}`, { cause: e });
        }
    };
    if (o.targetAdapter !== undefined) check("target-adapter", o.targetAdapter);
    check("ia", o.ia);
}
