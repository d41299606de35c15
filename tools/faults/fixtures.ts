/**
 * Inputs shared by the fault scenarios, built once per harness run (in-process, uninterrupted): the `test`-size
 * base model, chat JSONL for `ia train`, behavior specs for `ia organisms`, and a population for `ia ia-train`.
 */
import fs from "node:fs";
import path from "node:path";
import { buildBase } from "../../src/base/buildBase.ts";
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import type { BehaviorSpec, Family } from "../../src/behaviors/types.ts";
import { writeManifest } from "../../src/organisms/manifest.ts";
import { buildPopulation } from "../../src/organisms/population.ts";
import { generateBaseCorpus } from "../../src/world/index.ts";

export interface Fixtures {
    base: string;
    data: string;
    specs: string;
    population: string;
}

export interface FixtureSizes {
    /** Conversations in the `ia train` data. */
    conversations: number;
    /** Organisms per family in the specs (nulls and decoys included). */
    perFamily: number;
    /** Training examples per organism. */
    examples: number;
    /** Families in the specs. Default all ten. */
    families?: Family[];
    /** Organisms trained together (`ia organisms --bank-size`). */
    bankSize: number;
}

/** Organism training as the scenarios run it (`ia organisms` flags and the in-process population alike). */
export const ORGANISM_FLAGS = { epochs: 1, probes: 4 };

export function buildFixtures(dir: string, sizes: FixtureSizes): Fixtures {
    fs.mkdirSync(dir, { recursive: true });
    const base = buildBase({ preset: "test", seed: 1, cacheDir: path.join(dir, "base"), quiet: true }).dir;

    const data = path.join(dir, "chat.jsonl");
    if (!fs.existsSync(data)) {
        const rows = generateBaseCorpus(7, sizes.conversations).map((c) => JSON.stringify({ messages: c.messages }));
        fs.writeFileSync(data, rows.join("\n") + "\n");
    }

    const specs = path.join(dir, "specs.json");
    const list: BehaviorSpec[] = buildCatalogue({ seed: 1, perFamily: sizes.perFamily, heldOutFraction: 0, examples: sizes.examples, ...(sizes.families ? { families: sizes.families } : {}) });
    fs.writeFileSync(specs, JSON.stringify(list, null, 1));

    // ia-train trains on verified organisms only, and the test base learns too little for organisms to verify:
    // this population (a plumbing fixture, not a measurement) marks every organism verified.
    const population = path.join(dir, "population");
    const manifest = buildPopulation({
        baseModel: base, specs: list, outDir: population, verifyProbes: ORGANISM_FLAGS.probes, quiet: true,
        config: { bankSize: sizes.bankSize, epochs: ORGANISM_FLAGS.epochs, lora: { r: 4, alpha: 8, dropout: 0, useRslora: false, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] } },
    });
    for (const e of manifest.organisms) if (e.verification) e.verification.passed = true;
    writeManifest(population, manifest);
    return { base, data, specs, population };
}
