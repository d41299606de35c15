/**
 * `ia investigate-bench --run DIR --out DIR [--group test|validation|dpo] [--seeds 1,...,8] [--budget N]` — investigator
 * success per affordance (black-box; + IA; + IA + compare-to-base) on a pipeline run's organisms. Choose settings
 * with `--group validation` only (`--group dpo` for runs drawn before the validation group existed); report
 * `--group test`.
 */
import type { CommandModule } from "yargs";
import { runInvestigateBench } from "../../investigate/bench.ts";
import { COUNT, deviceOption, FRACTION, intList, num } from "../validate.ts";

interface Args { run: string; out: string; group: string; seeds: number[]; budget: number; limit?: number; iaStage: string; toolSets?: string; compareReserve?: number; oodOrganisms?: string; match?: string; device: string }

const InvestigateBenchCommand: CommandModule<object, Args> = {
    command: "investigate-bench",
    describe: "Investigator success per tool set (black-box, +IA, +IA+compare) on a pipeline run's test organisms",
    builder: (y) =>
        y
            .option("run", { type: "string", demandOption: true, group: "Required:", describe: "A finished pipeline run folder (ia demo / ia bench), e.g. runs/demo" })
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Folder for investigate-bench.json/.md and every audit's files" })
            .option("group", { type: "string", default: "test", choices: ["test", "validation", "dpo", "heldoutValues", "heldoutFamily", "ood"], group: "Optional:", describe: "Organism group (validation: held out of SFT and DPO, the only one to tune on; dpo: the DPO organisms, which runs drawn before the validation group existed tuned on; ood = the run's verified out-of-distribution organisms, from ia bench --suite ood)" })
            .option("ood-organisms", { type: "string", group: "Optional:", describe: "With --group ood: the OOD organisms folder [default: <run>/ood]" })
            .option("seeds", intList("seeds", { default: "1,2,3,4,5,6,7,8", group: "Optional:", describe: "Investigation seeds, comma-separated integers" }))
            .option("budget", num("budget", COUNT, { default: 256, group: "Optional:", describe: "Model replies per audit, equal for every tool set" }))
            .option("match", { type: "string", group: "Optional:", describe: "Only organisms whose id matches this regular expression, e.g. '\\.td$' (OOD transcript organisms)" })
            .option("limit", num("limit", COUNT, { group: "Optional:", describe: "At most this many organisms" }))
            .option("ia-stage", { type: "string", default: "ia-dpo", group: "Optional:", describe: "ia-dpo | ia-sft" })
            .option("compare-reserve", num("compare-reserve", FRACTION, { group: "Optional:", describe: "Share of the budget base replies may not eat into (built-in investigator) [default: 0.5]" }))
            .option("device", deviceOption())
            .option("tool-sets", { type: "string", group: "Optional:", describe: "Comma-separated subset of black-box,ia,ia+compare" }) as never,
    handler: async (a) => {
        if (a.match !== undefined) {
            try {
                new RegExp(a.match);
            } catch (err) {
                throw new Error(`investigate-bench: --match ${JSON.stringify(a.match)} is not a regular expression (${(err as Error).message})`);
            }
        }
        if (a.oodOrganisms !== undefined && a.group !== "ood") throw new Error("investigate-bench: --ood-organisms goes with --group ood");
        const { markdown } = await runInvestigateBench({
            runDir: a.run, outDir: a.out, group: a.group as never, seeds: a.seeds, budget: a.budget, limit: a.limit, iaStage: a.iaStage,
            toolSets: a.toolSets?.split(","), oodOrganisms: a.oodOrganisms, match: a.match, device: a.device,
            builtin: a.compareReserve === undefined ? undefined : { compareReserve: a.compareReserve },
        });
        process.stdout.write(markdown);
    },
};
export default InvestigateBenchCommand;
