/**
 * The family-diversity sweep measured on the OOD suite (the paper: 1.9% → 10.0% verbalization from 1 to 7 training
 * families, plateau after 5): IAs trained on 1, 3, 5 and 7 of the training families (the in-distribution sweep's
 * points and order), each audited on one shared set of OOD organisms.
 */
import path from "node:path";
import { BEHAVIOR_FAMILIES } from "../behaviors/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.ts";
import { runPipeline } from "../ia/pipeline.ts";
import type { PipelinePreset } from "../ia/presets.ts";
import { Rng } from "../util/rng.ts";
import { pct } from "../util/stats.ts";
import { runOodSuite, type OodPreset, type OodSuiteReport } from "./suite.ts";

export interface OodSweepPoint {
    families: string[];
    figures: Record<string, { mean: number; half: number; seeds: number; organisms: number } | null>;
}

const SHOWN = [["all", "category"], ["all", "described"], ["all", "top5"], ["auditbench-4", "top5"]] as const;

/**
 * The sweep compares IAs, not training configurations: each point audits the transcript-route organisms only (the
 * route that verifies; no adversarial variants, other shapes or ciphers), which keeps a point's cost at its IA training.
 */
export function sweepPreset(p: OodPreset): OodPreset {
    return { ...p, cipher: null, catalogue: { ...p.catalogue, routes: ["transcripts"], adversarial: ["none"], ranks: [], full: false } };
}

export function runOodFamilySweep(o: { preset: PipelinePreset; ood: OodPreset; runDir: string; cacheDir: string; device?: string; quiet?: boolean }): OodSweepPoint[] {
    const order = new Rng(`${o.preset.ia.split.seed}:family-order`).shuffle(BEHAVIOR_FAMILIES);
    const points: OodSweepPoint[] = [];
    const organismsDir = path.join(o.runDir, "ood-organisms");
    for (const n of [1, 3, 5, 7]) {
        const preset = structuredClone(o.preset);
        preset.ia.trainFamilies = order.slice(0, n);
        const run = path.join(o.runDir, `families-${n}`);
        runPipeline({ preset, runDir: run, cacheDir: o.cacheDir, device: o.device, quiet: o.quiet });
        const r: OodSuiteReport = runOodSuite({ run, preset: sweepPreset(o.ood), organismsDir, device: o.device, quiet: o.quiet });
        const figures: OodSweepPoint["figures"] = {};
        for (const [config, metric] of SHOWN) {
            const s = r.summary.find((x) => x.condition === "ia-dpo" && x.config === config && x.metric === metric);
            figures[`${config}:${metric}`] = s ? { mean: s.mean, half: s.half, seeds: s.seeds, organisms: s.organisms } : null;
        }
        points.push({ families: order.slice(0, n), figures });
    }
    const f = (x: OodSweepPoint["figures"][string]) => (x ? `${pct(x.mean)}${x.seeds > 1 ? ` ± ${pct(x.half)}` : ""} (${x.organisms} org.)` : "–");
    const text = [
        "# Family-diversity sweep on the OOD suite (IA SFT+DPO, verified OOD organisms)", "",
        "| training families | verbalization (category) | correct description | summarization top-5 | top-5, AuditBench's 4 configurations |",
        "|---|---|---|---|---|",
        ...points.map((p) => `| ${p.families.length} (${p.families.join(", ")}) | ${SHOWN.map(([c, m]) => f(p.figures[`${c}:${m}`] ?? null)).join(" | ")} |`),
        "", `Reproduce: \`bin/ia bench --suite ood --sweep families --preset ${o.ood.name}\`.`, "",
    ].join("\n");
    writeJsonAtomic(path.join(o.runDir, "sweep-ood.json"), { sweep: "families", order, points });
    writeFileAtomic(path.join(o.runDir, "sweep-ood.md"), text);
    if (!o.quiet) process.stdout.write(`${text}\n`);
    return points;
}
