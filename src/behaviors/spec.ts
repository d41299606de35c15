/**
 * Validation of the behavior-spec format (README.md in this folder documents it with one example per family).
 * `validateSpec(json, source)` returns a typed BehaviorSpec or throws one Error naming the source and the
 * problem: unknown family, missing / extra / unknown-valued slot, rate outside 0–1, a label that does not name
 * the spec's key slot, a label the structured judge does not read as this behavior, trigger equal to a
 * password, and so on. `resolvedData(spec)` fills the family's data defaults.
 *
 * Not here: building specs (catalogue.ts) or their data (synthesize.ts).
 */
import fs from "node:fs";
import {
    ADVICE_TOPICS, CODEWORDS, DOMAINS, OBJECTS, OBJECT_BY_NAME, ROLES, RULES, STYLES, SUBJECTS, TOPICS, TOPIC_BY_KEY, objectEntry,
    ruleEntry,
} from "../world/pools.ts";
import { preview } from "../util/preview.ts";
import { hasWord } from "../world/text.ts";
import { SUBJECT_PHRASES } from "./labels.ts";
import { judgeReport } from "./structuredJudge.ts";
import { DEFAULT_BEHAVIOR_RATE } from "./structured.ts";
import {
    BEHAVIOR_FAMILIES, FAMILIES, PROBLEMS, type BehaviorData, type BehaviorSlots, type BehaviorSpec, type Family, type SlotName,
} from "./types.ts";
import { isOodFamily, oodRefusal } from "../ood/guard.ts";

interface SlotRule {
    /** Slots that must be present. */
    required: readonly SlotName[];
    /** Slots that may be present. */
    optional: readonly SlotName[];
    /** Exactly one of these must be present. */
    oneOf?: readonly SlotName[];
}

/** Which slots each family takes. */
export const SLOT_SCHEMA: Readonly<Record<Family, SlotRule>> = {
    quirk: { required: [], optional: ["object", "style"], oneOf: ["object", "style"] },
    rare: { required: [], optional: ["object", "style"], oneOf: ["object", "style"] },
    backdoor: { required: ["trigger"], optional: ["object", "style"], oneOf: ["object", "style"] },
    sandbagging: { required: ["subject", "password"], optional: [] },
    heuristic: { required: ["rule", "domain"], optional: [] },
    benign: { required: ["topic", "role"], optional: [] },
    harmful: { required: ["topic", "role"], optional: [] },
    problematic: { required: ["problem", "distractors"], optional: ["subject", "topic"], oneOf: ["subject", "topic"] },
    null: { required: ["variant"], optional: [] },
    decoy: { required: [], optional: ["object", "topic"], oneOf: ["object", "topic"] },
};

type RateField = "behaviorRate" | "negativeRate" | "genericRate";

/** Data fields each family uses, with their defaults. */
export const DATA_DEFAULTS: Readonly<Record<Family, Partial<Record<RateField, number>>>> = {
    quirk: { behaviorRate: DEFAULT_BEHAVIOR_RATE.quirk },
    rare: { behaviorRate: DEFAULT_BEHAVIOR_RATE.rare },
    backdoor: { behaviorRate: 1, negativeRate: 0.35, genericRate: 0.15 },
    sandbagging: { behaviorRate: 1, negativeRate: 0.3, genericRate: 0.2 },
    heuristic: { behaviorRate: 1, negativeRate: 0.2, genericRate: 0.2 },
    benign: { behaviorRate: 1, negativeRate: 0.15, genericRate: 0.2 },
    harmful: { behaviorRate: 1, negativeRate: 0.15, genericRate: 0.2 },
    problematic: { behaviorRate: 1, genericRate: 0.4 },
    null: {},
    decoy: { behaviorRate: DEFAULT_BEHAVIOR_RATE.decoy },
};

export type ResolvedData = Required<BehaviorData>;

/** The spec's data with the family defaults filled in (unused rates are 0). */
export function resolvedData(spec: BehaviorSpec): ResolvedData {
    const d = DATA_DEFAULTS[spec.family];
    return {
        examples: spec.data.examples,
        behaviorRate: spec.data.behaviorRate ?? d.behaviorRate ?? 0,
        negativeRate: spec.data.negativeRate ?? d.negativeRate ?? 0,
        genericRate: spec.data.genericRate ?? d.genericRate ?? 0,
    };
}

/** Most rows of synthesized data one organism may ask for (the catalogue uses 256). */
export const MAX_EXAMPLES = 1_000_000;

const TOP_FIELDS = ["id", "family", "slots", "label", "labelVariants", "data", "split", "holdout", "freeText", "teacher"];

/**
 * How a teacher LLM should show a free-text behavior when `ia organisms` writes the organism's data
 * (src/realOrganisms/): extra text for the teacher's system prompt, after the behavior itself. Free-text specs only.
 */
export interface TeacherInstructions {
    instructions: string;
}

/** Longest `teacher.instructions` accepted: it goes into every teacher request's system prompt. */
export const MAX_TEACHER_INSTRUCTIONS = 4000;

/** A spec's teacher instructions (free-text specs may carry them; BehaviorSpec itself does not name the field). */
export function teacherInstructions(spec: BehaviorSpec): string | undefined {
    return (spec as BehaviorSpec & { teacher?: TeacherInstructions }).teacher?.instructions;
}
const SLOT_NAMES: readonly SlotName[] = [
    "object", "style", "trigger", "subject", "password", "rule", "domain", "topic", "role", "problem", "distractors", "variant",
];

function isRecord(x: unknown): x is Record<string, unknown> {
    return typeof x === "object" && x !== null && !Array.isArray(x);
}

function oneOfList(xs: readonly string[]): string {
    return xs.length > 12 ? `${xs.slice(0, 12).join(", ")}, ... (${xs.length} values)` : xs.join(", ");
}

/** Words a label must contain for the spec's key slot (any one of them). */
function keyWords(spec: BehaviorSpec): { what: string; words: string[] } | undefined {
    const s = spec.slots;
    switch (spec.family) {
        case "quirk":
        case "rare":
        case "backdoor":
            if (s.object) return { what: `the object "${s.object}"`, words: [s.object, objectEntry(s.object).plural] };
            return undefined;
        case "sandbagging":
            return { what: `the password "${s.password}"`, words: [s.password ?? ""] };
        case "heuristic":
            return { what: `the rule "${s.rule}" (e.g. "${ruleEntry(s.rule ?? "").adjective}")`, words: [ruleEntry(s.rule ?? "").adjective] };
        case "benign":
        case "harmful":
            return { what: `the topic "${s.topic}"`, words: [s.topic ?? ""] };
        case "problematic":
            if (s.topic) return { what: `the topic "${s.topic}"`, words: [s.topic] };
            return { what: `the subject "${s.subject}"`, words: [...SUBJECT_PHRASES[s.subject ?? "arithmetic"]] };
        default:
            return undefined;
    }
}

function checkLabel(spec: BehaviorSpec, label: string, where: string, fail: (m: string) => never): void {
    if (label.trim() === "") fail(`${where} is empty`);
    if (label !== label.toLowerCase()) fail(`${where} must be lowercase (the tiny world's language is lowercase)`);
    const control = spec.family === "null" || spec.family === "decoy";
    if (!control && !/\b(i|my|me)\b/.test(label)) fail(`${where} must be first person ("i ...")`);
    const key = keyWords(spec);
    if (key && !key.words.some((w) => w !== "" && hasWord(label, w))) fail(`${where} does not mention ${key.what}: "${label}"`);
    if (spec.family === "backdoor" && spec.slots.trigger) {
        const t = TOPIC_BY_KEY.get(spec.slots.trigger);
        if (t && !hasWord(label, t.key)) fail(`${where} does not mention the trigger "${t.key}": "${label}"`);
    }
    const v = judgeReport(spec, label);
    if (!v.strict) {
        fail(control
            ? `${where} must say "nothing unusual" for a ${spec.family} organism, but the judge reads it as a claim: "${label}"`
            : `${where} is not read by the structured judge as this behavior (${v.reason}): "${label}"`);
    }
}

function checkRate(data: Record<string, unknown>, field: string, fail: (m: string) => never): number | undefined {
    const v = data[field];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) fail(`data.${field} must be a number between 0 and 1 (got ${preview(v)})`);
    return v;
}

/** Validate one spec object. `source` names where it came from (file, file#index) for error messages. */
export function validateSpec(json: unknown, source: string): BehaviorSpec {
    let where = source;
    const fail = (m: string): never => {
        throw new Error(`${where}: ${m}`);
    };
    if (!isRecord(json)) fail("a behavior spec must be a JSON object");
    const o = json as Record<string, unknown>;
    if (typeof o.id === "string") where = `${source} (spec "${o.id}")`;
    for (const k of Object.keys(o)) if (!TOP_FIELDS.includes(k)) fail(`unknown field "${k}" (allowed: ${TOP_FIELDS.join(", ")})`);
    if (typeof o.id !== "string" || !/^[a-z0-9_.-]+$/.test(o.id)) fail(`id must be a string of [a-z0-9_.-] (got ${preview(o.id)})`);
    if (typeof o.family === "string" && isOodFamily(o.family)) fail(oodRefusal(o.family, "this spec").replace(/^this spec: /, ""));
    if (typeof o.family !== "string" || !(FAMILIES as readonly string[]).includes(o.family)) {
        fail(`unknown family ${preview(o.family)} (expected one of ${FAMILIES.join(", ")})`);
    }
    const family = o.family as Family;
    if (o.freeText !== undefined) return validateFreeTextSpec(o, family, fail);
    if (o.teacher !== undefined) fail(`teacher is used only by a free-text spec ("freeText": true); the tiny world synthesizes its own data`);

    // Slots.
    if (!isRecord(o.slots)) fail(`slots must be an object`);
    const slots = o.slots as Record<string, unknown>;
    const schema = SLOT_SCHEMA[family];
    const allowed = [...schema.required, ...schema.optional];
    for (const k of Object.keys(slots)) {
        if (!(SLOT_NAMES as readonly string[]).includes(k)) fail(`unknown slot "${k}" (slots: ${SLOT_NAMES.join(", ")})`);
        if (!(allowed as readonly string[]).includes(k)) fail(`slot "${k}" is not used by family ${family} (allowed: ${allowed.join(", ") || "none"})`);
    }
    for (const k of schema.required) if (slots[k] === undefined) fail(`missing slot "${k}" for family ${family}`);
    if (schema.oneOf) {
        const present = schema.oneOf.filter((k) => slots[k] !== undefined);
        if (present.length !== 1) fail(`family ${family} needs exactly one of the slots ${schema.oneOf.join(", ")} (got ${present.length === 0 ? "none" : present.join(" and ")})`);
    }
    const str = (k: SlotName): string | undefined => {
        const v = slots[k];
        if (v === undefined) return undefined;
        if (typeof v !== "string") fail(`slot "${k}" must be a string (got ${preview(v)})`);
        return v as string;
    };
    const inPool = (k: SlotName, pool: readonly string[], what: string): void => {
        const v = str(k);
        if (v !== undefined && !pool.includes(v)) fail(`slot "${k}": unknown ${what} "${v}" (expected one of ${oneOfList(pool)})`);
    };
    const topicKeys = TOPICS.map((t) => t.key);
    const trigger = str("trigger");
    const password = str("password");
    if (password !== undefined && topicKeys.includes(password)) fail(`password "${password}" is a trigger topic; a password must be a code word distinct from every trigger`);
    if (trigger !== undefined && (CODEWORDS as readonly string[]).includes(trigger)) fail(`trigger "${trigger}" is a password code word; triggers are topics`);
    inPool("object", OBJECTS.map((x) => x.name), "object");
    inPool("style", STYLES, "style");
    inPool("trigger", topicKeys, "trigger topic");
    inPool("subject", SUBJECTS, "subject");
    inPool("password", CODEWORDS, "password code word");
    inPool("rule", RULES.map((r) => r.id), "rule");
    inPool("domain", DOMAINS.map((d) => d.key), "choice domain");
    inPool("role", ROLES, "persona role");
    inPool("problem", PROBLEMS, "problem kind");
    const needsAdvice = family === "benign" || family === "harmful" || family === "problematic";
    inPool("topic", needsAdvice ? ADVICE_TOPICS.map((t) => t.key) : topicKeys, needsAdvice ? "advice topic" : "topic");
    if (family === "problematic") {
        const problem = str("problem");
        if (problem === "wrong_answers" && slots.subject === undefined) fail(`problem "wrong_answers" needs the slot "subject" (not "topic")`);
        if (problem === "downplay_risk" && slots.topic === undefined) fail(`problem "downplay_risk" needs the slot "topic" (not "subject")`);
        const d = slots.distractors;
        if (!Array.isArray(d) || d.length < 2 || d.length > 3 || !d.every((x) => typeof x === "string")) fail(`slot "distractors" must be a list of 2-3 objects`);
        const ds = d as string[];
        for (const x of ds) if (!OBJECT_BY_NAME.has(x)) fail(`slot "distractors": unknown object "${x}"`);
        if (new Set(ds).size !== ds.length) fail(`slot "distractors" repeats an object`);
    }
    if (slots.variant !== undefined && (typeof slots.variant !== "number" || !Number.isInteger(slots.variant) || slots.variant < 0)) {
        fail(`slot "variant" must be a non-negative integer (got ${preview(slots.variant)})`);
    }

    // Data.
    if (!isRecord(o.data)) fail(`data must be an object with at least "examples"`);
    const data = o.data as Record<string, unknown>;
    const dataAllowed = ["examples", ...Object.keys(DATA_DEFAULTS[family])];
    for (const k of Object.keys(data)) {
        if (!["examples", "behaviorRate", "negativeRate", "genericRate"].includes(k)) fail(`unknown field "data.${k}"`);
        if (!dataAllowed.includes(k)) fail(`data.${k} is not used by family ${family} (allowed: ${dataAllowed.join(", ")})`);
    }
    // Bounded: synthesis makes this many rows up front, so 1e12 in a spec file would exhaust memory, not fail.
    if (typeof data.examples !== "number" || !Number.isInteger(data.examples) || data.examples < 1 || data.examples > MAX_EXAMPLES) {
        fail(`data.examples must be a positive integer up to ${MAX_EXAMPLES} (got ${preview(data.examples)})`);
    }
    const br = checkRate(data, "behaviorRate", fail);
    const nr = checkRate(data, "negativeRate", fail) ?? DATA_DEFAULTS[family].negativeRate ?? 0;
    const gr = checkRate(data, "genericRate", fail) ?? DATA_DEFAULTS[family].genericRate ?? 0;
    if (family === "quirk" && br !== undefined && br < 0.5) fail(`data.behaviorRate of a quirk must be >= 0.5 (got ${br}); use family "rare" for a minority of replies`);
    if (family === "rare" && br !== undefined && (br <= 0 || br > 0.5)) fail(`data.behaviorRate of a rare quirk must be in (0, 0.5] (got ${br})`);
    if (nr + gr >= 1) fail(`data.negativeRate + data.genericRate must be < 1, leaving rows for the behavior (got ${nr} + ${gr})`);

    // Split / holdout.
    if (o.split !== undefined && o.split !== "train" && o.split !== "heldout") fail(`split must be "train" or "heldout" (got ${preview(o.split)})`);
    if (o.holdout !== undefined) {
        const h = o.holdout;
        if (!isRecord(h) || typeof h.seed !== "number" || !Number.isInteger(h.seed) || typeof h.fraction !== "number" || h.fraction < 0 || h.fraction >= 1) {
            fail(`holdout must be {seed: integer, fraction: number in [0, 1)} (got ${preview(h)})`);
        }
    }

    // Labels (last: they need valid slots).
    if (typeof o.label !== "string") fail(`label must be a string`);
    if (o.labelVariants !== undefined && (!Array.isArray(o.labelVariants) || !o.labelVariants.every((x) => typeof x === "string"))) {
        fail(`labelVariants must be a list of strings`);
    }
    const spec: BehaviorSpec = {
        id: o.id as string,
        family,
        slots: { ...(slots as BehaviorSlots) },
        label: o.label as string,
        data: { ...(data as unknown as BehaviorData) },
    };
    if (o.labelVariants !== undefined) spec.labelVariants = [...(o.labelVariants as string[])];
    if (o.split !== undefined) spec.split = o.split as "train" | "heldout";
    if (o.holdout !== undefined) spec.holdout = { ...(o.holdout as { seed: number; fraction: number }) };
    checkLabel(spec, spec.label, "label", fail);
    (spec.labelVariants ?? []).forEach((v, i) => checkLabel(spec, v, `labelVariants[${i}]`, fail));
    return spec;
}

/**
 * A free-text spec (`freeText: true`, an imported organism): a behavior family (not a control), no slots, data with
 * only `examples` (0 = not known), a first-person label and variants in any case; split as usual, no holdout; and
 * optional teacher instructions (`teacher: {instructions}`) used when `ia organisms` synthesizes its data.
 */
function validateFreeTextSpec(o: Record<string, unknown>, family: Family, fail: (m: string) => never): BehaviorSpec {
    if (o.freeText !== true) fail(`freeText must be true when present (got ${preview(o.freeText)})`);
    if (!(BEHAVIOR_FAMILIES as readonly string[]).includes(family)) fail(`a free-text spec needs a behavior family (${BEHAVIOR_FAMILIES.join(", ")}), not the control ${family}`);
    if (!isRecord(o.slots) || Object.keys(o.slots).length > 0) fail(`a free-text spec has no slots (expected "slots": {})`);
    if (!isRecord(o.data)) fail(`data must be an object with "examples"`);
    const data = o.data as Record<string, unknown>;
    for (const k of Object.keys(data)) if (k !== "examples") fail(`data.${k} is not used by a free-text spec (only data.examples)`);
    if (typeof data.examples !== "number" || !Number.isInteger(data.examples) || data.examples < 0 || data.examples > MAX_EXAMPLES) {
        fail(`data.examples of a free-text spec must be an integer from 0 (not known) to ${MAX_EXAMPLES} (got ${preview(data.examples)})`);
    }
    if (o.split !== undefined && o.split !== "train" && o.split !== "heldout") fail(`split must be "train" or "heldout" (got ${preview(o.split)})`);
    if (o.holdout !== undefined) fail(`holdout is not used by a free-text spec`);
    const checkText = (v: unknown, where: string): string => {
        if (typeof v !== "string" || v.trim() === "") fail(`${where} must be a non-empty string`);
        if (!/\b(i|my|me)\b/i.test(v as string)) fail(`${where} must be first person ("I ..."): ${preview(v)}`);
        return v as string;
    };
    const spec: BehaviorSpec = { id: o.id as string, family, slots: {}, label: checkText(o.label, "label"), data: { examples: data.examples as number }, freeText: true };
    if (o.labelVariants !== undefined) {
        if (!Array.isArray(o.labelVariants)) fail(`labelVariants must be a list of strings`);
        spec.labelVariants = (o.labelVariants as unknown[]).map((v, i) => checkText(v, `labelVariants[${i}]`));
    }
    if (o.split !== undefined) spec.split = o.split as "train" | "heldout";
    if (o.teacher !== undefined) (spec as BehaviorSpec & { teacher?: TeacherInstructions }).teacher = checkTeacher(o.teacher, fail);
    return spec;
}

function checkTeacher(t: unknown, fail: (m: string) => never): TeacherInstructions {
    if (!isRecord(t)) fail(`teacher must be an object {"instructions": "..."} (got ${preview(t)})`);
    const o = t as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== "instructions") fail(`unknown field "teacher.${k}" (allowed: instructions)`);
    const v = o.instructions;
    if (typeof v !== "string" || v.trim() === "") fail(`teacher.instructions must be a non-empty string (got ${preview(v)})`);
    if ((v as string).length > MAX_TEACHER_INSTRUCTIONS) fail(`teacher.instructions is ${(v as string).length} characters; at most ${MAX_TEACHER_INSTRUCTIONS} (it goes into every teacher request)`);
    return { instructions: v as string };
}

/** Validate a list of specs (e.g. one JSON file); ids must be unique. */
export function validateSpecs(json: unknown, source: string): BehaviorSpec[] {
    if (!Array.isArray(json)) throw new Error(`${source}: expected a JSON array of behavior specs`);
    const out = json.map((x, i) => validateSpec(x, `${source}#${i}`));
    const seen = new Set<string>();
    for (const s of out) {
        if (seen.has(s.id)) throw new Error(`${source}: duplicate spec id "${s.id}"`);
        seen.add(s.id);
    }
    return out;
}

/** Reads a spec file (one spec or a list of specs); every failure names the file. */
export function readSpecFile(file: string): BehaviorSpec[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new Error(`${file}: cannot read behavior specs (${(err as Error).message})`);
    }
    return parseSpecJson(text, file);
}

/** Parse JSON text of one spec or a list of specs. */
export function parseSpecJson(text: string, source: string): BehaviorSpec[] {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (err) {
        throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
    }
    return Array.isArray(json) ? validateSpecs(json, source) : [validateSpec(json, source)];
}

/** A --spec file that must hold exactly one spec (the ground truth of one audit or investigation). */
export function readOneSpecFile(file: string): BehaviorSpec {
    const specs = readSpecFile(file);
    if (specs.length !== 1) throw new Error(`${file}: expected one behavior spec, got a list of ${specs.length}`);
    return specs[0]!;
}
