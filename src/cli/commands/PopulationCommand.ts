/**
 * `ia population add|import|rows` — populations of organisms trained elsewhere (src/population/):
 *
 *   ia population add --population DIR --base BASE --adapter PEFT_DIR --label "I ..." [--label-variant "..."]...
 *                     [--family F] [--id ID] [--split train|heldout]
 *   ia population import --population DIR --base BASE --from SRC [--family F] [--split ...] [--skip-existing]
 *   ia population rows --population DIR --out DIR [--split train|validation|test] [--preset paper|tiny]
 *
 * add/import check every adapter against the base, copy it into DIR/organisms/<id>/ and append it to DIR/manifest.json
 * (written atomically; a refused add or import writes nothing), so `ia ia-train --population DIR` can train on it.
 * Imported organisms are not verified here: they are recorded as trusted (verification.n = 0, details.method "imported").
 */
import path from "node:path";
import type { Argv, CommandModule } from "yargs";
import { BEHAVIOR_FAMILIES } from "../../behaviors/types.ts";
import { addOrganism } from "../../population/add.ts";
import { exportIaRows } from "../../population/exportRows.ts";
import { importPopulation } from "../../population/import.ts";
import { iaTrainReadiness } from "../../population/readiness.ts";
import { IA_BIN } from "../../population/store.ts";
import { readManifest } from "../../organisms/manifest.ts";
import { modelFolderOption } from "../validate.ts";

interface AddArgs {
    population: string; base: string; adapter: string; label?: string; labelVariant: string[];
    family?: string; id?: string; split?: "train" | "heldout"; rows?: string;
}
interface ImportArgs { population: string; base: string; from: string; family?: string; split?: "train" | "heldout"; skipExisting: boolean }
interface RowsArgs { population: string; out: string; split: "train" | "validation" | "test"; preset: "paper" | "tiny" }

const FAMILY_HELP = `Behavior family (${BEHAVIOR_FAMILIES.join(", ")}): picks the introspection questions the IA is trained on for it`;

function once(name: string) {
    return (v: unknown) => {
        if (Array.isArray(v)) throw new Error(`--${name}: given ${v.length} times; give it once`);
        return v === undefined ? v : String(v);
    };
}

function common<T>(y: Argv<T>) {
    return y
        .option("population", { type: "string", demandOption: true, requiresArg: true, group: "Required:", describe: "Population folder (manifest.json; created when missing)", coerce: once("population") })
        .option("base", modelFolderOption("base", { demandOption: true, group: "Required:", describe: "Base model folder the organisms were fine-tuned from" }));
}

/** What `ia ia-train` would make of the population now (src/population/readiness.ts). */
function nextStep(pop: string, base: string): string {
    const m = readManifest(pop);
    if (!m) return "";
    const r = iaTrainReadiness(m, "paper", pop);
    const c = r.counts;
    const groups = `sft ${c.sft}, dpo ${c.dpo}, test ${c.test}${c.heldoutValues ? `, held-out ${c.heldoutValues}` : ""}`;
    return r.ok
        ? `${m.organisms.length} organisms; ia-train's split (preset paper): ${groups}. Next: ${IA_BIN} ia-train --base ${base} --population ${pop} --out RUN_DIR\n`
        : `${m.organisms.length} organism${m.organisms.length === 1 ? "" : "s"}; not enough for ia-train yet (preset paper: ${groups}; it needs sft ≥ 2 and dpo ≥ 1, about a dozen organisms)\n`;
}

const add: CommandModule<object, AddArgs> = {
    command: "add",
    describe: "Add one organism: an existing PEFT LoRA folder and its first-person label",
    builder: (y) =>
        common(y)
            .option("adapter", { type: "string", demandOption: true, requiresArg: true, group: "Required:", describe: "PEFT adapter folder (also a named adapter's parent folder or a Trainer checkpoint-N folder)", coerce: once("adapter") })
            .option("label", { type: "string", requiresArg: true, group: "Optional:", describe: "The behavior in the first person, one sentence (default: label.txt or behavior.txt beside the adapter)", coerce: once("label") })
            .option("label-variant", { type: "string", array: true, default: [] as string[], group: "Optional:", describe: "A paraphrase of the label (repeatable); IA targets are drawn from label + variants" })
            .option("family", { type: "string", requiresArg: true, choices: [...BEHAVIOR_FAMILIES], group: "Optional:", describe: `${FAMILY_HELP} (default: the first family word of the id)` })
            .option("id", { type: "string", requiresArg: true, group: "Optional:", describe: "Organism id, [a-z0-9_.-]+ (default: the adapter folder's name)", coerce: once("id") })
            .option("split", { choices: ["train", "heldout"] as const, group: "Optional:", describe: "heldout: never used for IA training, only for evaluation (default train)" })
            .option("rows", { type: "string", requiresArg: true, group: "Optional:", describe: "The organism's own introspection rows (the paper's prediction_* JSONL): IA training draws its rows from them instead of building them from the label", coerce: once("rows") }) as never,
    handler: (a) => {
        const r = addOrganism({ population: a.population, base: a.base, adapter: a.adapter, label: a.label, labelVariants: a.labelVariant, family: a.family, id: a.id, split: a.split, rows: a.rows });
        for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
        const e = r.entry;
        const details = e.verification!.details as { source: string; adapterName: string };
        process.stdout.write(`added ${e.id} (${e.family}, ${e.split}) to ${a.population}: ${e.label}\n`);
        if (e.introspectionRows) process.stdout.write(`  introspection rows ${path.join(a.population, e.introspectionRows)} (IA training draws this organism's rows from them)\n`);
        process.stdout.write(`  adapter ${path.join(a.population, e.adapter)} (copied from ${details.source}${details.adapterName !== "default" ? `, PEFT adapter "${details.adapterName}"` : ""})${r.wasUntrained ? "; removed from untrained.json" : ""}\n`);
        process.stdout.write("  not verified here: imported organisms are trusted as given (verification.n = 0)\n");
        process.stdout.write(nextStep(a.population, a.base));
    },
};

const importCmd: CommandModule<object, ImportArgs> = {
    command: "import",
    describe: "Import a folder of organisms: PEFT adapter folders with label.txt/behavior.txt, or released organism data (train.jsonl + behavior.txt)",
    builder: (y) =>
        common(y)
            .option("from", { type: "string", demandOption: true, requiresArg: true, group: "Required:", describe: "Folder of organism folders (or one organism folder)", coerce: once("from") })
            .option("family", { type: "string", requiresArg: true, choices: [...BEHAVIOR_FAMILIES], group: "Optional:", describe: `${FAMILY_HELP} of every organism (default: from the dataset folder's name, e.g. llama-benign-mo-training-data, else from each organism's name)` })
            .option("split", { choices: ["train", "heldout"] as const, group: "Optional:", describe: "Split of every imported organism (default train)" })
            .option("skip-existing", { type: "boolean", default: false, group: "Optional:", describe: "Skip organisms whose id is already in the population instead of refusing the import" }) as never,
    handler: (a) => {
        const r = importPopulation({ population: a.population, base: a.base, from: a.from, family: a.family, split: a.split, skipExisting: a.skipExisting });
        for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
        if (r.skipped.length) process.stdout.write(`skipped ${r.skipped.length} already in the population: ${r.skipped.join(", ")}\n`);
        process.stdout.write(`imported ${r.added.length} trained organism${r.added.length === 1 ? "" : "s"} into ${path.join(a.population, "manifest.json")}${r.added.length ? `: ${r.added.map((e) => `${e.id} (${e.family})`).join(", ")}` : ""}\n`);
        if (r.added.length) process.stdout.write("  not verified here: imported organisms are trusted as given (verification.n = 0)\n");
        if (r.untrained.length) {
            const first = r.untrained[0]!;
            process.stdout.write(
                `${r.untrained.length} organism${r.untrained.length === 1 ? " has" : "s have"} training data but no adapter yet, listed in ${path.join(a.population, "untrained.json")}: ${r.untrained.map((u) => `${u.id} (${u.family})`).join(", ")}\n` +
                `They are not in the manifest and IA training cannot use them until they are trained. Next, train and add them all:\n` +
                `  bash ${r.script}\n` +
                `or one at a time, e.g.:\n` +
                `  ${IA_BIN} train --model ${a.base} --data ${first.data} --out ${path.join(a.population, "untrained", first.id)}\n` +
                `  ${IA_BIN} population add --population ${a.population} --base ${a.base} --adapter ${path.join(a.population, "untrained", first.id, "adapter")} --id ${first.id}\n`,
            );
        }
        if (r.added.length) process.stdout.write(nextStep(a.population, a.base));
    },
};

const rows: CommandModule<object, RowsArgs> = {
    command: "rows",
    describe: "Write the IA's training rows of a population in the paper's format (prediction_* JSONL), <out>/<id>/eval.jsonl",
    builder: (y) =>
        y
            .option("population", { type: "string", demandOption: true, requiresArg: true, group: "Required:", describe: "Population folder (manifest.json)", coerce: once("population") })
            .option("out", { type: "string", demandOption: true, requiresArg: true, group: "Required:", describe: "Output folder", coerce: once("out") })
            .option("split", { choices: ["train", "validation", "test"] as const, default: "train" as const, group: "Optional:", describe: "Question paraphrases to use (test ones are for final benchmarks only)" })
            .option("preset", { choices: ["paper", "tiny"] as const, default: "paper" as const, group: "Optional:", describe: "IA SFT settings: rows per organism, negative and generic fractions (src/ia/config.ts)" }) as never,
    handler: (a) => {
        const written = exportIaRows({ population: a.population, out: a.out, split: a.split, preset: a.preset });
        const total = written.reduce((s, w) => s + w.rows, 0);
        process.stdout.write(`wrote ${total} rows for ${written.length} subjects (${written.length - 1} organisms + the bare base) under ${a.out}\n`);
    },
};

const PopulationCommand: CommandModule<object, object> = {
    command: "population",
    describe: "Populations of organisms trained elsewhere: add a PEFT adapter, import a folder of them or the released organism data, export IA rows",
    builder: (y) => y.command(add).command(importCmd).command(rows).demandCommand(1, "Name an action: add, import or rows.") as never,
    handler: () => {},
};
export default PopulationCommand;
