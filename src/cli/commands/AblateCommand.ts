/**
 * `ia ablate --preset demo --points baseline,greedy,k2,... [--seeds 1,2,3] [--run R]` — IA recipe ablations on the
 * validation group only, each over several IA seeds, on the preset's cached base model and population. Writes
 * R/ablation.{md,json}; IA stages and sampled reports are reused by later points and reruns.
 */
import fs from "node:fs";
import path from "node:path";
import type { CommandModule } from "yargs";
import { runAblations } from "../../ablate/run.ts";
import { ABLATION_POINTS } from "../../ablate/points.ts";
import { PIPELINE_PRESETS, pipelinePreset } from "../../ia/presets.ts";
import { deviceOption, intList } from "../validate.ts";

interface Args {
    preset: string;
    points: string;
    seeds: number[];
    run?: string;
    cache: string;
    device: string;
}

const AblateCommand: CommandModule<object, Args> = {
    command: "ablate",
    describe: "IA recipe ablations on the validation group (several IA seeds each; chooses settings without touching test organisms)",
    builder: (y) =>
        y
            .option("preset", { type: "string", default: "demo", group: "Optional:", describe: `Pipeline preset whose base model and population the points share: ${Object.keys(PIPELINE_PRESETS).join(" | ")}` })
            .option("points", { type: "string", default: "baseline,baseline-dpo", group: "Optional:", describe: `Comma-separated points: ${Object.keys(ABLATION_POINTS).join(", ")}` })
            .option("seeds", intList("seeds", { default: "1,2,3", group: "Optional:", describe: "IA seeds, comma-separated integers" }))
            .option("run", { type: "string", group: "Optional:", describe: "Run folder (default runs/ablate-<preset>)" })
            .option("cache", { type: "string", default: ".cache", group: "Optional:", describe: "Cache of base models and populations" })
            .option("device", deviceOption()) as never,
    handler: (a) => {
        const points = a.points.split(",").map((s) => s.trim()).filter(Boolean);
        const preset = pipelinePreset(a.preset);
        const runDir = a.run ?? path.join("runs", `ablate-${a.preset}`);
        runAblations({ preset, points, seeds: a.seeds, runDir, cacheDir: a.cache, device: a.device });
        process.stdout.write(fs.readFileSync(path.join(runDir, "ablation.md"), "utf8"));
    },
};
export default AblateCommand;
