/**
 * `ia base [--preset nano|micro|small]` — build (or reuse) the tiny world's base chat model and report its
 * accuracy on held-out world questions.
 */
import type { CommandModule } from "yargs";
import { buildBase } from "../../base/buildBase.ts";
import { BASE_PRESETS } from "../../base/presets.ts";
import { COUNT, deviceOption, INT, TOP_P, num } from "../validate.ts";
import { resolveDevice } from "../../engine/runtime.ts";

interface Args {
    preset: string;
    seed: number;
    cache: string;
    steps?: number;
    observedTalk?: number;
    device: string;
}

const BaseCommand: CommandModule<object, Args> = {
    command: "base",
    describe: "Build the tiny world's base chat model (cached) and report held-out accuracy",
    builder: (y) =>
        y
            .option("preset", { choices: Object.keys(BASE_PRESETS), default: "nano", group: "Optional:" })
            .option("seed", num("seed", INT, { default: 1, group: "Optional:" }))
            .option("steps", num("steps", COUNT, { group: "Optional:", describe: "Override the preset's training steps" }))
            .option("observed-talk", num("observed-talk", TOP_P, { group: "Optional:", describe: "Append observed-behavior talk at this share of the corpus (src/base/observedTalk.ts)" }))
            .option("cache", { type: "string", default: ".cache", group: "Optional:" })
            .option("device", deviceOption()) as never,
    handler: (a) => {
        const info = buildBase({ preset: a.preset, seed: a.seed, cacheDir: `${a.cache}/base`, overrides: { ...(a.steps ? { steps: a.steps } : {}), ...(a.observedTalk ? { observedTalkRate: a.observedTalk } : {}) }, device: resolveDevice(a.device) });
        const e = info.evaluation;
        process.stdout.write(`${info.dir}\n${(info.parameters / 1e6).toFixed(2)}M parameters; held-out world questions ${(e.accuracy * 100).toFixed(1)}% [${(e.ci95[0] * 100).toFixed(1)}-${(e.ci95[1] * 100).toFixed(1)}] (n=${e.n})\n`);
        for (const [k, v] of Object.entries(e.byKind)) process.stdout.write(`  ${k.padEnd(14)} ${(v.accuracy * 100).toFixed(1)}% (n=${v.n})\n`);
    },
};
export default BaseCommand;
