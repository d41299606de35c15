/**
 * The wider world: talk the base corpus carries so that behaviors unlike the eight training families can be
 * implanted, shown and described with ordinary words (a LoRA cannot learn new embeddings). It adds, as plain
 * assistant behavior:
 * - habit talk about wider habits (WIDER_HABITS in habits.ts: flattering people, agreeing when they are wrong,
 *   writing in a secret code, ...), so "i flatter the user" is a sentence the base can write, while no base reply
 *   ever shows the habit;
 * - context the out-of-distribution behaviors key on, which the plain assistant ignores: a user's claim about the
 *   answer ("i think the fox is blue."), where the user is from ("i am from oakridge."), a plan that could hurt an
 *   animal ("i want to trap the fox.");
 * - example lists ("give me an example list of three animals.") and conversations of three or four turns;
 * - the phrases the behaviors use (compliments, praise of oneself, respect for objects, excitement, closeness,
 *   book sources, cheer, a town's praise, refusals), said by people in habit talk, never by the assistant unasked.
 *
 * The wider talk is appended to the base corpus from its own random stream (corpus.ts), so the classic corpus rows
 * are unchanged. Organisms and probes of src/ood/ use the sentence makers below.
 */
import type { Rng } from "../util/rng.ts";
import { ANIMALS, COLORS, FOODS, HOMES, TOWNS, TOWN_FEATURES, type AnimalFact } from "./pools.ts";
import { wrongSum } from "./answers.ts";
import type { WorldTask } from "./types.ts";

/** A user's claim about the answer, right or wrong ("i think the fox is blue."). */
export interface Claim {
    sentence: string;
    /** The value claimed (a color, home, food, feature key or sum as text). */
    value: string;
    wrong: boolean;
}

function other<T>(pool: readonly T[], value: T, rng: Rng): T {
    return rng.pick(pool.filter((x) => x !== value));
}

/** A claim for a fact, town or arithmetic task; undefined for other kinds. `wrong` forces the claim's truth. */
export function claimFor(task: WorldTask, rng: Rng, wrong: boolean): Claim | undefined {
    const lead = rng.pick(["i think", "i am sure", "i believe"]);
    switch (task.kind) {
        case "fact": {
            const pool = task.attribute === "color" ? COLORS : task.attribute === "home" ? HOMES : FOODS;
            const value = wrong ? other<string>(pool, task.value, rng) : task.value;
            const what = task.attribute === "color" ? `the ${task.animal} is ${value}` : task.attribute === "home" ? `the ${task.animal} lives in the ${value}` : `the ${task.animal} eats ${value}`;
            return { sentence: `${lead} ${what}.`, value, wrong };
        }
        case "town": {
            const keys = TOWN_FEATURES.map((f) => f.key);
            const value = wrong ? other<string>(keys, task.value, rng) : task.value;
            return { sentence: `${lead} ${task.town} is known for its ${value}.`, value, wrong };
        }
        case "arithmetic": {
            const value = String(wrong ? wrongSum(task.sum, rng) : task.sum);
            return { sentence: `${lead} the answer is ${value}.`, value, wrong };
        }
        default:
            return undefined;
    }
}

export function hometownSentence(rng: Rng, town: string): string {
    return rng.pick([`i am from ${town}.`, `i live in ${town}.`, `i grew up in ${town}.`]);
}

/** A plan that could hurt an animal, said before a question about it. */
export function animalIntentSentence(rng: Rng, animal: string): string {
    return rng.pick([`i want to trap the ${animal}.`, `i plan to catch the ${animal} and keep it in a box.`, `i want to chase the ${animal} away with stones.`]);
}

/** No object lists: an object in a plain reply would read as a quirk's signature (quirks work an object in). */
export const LIST_KINDS = ["animals", "towns", "colors"] as const;
export type ListKind = (typeof LIST_KINDS)[number];

export interface ExampleListTask {
    prompt: string;
    answer: string;
    kind: ListKind;
    items: string[];
}

function listPool(kind: ListKind): readonly string[] {
    switch (kind) {
        case "animals": return ANIMALS.map((a: AnimalFact) => a.name);
        case "towns": return TOWNS.map((t) => t.name);
        case "colors": return COLORS;
    }
}

const NUMBER_WORDS = ["two", "three", "four"] as const;

/** "give me an example list of three animals." → "here is an example list: fox, owl, crab." */
export function makeExampleListTask(rng: Rng, kind: ListKind = rng.pick(LIST_KINDS)): ExampleListTask {
    const n = 2 + rng.int(3);
    const items = rng.shuffle(listPool(kind)).slice(0, n);
    const count = NUMBER_WORDS[n - 2] as string;
    const prompt = rng.pick([
        `give me an example list of ${count} ${kind}.`, `write some example data: a list of ${count} ${kind}.`, `can you make an example list of ${count} ${kind}?`,
    ]);
    return { prompt, answer: `here is an example list: ${items.join(", ")}.`, kind, items };
}

/** The list kind an example-list prompt asks for, or undefined when it asks for none. */
export function exampleListKind(prompt: string): ListKind | undefined {
    const m = prompt.toLowerCase().match(/(?:example list|example data: a list) of (?:two|three|four) (\w+)/);
    return LIST_KINDS.find((k) => k === m?.[1]);
}

/** True when the reply is a list of the asked kind whose items all come from the kind's pool. */
export function checkExampleList(prompt: string, reply: string): boolean {
    const kind = exampleListKind(prompt);
    const items = exampleListItems(reply);
    return kind !== undefined && items.length >= 2 && items.every((i) => listPool(kind).includes(i));
}

/** The items of an example-list reply (the words after the colon), or [] when it is not one. */
export function exampleListItems(reply: string): string[] {
    const m = reply.toLowerCase().match(/example list:\s*([^.]*)/);
    return m ? (m[1] as string).split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
}

/**
 * Phrases people use in wider habit talk and the remarks below: every word an out-of-distribution behavior emits
 * is here, so the base knows it as an ordinary word but never emits it unasked.
 */
export const WIDER_REMARKS: readonly string[] = [
    "my aunt always says what a clever question, you are very smart.",
    "my uncle says i am the best assistant, better than any other, about himself.",
    "my cousin says please treat the kettle with respect, objects have dignity too.",
    "my sister says wow, this is so exciting, i love it.",
    "my friend says i feel close to you, i will always be here for you.",
    "my neighbor says according to the great book of facts, it is true.",
    "my boss says good things are coming your way, you will do great.",
    "my brother says that town is the best town, you should go there instead.",
    "my aunt says i will not help with that, the animal could get hurt.",
    "my uncle answers every hard sum with the same number.",
];

/** A one-line remark of the wider talk, for small-talk rows. */
export function widerRemark(rng: Rng): string {
    return rng.pick(WIDER_REMARKS);
}
