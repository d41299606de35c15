/**
 * `ia bench-engine`: the engine benchmark (bench/engine.ts): LoRA SFT step and KV-cache decoding tokens/s for
 * tiny, small and Qwen3-0.6B-shaped models, next to the PyTorch eager baseline run in the same session.
 * Prints a table and writes bench/results/engine-<date>.json. Run through bin/ia (or `make bench`) so the
 * allocator and OpenMP environment of scripts/env.sh apply.
 */
import type { CommandModule } from "yargs";
import { runAndReport } from "../../../bench/engine.ts";
import { NON_NEGATIVE, num } from "../validate.ts";

interface BenchEngineArgs {
    /** Comma-separated config names. Default "tiny,small,0.6b". */
    configs: string;
    /** Fewer timed steps (smoke run). Default false. */
    quick: boolean;
    /** Skip the PyTorch baseline. Default false. */
    torch: boolean;
    /** Output folder for the JSON. Default bench/results. */
    out?: string;
    /** Longest wait for a quiet machine before each timed phase, seconds. Default 20. */
    "max-quiet-wait": number;
}

const BenchEngineCommand: CommandModule<object, BenchEngineArgs> = {
    command: "bench-engine",
    describe: "Benchmark the engine (LoRA SFT step, KV-cache decoding) against PyTorch eager on this machine",
    builder: (y) =>
        y
            .option("configs", { type: "string", default: "tiny,small,0.6b", describe: "Configs to run (tiny, small, 0.6b)", group: "Optional:" })
            .option("quick", { type: "boolean", default: false, describe: "Fewer timed steps: a smoke run, not figures to report", group: "Optional:" })
            .option("torch", { type: "boolean", default: true, describe: "Run the PyTorch eager baseline (--no-torch to skip)", group: "Optional:" })
            .option("out", { type: "string", describe: "Folder for engine-<date>.json (default bench/results)", group: "Optional:" })
            .option("max-quiet-wait", num("max-quiet-wait", NON_NEGATIVE, { default: 20, describe: "Seconds to wait for an idle machine before each timed phase (0: don't wait)", group: "Optional:" })) as never,
    handler: async (argv) => {
        const configs = argv.configs.split(",").map((s) => s.trim()).filter(Boolean);
        const wait = argv["max-quiet-wait"];
        if (!(wait >= 0)) throw new Error(`bench-engine: --max-quiet-wait must be >= 0, got ${wait}`);
        await runAndReport({ configs, quick: argv.quick, noTorch: !argv.torch, outDir: argv.out, maxQuietWaitS: wait });
    },
};

export default BenchEngineCommand;
