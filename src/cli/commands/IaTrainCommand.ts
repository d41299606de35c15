/**
 * `ia ia-train --base DIR --population DIR --out DIR [--preset paper|tiny]` — train an introspection adapter on a
 * verified organism population (built by `ia organisms`): the released split (SFT / DPO / test), SFT with each
 * organism's adapter frozen under the IA, then DPO on the held-out DPO organisms. Writes seed-N/ia-sft/adapter and
 * seed-N/ia-dpo/adapter (PEFT folders) and groups.json (which organism went where).
 */
import path from "node:path";
import type { CommandModule } from "yargs";
import { IA_PRESETS } from "../../ia/config.ts";
import { checkGroups, drawGroups, groupsFile } from "../../ia/groups.ts";
import { loadSubjectBank } from "../../ia/subjects.ts";
import { allSubjects, trainIaSeeds } from "../../ia/trainIa.ts";
import { initEngine } from "../../engine/runtime.ts";
import { writeJsonAtomic } from "../../io/atomic.ts";
import { loadModel } from "../../model/weights.ts";
import { readManifest } from "../../organisms/manifest.ts";
import { ChatTokenizer } from "../../tokenizer/ChatTokenizer.ts";
import { deviceOption, intList, modelFolderOption, num, POSITIVE } from "../validate.ts";
import { resolveDevice } from "../../engine/runtime.ts";

interface Args {
    base: string;
    population: string;
    out: string;
    preset: "paper" | "tiny";
    seeds: number[];
    heldOutFamily?: string;
    device: string;
    lr?: number;
}

const IaTrainCommand: CommandModule<object, Args> = {
    command: "ia-train",
    describe: "Train an introspection adapter (SFT, then DPO) on a verified organism population",
    builder: (y) =>
        y
            .option("base", modelFolderOption("base", { demandOption: true, group: "Required:", describe: "Base model folder" }))
            .option("population", { type: "string", demandOption: true, group: "Required:", describe: "Population folder (manifest.json)" })
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Output folder" })
            .option("preset", { choices: ["paper", "tiny"] as const, default: "paper" as const, group: "Optional:", describe: "Hyperparameters (src/ia/config.ts)" })
            .option("seeds", intList("seeds", { default: "1", group: "Optional:", describe: "IA seeds, comma-separated integers (e.g. 1,2,3): one IA per seed" }))
            .option("held-out-family", { type: "string", group: "Optional:", describe: "Keep this family out of training" })
            .option("lr", num("lr", POSITIVE, { group: "Optional:", describe: "Override the SFT learning rate" }))
            .option("device", deviceOption()) as never,
    handler: (a) => {
        initEngine();
        const manifest = readManifest(a.population);
        if (!manifest) throw new Error(`${a.population}: no manifest.json (build the population with \`ia organisms\` first)`);
        const ia = structuredClone(IA_PRESETS[a.preset]);
        if (a.heldOutFamily) ia.heldOutFamily = a.heldOutFamily;
        if (a.lr !== undefined) ia.sft.lr = a.lr;
        const draw = drawGroups(manifest.organisms, { split: ia.split, heldOutFamily: ia.heldOutFamily, trainFamilies: ia.trainFamilies });
        checkGroups(draw, a.population, [{ role: "sft", min: 2 }, { role: "dpo", min: 1 }]);
        const groups = draw.groups;
        if (groups.test.length === 0) process.stderr.write(`warning: ${a.population}: no verified test organisms in this population's split; the IA can be trained but not benchmarked on test organisms of this population\n`);
        writeJsonAtomic(path.join(a.out, "groups.json"), groupsFile(draw));
        writeJsonAtomic(path.join(a.out, "config.json"), { base: path.resolve(a.base), population: path.resolve(a.population), ia, seeds: a.seeds });
        const tok = ChatTokenizer.fromFolder(a.base);
        const model = loadModel(a.base, { device: resolveDevice(a.device) });
        const everyone = allSubjects(groups);
        const subjects = loadSubjectBank(model, a.population, everyone, { includeBase: true });
        try {
            const dirs = trainIaSeeds({ model, tok, subjects, everyone, groups, ia, seeds: a.seeds, runDir: a.out, baseModel: path.resolve(a.base) });
            for (const d of dirs) process.stdout.write(`seed ${d.seed}: IA after SFT ${d.sft}; after DPO ${d.dpo}\n`);
        } finally {
            subjects.bank.dispose();
            model.dispose();
        }
    },
};
export default IaTrainCommand;
