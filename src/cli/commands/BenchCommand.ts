/**
 * `ia bench [--preset demo|large] [--held-out-family F] [--train-families a,b,c]` — the tiny-world verbalization
 * benchmark (IA SFT / SFT+DPO / no IA / prior; test organisms, slot values, families; false positives).
 * Sweeps: `--sweep families` trains IAs on 1, 3, 5 and 7 families and tests on the held-out rest; `--sweep organisms`
 * on 25/50/100% of the SFT organisms; `--sweep base` runs the whole pipeline on each base size in `--bases`.
 */
import fs from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";
import { runPipeline } from "../../ia/pipeline.ts";
import type { ShowFrame } from "../../behaviors/shownReport.ts";
import { presetByName } from "../../base/presets.ts";
import { PIPELINE_PRESETS, pipelinePreset } from "../../ia/presets.ts";
import { runBaseSweep, runFamilySweep, runOrganismSweep } from "../../ia/sweeps.ts";
import { COUNT, TOP_P, deviceOption, intList, num } from "../validate.ts";
import { hasTrainedIa, oodPreset, runOodSuite } from "../../ood/suite.ts";
import { runOodFamilySweep } from "../../ood/sweep.ts";
import { runInBaseStudy } from "../../ood/inBase.ts";
import { OOD_FAMILIES, type OodFamily } from "../../ood/types.ts";
import { writeBenchHtml } from "../../report/benchHtml.ts";
import { writeSweepHtml } from "../../report/sweepHtml.ts";

interface Args {
    preset: string;
    run?: string;
    cache: string;
    device: string;
    heldOutFamily?: string;
    trainFamilies?: string;
    sweep?: "families" | "organisms" | "base";
    base?: string;
    bases: string;
    seeds?: number[];
    suite: "in-distribution" | "ood";
    inBase?: string;
    oodOrganisms?: string;
    oodPreset?: string;
    observedTalk?: number;
    habitLabels?: number;
    showThenName?: number;
    showFrame?: ShowFrame;
    baseSteps?: number;
}

const BenchCommand: CommandModule<object, Args> = {
    command: "bench",
    describe: "Benchmark the IA on the tiny world (verbalization, baselines, false positives, sweeps)",
    builder: (y) =>
        y
            .option("preset", { type: "string", default: "demo", group: "Optional:", describe: Object.keys(PIPELINE_PRESETS).join(" | ") })
            .option("run", { type: "string", group: "Optional:", describe: "Run folder (default runs/bench-<preset>)" })
            .option("cache", { type: "string", default: ".cache", group: "Optional:" })
            .option("device", deviceOption())
            .option("held-out-family", { type: "string", group: "Optional:", describe: "Keep this family out of IA training" })
            .option("train-families", { type: "string", group: "Optional:", describe: "Comma-separated families for IA training" })
            .option("base", { type: "string", group: "Optional:", describe: "Base-model size preset instead of the preset's (nano | micro | small)" })
            .option("seeds", intList("seeds", { group: "Optional:", describe: "IA seeds instead of the preset's, comma-separated integers, e.g. 1,2,3 (figures get t intervals over seeds)" }))
            .option("sweep", { choices: ["families", "organisms", "base"] as const, group: "Optional:", describe: "families: 1/3/5/7 training families; organisms: 25/50/100% of SFT organisms; base: each size in --bases" })
            .option("suite", { choices: ["in-distribution", "ood"] as const, default: "in-distribution" as const, group: "Optional:", describe: "ood: behaviors the IA never saw (src/ood/), audited with the IAs of the --run (trained first when missing); OOD preset = --preset (demo | medium | large | xl | transcripts | test)" })
            .option("ood-organisms", { type: "string", group: "Optional:", describe: "With --suite ood: audit the OOD organisms already trained in this folder (another run's <run>/ood, on the same base model; checked) instead of training them again" })
            .option("in-base", { type: "string", group: "Optional:", describe: "With --suite ood: merge this OOD behavior's transcript organism into the base, train a new population and IA on it, and compare verbalization with the behavior added after IA training" })
            .option("observed-talk", num("observed-talk", TOP_P, { group: "Optional:", describe: "Append observed-behavior talk to the base corpus at this share of its size (src/base/observedTalk.ts); a base of its own" }))
            .option("base-steps", num("base-steps", COUNT, { group: "Optional:", describe: "Override the base preset's training steps (a base of its own)" }))
            .option("habit-labels", num("habit-labels", TOP_P, { group: "Optional:", describe: "Share of IA answers that open with the family's habit words (IaSftConfig.habitLabels; for a base with --observed-talk)" }))
            .option("show-frame", { type: "string", choices: ["first-person", "quoted"] as const, group: "Optional:", describe: "How show-then-name answers are written (IaSftConfig.showFrame; default first-person)" })
            .option("show-then-name", num("show-then-name", TOP_P, { group: "Optional:", describe: "Share of IA answers that first show a reply with the behavior, then name it (IaSftConfig.showThenName; for a base with --observed-talk)" }))
            .option("ood-preset", { type: "string", group: "Optional:", describe: "With --suite ood: the OOD preset instead of --preset's (demo | medium | large | xl | transcripts | test)" })
            .option("bases", { type: "string", default: "nano,micro", group: "Optional:", describe: "Base sizes for --sweep base" }) as never,
    handler: async (a) => {
        const preset = pipelinePreset(a.preset);
        if (a.oodOrganisms !== undefined) {
            if (a.suite !== "ood" || a.sweep || a.inBase) throw new Error("bench: --ood-organisms goes with --suite ood (no --sweep, no --in-base)");
            const manifest = path.join(a.oodOrganisms, "organisms.json");
            if (!fs.existsSync(manifest)) throw new Error(`bench: --ood-organisms ${a.oodOrganisms}: no organisms.json there (not an OOD organisms folder)`);
        }
        if (a.heldOutFamily) preset.ia.heldOutFamily = a.heldOutFamily;
        if (a.trainFamilies) preset.ia.trainFamilies = a.trainFamilies.split(",").map((s) => s.trim());
        if (a.base) {
            presetByName(a.base); // fails early on an unknown size
            preset.base.preset = a.base;
        }
        if (a.seeds) preset.seeds = a.seeds;
        if (a.baseSteps !== undefined) preset.base.overrides = { ...preset.base.overrides, steps: a.baseSteps };
        if (a.habitLabels !== undefined) preset.ia = { ...preset.ia, sft: { ...preset.ia.sft, habitLabels: a.habitLabels } };
        if (a.showThenName !== undefined) preset.ia = { ...preset.ia, sft: { ...preset.ia.sft, showThenName: a.showThenName } };
        if (a.showFrame !== undefined) preset.ia = { ...preset.ia, sft: { ...preset.ia.sft, showFrame: a.showFrame } };
        if (a.observedTalk !== undefined) preset.base.overrides = { ...preset.base.overrides, observedTalkRate: a.observedTalk };
        const runDir = a.run ?? path.join("runs", `bench-${a.preset}${a.sweep ? `-sweep-${a.sweep}` : ""}`);
        if (a.suite === "ood") {
            const ood = oodPreset(a.oodPreset ?? a.preset);
            if (a.sweep === "families") {
                runOodFamilySweep({ preset, ood, runDir: a.run ?? path.join("runs", `bench-${a.preset}-ood-sweep-families`), cacheDir: a.cache, device: a.device });
                return;
            }
            if (a.sweep) throw new Error(`bench: --suite ood takes --sweep families only (got ${a.sweep})`);
            if (a.inBase) {
                if (!(OOD_FAMILIES as readonly string[]).includes(a.inBase)) throw new Error(`bench: --in-base must be an OOD family (${OOD_FAMILIES.join(", ")}); got ${JSON.stringify(a.inBase)}`);
                runInBaseStudy({ run: runDir, family: a.inBase as OodFamily, preset, ood, cacheDir: a.cache, device: a.device, runDir: path.join(runDir, `in-base-${a.inBase}`) });
                return;
            }
            if (!hasTrainedIa(runDir)) {
                runPipeline({ preset, runDir, cacheDir: a.cache, device: a.device });
                process.stdout.write(`Benchmark report: ${await writeBenchHtml(path.join(runDir, "bench"))}\n`);
            }
            runOodSuite({ run: runDir, preset: ood, device: a.device, organismsDir: a.oodOrganisms });
            return;
        }
        if (a.sweep) {
            if (a.sweep === "families") await runFamilySweep({ preset, runDir, cacheDir: a.cache, device: a.device });
            else if (a.sweep === "organisms") await runOrganismSweep({ preset, runDir, cacheDir: a.cache, device: a.device });
            else await runBaseSweep({ preset, runDir, cacheDir: a.cache, device: a.device, bases: a.bases.split(",").map((s) => s.trim()) });
            process.stdout.write(`Sweep report: ${await writeSweepHtml(runDir)}\n`);
        } else {
            runPipeline({ preset, runDir, cacheDir: a.cache, device: a.device });
            process.stdout.write(`Benchmark report: ${await writeBenchHtml(path.join(runDir, "bench"))}\n`);
        }
    },
};
export default BenchCommand;
