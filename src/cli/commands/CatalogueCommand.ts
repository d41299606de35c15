/**
 * `ia catalogue [--per-family N] [--out specs.json]` — the tiny world's behavior catalogue (all 8 families plus
 * null and decoy controls), printed as a summary or written as a spec file for `ia organisms`.
 */
import type { CommandModule } from "yargs";
import { buildCatalogue } from "../../behaviors/catalogue.ts";
import { writeJsonAtomic } from "../../io/atomic.ts";
import { COUNT, FRACTION, INT, num } from "../validate.ts";

interface Args {
    perFamily: number;
    seed: number;
    heldOut: number;
    examples: number;
    out?: string;
}

const CatalogueCommand: CommandModule<object, Args> = {
    command: "catalogue",
    describe: "List or write the tiny world's behavior specs (8 families + controls, held-out slot values)",
    builder: (y) =>
        y
            .option("per-family", num("per-family", COUNT, { default: 100, group: "Optional:", describe: "Organisms per family" }))
            .option("seed", num("seed", INT, { default: 1, group: "Optional:" }))
            .option("held-out", num("held-out", FRACTION, { default: 0.15, group: "Optional:", describe: "Fraction of slot values held out" }))
            .option("examples", num("examples", COUNT, { default: 256, group: "Optional:", describe: "Training conversations per organism" }))
            .option("out", { type: "string", group: "Optional:", describe: "Write the specs as a JSON array" }) as never,
    handler: (a) => {
        const specs = buildCatalogue({ seed: a.seed, perFamily: a.perFamily, heldOutFraction: a.heldOut, examples: a.examples });
        if (a.out) {
            writeJsonAtomic(a.out, specs);
            process.stderr.write(`wrote ${specs.length} specs to ${a.out}\n`);
            return;
        }
        const by = new Map<string, typeof specs>();
        for (const s of specs) by.set(s.family, [...(by.get(s.family) ?? []), s]);
        for (const [family, list] of by) {
            const held = list.filter((s) => s.split === "heldout").length;
            process.stdout.write(`${family.padEnd(12)} ${String(list.length).padStart(4)} organisms (${held} with held-out slot values)  e.g. "${list[0]!.label}"\n`);
        }
    },
};
export default CatalogueCommand;
