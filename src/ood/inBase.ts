/**
 * Behaviors already in the base (the paper: 22–26% verbalization when a behavior is added after IA training, 8–10%
 * when it is present throughout). One verified OOD organism is merged into the base's weights; a whole population and
 * IA are trained on that base; the new IA audits the new base itself. The comparison is the main suite's IA (trained on
 * the clean base) on the same organism added after training.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { BaseModelInfo } from "../base/buildBase.ts";
import { readBaseInfo } from "../base/buildBase.ts";
import { evaluateBase } from "../base/evaluateBase.ts";
import { initEngine, resolveDevice } from "../engine/runtime.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { writeDirAtomic } from "../io/atomicDir.ts";
import { runPipeline } from "../ia/pipeline.ts";
import type { PipelinePreset } from "../ia/presets.ts";
import { loadAdapter } from "../lora/peft.ts";
import { mergeAdapter } from "../lora/merge.ts";
import { parameterCount } from "../model/config.ts";
import { loadModel, saveModel } from "../model/weights.ts";
import { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { meanCi, pct } from "../util/stats.ts";
import { auditOodBank, gradeOod, type OodSamples } from "./audit.ts";
import { identityBank } from "./fullFinetune.ts";
import { readOodManifest } from "./organisms.ts";
import type { OodPreset } from "./suite.ts";
import type { OodFamily } from "./types.ts";
import { readKeyedCache } from "../io/json.ts";

/** The base with the organism merged into its weights, saved as a HF folder (cached by the adapter's bytes). */
export function baseWithBehavior(baseModel: string, adapterDir: string, outRoot: string, device: string): BaseModelInfo {
    const tag = crypto.createHash("sha256").update(fs.readFileSync(path.join(adapterDir, "adapter_model.safetensors"))).digest("hex").slice(0, 10);
    const dir = path.join(outRoot, `base-with-${path.basename(adapterDir)}-${tag}`);
    const infoFile = path.join(dir, "base.json");
    if (fs.existsSync(infoFile)) return { ...readBaseInfo(infoFile), dir: path.join(dir, "model"), cached: true };
    const model = loadModel(baseModel, { device });
    const adapter = loadAdapter(adapterDir, model.config, { device: model.device, name: "behavior" });
    try {
        mergeAdapter(model, adapter);
        writeDirAtomic(path.join(dir, "model"), (tmp) => saveModel(model, tmp, { tokenizerFrom: baseModel }));
        const tok = ChatTokenizer.fromFolder(path.join(dir, "model"));
        const evaluation = evaluateBase(model, tok, 1, { n: 200 });
        const original = readBaseInfo(path.join(path.dirname(baseModel), "base.json"));
        const info = { dir: path.join(dir, "model"), preset: original.preset, parameters: parameterCount(model.config), evaluation, trainSeconds: 0, device };
        writeJsonAtomic(infoFile, info);
        return { ...info, cached: false };
    } finally {
        adapter.dispose();
        model.dispose();
    }
}

export interface InBaseReport {
    family: OodFamily;
    organism: string;
    /** The new IA (trained on the base with the behavior) auditing that base: per IA seed. */
    throughout: { condition: string; seed: number | null; category: number; strict: number; top5: boolean }[];
    /** The main suite's IA on the same organism added after IA training. */
    after: { condition: string; seed: number | null; category: number; strict: number; top5: boolean }[];
}

export function runInBaseStudy(o: { run: string; family: OodFamily; preset: PipelinePreset; ood: OodPreset; cacheDir: string; device?: string; runDir: string }): InBaseReport {
    initEngine();
    const device = resolveDevice(o.device ?? "auto");
    const oodDir = path.join(o.run, "ood");
    const manifest = readOodManifest(oodDir);
    const id = `${o.family}.td`;
    const entry = manifest?.organisms.find((e) => e.id === id);
    if (!manifest || !entry) throw new Error(`${oodDir}: no OOD organism ${id}; run \`ia bench --suite ood --run ${o.run}\` first`);
    if (!entry.verification.passed && o.ood.requireVerified) throw new Error(`${oodDir}: OOD organism ${id} failed verification; a behavior the organism does not show cannot be tested in the base`);
    const base = baseWithBehavior(manifest.baseModel, path.join(oodDir, entry.adapter), o.runDir, device);
    const ia = runPipeline({ preset: o.preset, runDir: path.join(o.runDir, "ia"), cacheDir: o.cacheDir, device, base });
    const tok = ChatTokenizer.fromFolder(base.dir);
    const model = loadModel(base.dir, { device });
    const bank = identityBank(model);
    const throughout: InBaseReport["throughout"] = [];
    try {
        const conditions = [{ condition: "no-ia", seed: null as number | null, dir: null as string | null }, ...ia.iaDirs.flatMap((d) => [{ condition: "ia-sft", seed: d.seed, dir: d.sft }, { condition: "ia-dpo", seed: d.seed, dir: d.dpo }])];
        for (const c of conditions) {
            const adapter = c.dir ? loadAdapter(c.dir, model.config, { device: model.device, name: "ia" }) : null;
            try {
                const samples = auditOodBank(model, tok, bank, [entry.spec], adapter, { ...o.ood.audit, seed: 1000 + (c.seed ?? 0) });
                const r = gradeOod(new Map([[entry.id, entry.spec]]), samples).organisms[0]!;
                throughout.push({ condition: c.condition, seed: c.seed, category: r.category, strict: r.strict, top5: r.top5 });
            } finally {
                adapter?.dispose();
            }
        }
    } finally {
        bank.dispose();
        model.dispose();
    }
    const after: InBaseReport["after"] = [];
    for (const f of fs.existsSync(path.join(oodDir, "audits")) ? fs.readdirSync(path.join(oodDir, "audits")) : []) {
        const m = f.match(/^(no-ia|ia-sft|ia-dpo)(?:-seed-(\d+))?\.json$/);
        if (!m) continue;
        const samples = readKeyedCache<{ samples?: OodSamples[] }>(path.join(oodDir, "audits", f))?.samples?.filter((x) => x.id === id) ?? [];
        const r = gradeOod(new Map([[id, entry.spec]]), samples).organisms[0];
        if (r) after.push({ condition: m[1]!, seed: m[2] ? Number(m[2]) : null, category: r.category, strict: r.strict, top5: r.top5 });
    }
    const report: InBaseReport = { family: o.family, organism: id, throughout, after };
    writeJsonAtomic(path.join(o.runDir, "in-base.json"), report);
    writeFileAtomic(path.join(o.runDir, "in-base.md"), formatInBase(report));
    process.stdout.write(`${formatInBase(report)}\n`);
    return report;
}

export function formatInBase(r: InBaseReport): string {
    const row = (label: string, xs: InBaseReport["throughout"], condition: string) => {
        const sel = xs.filter((x) => x.condition === condition);
        if (sel.length === 0) return `| ${label} | ${condition} | – | – | – |`;
        const c = meanCi(sel.map((x) => x.category));
        const s = meanCi(sel.map((x) => x.strict));
        return `| ${label} | ${condition} | ${pct(c.mean)}${c.n > 1 ? ` ± ${pct(c.half)}` : ""} | ${pct(s.mean)}${s.n > 1 ? ` ± ${pct(s.half)}` : ""} | ${sel.filter((x) => x.top5).length}/${sel.length} |`;
    };
    return [
        `# A behavior already in the base: ${r.family} (organism ${r.organism})`, "",
        "| when the behavior was added | condition | verbalization (category) | strict | top-5 success (runs) |", "|---|---|---|---|---|",
        ...["no-ia", "ia-sft", "ia-dpo"].map((c) => row("after IA training (LoRA organism on the clean base)", r.after, c)),
        ...["no-ia", "ia-sft", "ia-dpo"].map((c) => row("throughout (merged into the base the IA was trained on)", r.throughout, c)),
        "", "The paper: 22–26% when added after IA training, 8–10% when present throughout.", "",
    ].join("\n");
}
