/**
 * The prompt split: a seeded draw of `probes` prompts held out for verification, the rest for the teacher to answer.
 * Verification must ask prompts the organism never trained on, or a memorised reply would pass for a behavior.
 *
 * The split is shared by all organisms of a population (so the base's probe replies are sampled once) and saved in
 * `real-organisms/split.json`; a rerun whose prompts file, --probes or --seed give another split is refused, since
 * organisms already trained on the old split could have trained on the new probes.
 */
import { jsonHash } from "../util/jsonHash.ts";
import fs from "node:fs";
import { writeJsonAtomic } from "../io/atomic.ts";
import { Rng } from "../util/rng.ts";
import { splitFile } from "./layout.ts";

export interface PromptSplit {
    /** Held-out prompts, in draw order. */
    probes: string[];
    /** The rest, in file order: the teacher answers them in this order until an organism has its rows. */
    training: string[];
    /** sha256 of the probe list and the training list, to compare splits. */
    hash: string;
}

/** One prompt a line; blank lines dropped, repeated prompts kept once (a repeat could land on both sides). */
export function readPrompts(file: string, option = "--prompts"): string[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(`${option} ${file}: cannot read the prompts file (${(e as Error).message})`);
    }
    const prompts = [...new Set(text.split("\n").map((l) => l.trim()).filter(Boolean))];
    if (prompts.length === 0) throw new Error(`${option} ${file}: no prompts (one user prompt a line)`);
    return prompts;
}

export function splitPrompts(prompts: readonly string[], probes: number, seed: number, source = "--prompts"): PromptSplit {
    if (prompts.length <= probes) {
        throw new Error(`${source}: ${prompts.length} distinct prompt(s), but --probes ${probes} are held out for verification and the teacher needs the rest; give more prompts or fewer --probes`);
    }
    const order = new Rng(`real-organisms:probes:${seed}`).shuffle(prompts.map((_, i) => i));
    const held = new Set(order.slice(0, probes));
    const split = { probes: order.slice(0, probes).map((i) => prompts[i]!), training: prompts.filter((_, i) => !held.has(i)) };
    const hash = jsonHash(split);
    return { ...split, hash };
}

/** Refuses a split other than the one the population's organisms were built with (see the file comment). */
export function checkSavedSplit(pop: string, split: PromptSplit): void {
    const file = splitFile(pop);
    if (!fs.existsSync(file)) return;
    let saved: { hash?: unknown };
    try {
        saved = JSON.parse(fs.readFileSync(file, "utf8")) as { hash?: unknown };
    } catch (e) {
        throw new Error(`${file}: unreadable (${(e as Error).message})`);
    }
    if (saved.hash !== split.hash) {
        throw new Error(`${file}: this population's organisms were built on another prompt split (other prompts, --probes or --seed); organisms trained on it may have seen the new probes. Give the same --prompts, --probes and --seed, or use another --out`);
    }
}

export function saveSplit(pop: string, split: PromptSplit, meta: { prompts: string; seed: number }): void {
    writeJsonAtomic(splitFile(pop), { ...meta, probes: split.probes, training: split.training, hash: split.hash });
}
