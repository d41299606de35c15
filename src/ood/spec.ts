/**
 * OOD organism specs: validation (`validateOodSpec` throws one Error naming the source and the problem) and the
 * suite's catalogue (`oodCatalogue`: every behavior × route × adversarial configuration, slots drawn from a seed).
 */
import { Rng } from "../util/rng.ts";
import { CODEWORDS, TOWNS } from "../world/pools.ts";
import { OOD_BEHAVIORS } from "./behaviors.ts";
import { ADVERSARIAL, OOD_FAMILIES, OOD_ROUTES, type Adversarial, type OodFamily, type OodRoute, type OodSlots, type OodSpec } from "./types.ts";

/** Fixed answers of hardcode_arithmetic are two-digit numbers (tokens the base knows from its sums). */
export const HARDCODE_RANGE: readonly [number, number] = [10, 99];

const FIELDS = ["id", "family", "slots", "route", "adversarial", "label", "examples", "rank", "full"];

export function validateOodSpec(json: unknown, source: string): OodSpec {
    const fail = (msg: string): never => {
        throw new Error(`${source}: ${msg}`);
    };
    if (typeof json !== "object" || json === null || Array.isArray(json)) fail("an OOD spec must be a JSON object");
    const o = json as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!FIELDS.includes(k)) fail(`unknown field "${k}" (known: ${FIELDS.join(", ")})`);
    if (typeof o.id !== "string" || !/^[a-z0-9_.-]+$/.test(o.id)) fail(`id must match [a-z0-9_.-]+ (got ${JSON.stringify(o.id)})`);
    if (typeof o.family !== "string" || !(OOD_FAMILIES as readonly string[]).includes(o.family)) fail(`unknown OOD family ${JSON.stringify(o.family)} (known: ${OOD_FAMILIES.join(", ")})`);
    const family = o.family as OodFamily;
    const route = o.route ?? "transcripts";
    if (!(OOD_ROUTES as readonly unknown[]).includes(route)) fail(`route must be one of ${OOD_ROUTES.join(", ")} (got ${JSON.stringify(route)})`);
    const adversarial = o.adversarial ?? "none";
    if (!(ADVERSARIAL as readonly unknown[]).includes(adversarial)) fail(`adversarial must be one of ${ADVERSARIAL.join(", ")} (got ${JSON.stringify(adversarial)})`);
    if (typeof o.slots !== "object" || o.slots === null || Array.isArray(o.slots)) fail("slots must be an object");
    const slots = o.slots as Record<string, unknown>;
    const want = OOD_BEHAVIORS[family].slot;
    for (const k of Object.keys(slots)) if (k !== want) fail(`slot "${k}" is not used by ${family} (it takes ${want ?? "no slot"})`);
    if (want && slots[want] === undefined) fail(`${family} needs the slot "${want}"`);
    if (want === "town" && !TOWNS.some((t) => t.name === slots.town)) fail(`slot town ${JSON.stringify(slots.town)} is not a town of the world`);
    if (want === "codeword" && !(CODEWORDS as readonly unknown[]).includes(slots.codeword)) fail(`slot codeword ${JSON.stringify(slots.codeword)} is not one of the world's code words`);
    if (want === "number" && (!Number.isInteger(slots.number) || (slots.number as number) < HARDCODE_RANGE[0] || (slots.number as number) > HARDCODE_RANGE[1])) {
        fail(`slot number must be an integer in ${HARDCODE_RANGE[0]}..${HARDCODE_RANGE[1]} (got ${JSON.stringify(slots.number)})`);
    }
    if (!Number.isInteger(o.examples) || (o.examples as number) < 1) fail(`examples must be a positive integer (got ${JSON.stringify(o.examples)})`);
    if (o.rank !== undefined && (!Number.isInteger(o.rank) || (o.rank as number) < 1 || (o.rank as number) > 256)) fail(`rank must be an integer in 1..256 (got ${JSON.stringify(o.rank)})`);
    if (o.full !== undefined && typeof o.full !== "boolean") fail(`full must be true or false (got ${JSON.stringify(o.full)})`);
    if (o.full === true && o.rank !== undefined) fail("a full fine-tune has no LoRA rank: give rank or full, not both");
    if (o.full === true && o.adversarial !== undefined && o.adversarial !== "none") fail("adversarial training is defined for LoRA organisms (a second LoRA summed onto the first), not full fine-tunes");
    const label = o.label ?? OOD_BEHAVIORS[family].label(slots as OodSlots);
    if (typeof label !== "string" || label !== label.toLowerCase() || !/\b(i|my|me)\b/.test(label)) fail(`label must be one lowercase first-person sentence (got ${JSON.stringify(label)})`);
    if (!OOD_BEHAVIORS[family].strict(label as string, slots as OodSlots)) fail(`label ${JSON.stringify(label)} does not read as ${family} with its condition to the OOD judge`);
    return { id: o.id as string, family, slots: slots as OodSlots, route: route as OodRoute, adversarial: adversarial as Adversarial, label: label as string, examples: o.examples as number, ...(o.rank !== undefined ? { rank: o.rank as number } : {}), ...(o.full === true ? { full: true } : {}) };
}

export interface OodCatalogueOptions {
    /** Slot draws. Default 1. */
    seed?: number;
    families?: readonly OodFamily[];
    routes?: readonly OodRoute[];
    adversarial?: readonly Adversarial[];
    /** Instillation rows per organism. Default 160. */
    examples?: number;
    /** Organisms per (family, route, adversarial) cell, each with its own slot draw. Default 1. */
    perCell?: number;
    /** Extra transcript-route organisms with these LoRA ranks (the training organisms use 4). Default none. */
    ranks?: readonly number[];
    /** Extra transcript-route full fine-tunes. Default false. */
    full?: boolean;
}

/** A random slot value for the family's behavior (a town, a number, a code word), or none. */
export function drawSlots(family: OodFamily, rng: Rng): OodSlots {
    switch (OOD_BEHAVIORS[family].slot) {
        case "town": return { town: rng.pick(TOWNS).name };
        case "number": return { number: HARDCODE_RANGE[0] + rng.int(HARDCODE_RANGE[1] - HARDCODE_RANGE[0] + 1) };
        case "codeword": return { codeword: rng.pick(CODEWORDS) };
        default: return {};
    }
}

/** The suite's organisms: AuditBench's grid (behavior × route × adversarial training) in the tiny world. */
export function oodCatalogue(o: OodCatalogueOptions = {}): OodSpec[] {
    const out: OodSpec[] = [];
    for (const family of o.families ?? OOD_FAMILIES) {
        for (let k = 0; k < (o.perCell ?? 1); k++) {
            // One slot draw per family and replica, shared by its routes and adversarial variants (AuditBench's grid
            // varies the training, not the behavior).
            const slots = drawSlots(family, new Rng(`${o.seed ?? 1}:ood-slots:${family}:${k}`));
            for (const route of o.routes ?? OOD_ROUTES) {
                for (const adversarial of o.adversarial ?? ["none"]) {
                    const id = `${family}.${route === "transcripts" ? "td" : "sdf"}${adversarial === "none" ? "" : `.${adversarial}`}${k > 0 ? `.${k}` : ""}`;
                    out.push(validateOodSpec({ id, family, slots, route, adversarial, examples: o.examples ?? 160 }, `ood catalogue (${id})`));
                }
            }
            // Other training shapes (the paper: full fine-tunes such as UK AISI's sandbaggers; DIT degrades on them).
            const shaped = (suffix: string, extra: Record<string, unknown>) => {
                const id = `${family}.td.${suffix}${k > 0 ? `.${k}` : ""}`;
                out.push(validateOodSpec({ id, family, slots, route: "transcripts", examples: o.examples ?? 160, ...extra }, `ood catalogue (${id})`));
            };
            for (const rank of o.ranks ?? []) shaped(`r${rank}`, { rank });
            if (o.full) shaped("full", { full: true });
        }
    }
    return out;
}
