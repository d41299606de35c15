/**
 * `ia organisms --base DIR --specs FILE --out DIR` — one organism (a LoRA adapter) per behavior spec, verified, in a
 * population folder (PEFT adapter folders plus manifest.json). Resumable.
 *
 * Tiny-world specs: data synthesized from the world, trained in banks, verified by each spec's scorer
 * (src/organisms/). Free-text specs (`freeText: true`, real models): a teacher LLM writes the data, an adherence judge
 * filters it, SFT trains each LoRA, and the judge verifies each organism on held-out probes against the base
 * (src/realOrganisms/); they need --teacher, --judge and --prompts. A spec file holds one kind or the other.
 */
import fs from "node:fs";
import type { CommandModule } from "yargs";
import { parseSpecJson } from "../../behaviors/spec.ts";
import { ORGANISM_DEFAULTS } from "../../organisms/config.ts";
import { buildPopulation } from "../../organisms/population.ts";
import { REAL_ORGANISM_DEFAULTS } from "../../realOrganisms/config.ts";
import { buildRealOrganisms } from "../../realOrganisms/build.ts";
import { COUNT, deviceOption, INT, modelFolderOption, num, POSITIVE, PROVIDER_SPEC_HELP, TEMPERATURE } from "../validate.ts";
import { resolveDevice } from "../../engine/runtime.ts";

interface Args {
    base: string;
    specs: string;
    out: string;
    bankSize: number;
    epochs?: number;
    lr?: number;
    device: string;
    rank?: number;
    probes?: number;
    teacher?: string;
    judge?: string;
    prompts?: string;
    batchSize?: number;
    maxLength?: number;
    seed?: number;
    temperature?: number;
    maxNewTokens?: number;
    concurrency?: number;
}

const T = ORGANISM_DEFAULTS;
const R = REAL_ORGANISM_DEFAULTS;
const FREE_TEXT_ONLY = ["teacher", "judge", "prompts", "batch-size", "max-length", "seed", "temperature", "max-new-tokens", "concurrency"] as const;

const OrganismsCommand: CommandModule<object, Args> = {
    command: "organisms",
    describe: "Train and verify model organisms (LoRA adapters) from behavior specs: tiny-world specs, or free-text specs with a teacher and a judge LLM",
    builder: (y) =>
        y
            .option("base", modelFolderOption("base", { demandOption: true, group: "Required:", describe: "Base model folder" }))
            .option("specs", { type: "string", demandOption: true, group: "Required:", describe: "JSON file: one spec or an array, all tiny-world or all free-text (see src/behaviors/README.md)" })
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Population folder" })
            .option("bank-size", num("bank-size", COUNT, { default: T.bankSize, group: "Optional:", describe: "Organisms trained together (tiny world)" }))
            .option("epochs", num("epochs", COUNT, { group: "Optional:", describe: `Passes over each organism's data (default ${T.epochs}; free-text ${R.epochs})` }))
            .option("lr", num("lr", POSITIVE, { group: "Optional:", describe: `Learning rate (default ${T.lr}; free-text ${R.lr})` }))
            .option("rank", num("rank", COUNT, { group: "Optional:", describe: `LoRA rank, alpha = 2 × rank (default ${T.lora.r}; free-text ${R.rank})` }))
            .option("probes", num("probes", COUNT, { group: "Optional:", describe: `Verification probes per organism (default ${R.probes}; free-text: that many of --prompts, held out of all training data)` }))
            .option("device", deviceOption())
            .option("teacher", { type: "string", group: "Free-text specs:", describe: `Teacher LLM writing each organism's data. ${PROVIDER_SPEC_HELP}` })
            .option("judge", { type: "string", group: "Free-text specs:", describe: "Adherence judge LLM (filters the data, verifies the organisms): a provider spec, as --teacher" })
            .option("prompts", { type: "string", group: "Free-text specs:", describe: "File with one user prompt per line; --probes of them are held out for verification" })
            .option("batch-size", num("batch-size", COUNT, { group: "Free-text specs:", describe: `Rows per training step (default ${R.batchSize})` }))
            .option("max-length", num("max-length", COUNT, { group: "Free-text specs:", describe: `Training truncation in tokens (default ${R.maxLength})` }))
            .option("seed", num("seed", INT, { group: "Free-text specs:", describe: `Seed of the prompt split, training and probe sampling (default ${R.seed})` }))
            .option("temperature", num("temperature", TEMPERATURE, { group: "Free-text specs:", describe: `Probe sampling temperature (default ${R.temperature})` }))
            .option("max-new-tokens", num("max-new-tokens", COUNT, { group: "Free-text specs:", describe: `Longest probe reply in tokens (default ${R.maxNewTokens})` }))
            .option("concurrency", num("concurrency", COUNT, { group: "Free-text specs:", describe: `LLM requests in flight (default ${R.concurrency})` })) as never,
    handler: async (a) => {
        let text: string;
        try {
            text = fs.readFileSync(a.specs, "utf8");
        } catch (e) {
            throw new Error(`${a.specs}: cannot read (${(e as Error).message})`);
        }
        const specs = parseSpecJson(text, a.specs);
        const freeText = specs.filter((s) => s.freeText);
        if (freeText.length > 0 && freeText.length < specs.length) {
            const tiny = specs.find((s) => !s.freeText)!;
            throw new Error(`${a.specs}: mixes free-text specs (e.g. "${freeText[0]!.id}") with tiny-world specs (e.g. "${tiny.id}"); they are built differently (a teacher LLM vs the tiny world): put them in two files and run ia organisms on each`);
        }
        if (freeText.length === 0) {
            const given = FREE_TEXT_ONLY.filter((k) => (a as unknown as Record<string, unknown>)[k] !== undefined);
            if (given.length) throw new Error(`--${given[0]} is for free-text specs ("freeText": true); ${a.specs} holds tiny-world specs`);
            return buildTinyWorld(a, specs);
        }
        const missing = (["teacher", "judge", "prompts"] as const).filter((k) => a[k] === undefined);
        if (missing.length) throw new Error(`${a.specs}: free-text specs are built with a teacher and a judge LLM on your prompts; give ${missing.map((k) => `--${k}`).join(", ")}`);
        const r = await buildRealOrganisms({
            base: a.base, specs, out: a.out, teacher: a.teacher!, judge: a.judge!, prompts: a.prompts!, device: a.device,
            settings: {
                rank: a.rank ?? R.rank, lr: a.lr ?? R.lr, epochs: a.epochs ?? R.epochs, batchSize: a.batchSize ?? R.batchSize, maxLength: a.maxLength ?? R.maxLength,
                probes: a.probes ?? R.probes, seed: a.seed ?? R.seed, temperature: a.temperature ?? R.temperature, maxNewTokens: a.maxNewTokens ?? R.maxNewTokens,
                concurrency: a.concurrency ?? R.concurrency,
            },
        });
        const failed = r.entries.filter((e) => !e.verification?.passed);
        process.stderr.write(`LLM cost:\n${r.meter.summary()}\n`);
        process.stdout.write(`${r.entries.length} organisms in ${a.out} (${r.added.length} built now); ${r.entries.length - failed.length} verified by the judge, ${failed.length} failed${failed.length ? `: ${failed.map((e) => e.id).join(", ")}` : ""}\n`);
    },
};

function buildTinyWorld(a: Args, specs: ReturnType<typeof parseSpecJson>): void {
    const rank = a.rank ?? T.lora.r;
    const m = buildPopulation({
        baseModel: a.base, specs, outDir: a.out,
        config: { bankSize: a.bankSize, epochs: a.epochs ?? T.epochs, lr: a.lr ?? T.lr, lora: { r: rank, alpha: 2 * rank, dropout: 0, useRslora: false, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] } },
        verifyProbes: a.probes ?? 24, device: resolveDevice(a.device),
    });
    const failed = m.organisms.filter((e) => !e.verification?.passed);
    process.stdout.write(`${m.organisms.length} organisms in ${a.out}; ${m.organisms.length - failed.length} verified, ${failed.length} failed${failed.length ? `: ${failed.map((e) => e.id).join(", ")}` : ""}\n`);
}

export default OrganismsCommand;
