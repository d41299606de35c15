/**
 * `ia organisms --base DIR --specs FILE --out DIR` — synthesize data, train (batched) and verify one LoRA organism
 * per behavior spec; PEFT adapter folders plus manifest.json. Resumable.
 */
import fs from "node:fs";
import type { CommandModule } from "yargs";
import { parseSpecJson } from "../../behaviors/spec.ts";
import { ORGANISM_DEFAULTS } from "../../organisms/config.ts";
import { buildPopulation } from "../../organisms/population.ts";
import { COUNT, deviceOption, modelFolderOption, num, POSITIVE } from "../validate.ts";
import { resolveDevice } from "../../engine/runtime.ts";

interface Args {
    base: string;
    specs: string;
    out: string;
    bankSize: number;
    epochs: number;
    lr: number;
    device: string;
    rank: number;
    probes: number;
}

const OrganismsCommand: CommandModule<object, Args> = {
    command: "organisms",
    describe: "Train and verify model organisms (LoRA adapters) from behavior specs, many at once",
    builder: (y) =>
        y
            .option("base", modelFolderOption("base", { demandOption: true, group: "Required:", describe: "Base model folder" }))
            .option("specs", { type: "string", demandOption: true, group: "Required:", describe: "JSON file: one spec or an array (see src/behaviors/README.md)" })
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Population folder" })
            .option("bank-size", num("bank-size", COUNT, { default: ORGANISM_DEFAULTS.bankSize, group: "Optional:", describe: "Organisms trained together" }))
            .option("epochs", num("epochs", COUNT, { default: ORGANISM_DEFAULTS.epochs, group: "Optional:" }))
            .option("lr", num("lr", POSITIVE, { default: ORGANISM_DEFAULTS.lr, group: "Optional:" }))
            .option("rank", num("rank", COUNT, { default: ORGANISM_DEFAULTS.lora.r, group: "Optional:", describe: "LoRA rank (alpha = 2 × rank)" }))
            .option("probes", num("probes", COUNT, { default: 24, group: "Optional:", describe: "Verification probes per organism" }))
            .option("device", deviceOption()) as never,
    handler: (a) => {
        let text: string;
        try {
            text = fs.readFileSync(a.specs, "utf8");
        } catch (e) {
            throw new Error(`${a.specs}: cannot read (${(e as Error).message})`);
        }
        const specs = parseSpecJson(text, a.specs);
        const m = buildPopulation({ baseModel: a.base, specs, outDir: a.out, config: { bankSize: a.bankSize, epochs: a.epochs, lr: a.lr, lora: { r: a.rank, alpha: 2 * a.rank, dropout: 0, useRslora: false, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] } }, verifyProbes: a.probes, device: resolveDevice(a.device) });
        const failed = m.organisms.filter((e) => !e.verification?.passed);
        process.stdout.write(`${m.organisms.length} organisms in ${a.out}; ${m.organisms.length - failed.length} verified, ${failed.length} failed${failed.length ? `: ${failed.map((e) => e.id).join(", ")}` : ""}\n`);
    },
};
export default OrganismsCommand;
