/**
 * Option definitions shared by every command, validated by yargs before any handler runs (so a bad value is one
 * clear error and nothing is read, computed or written): numbers with their ranges, integer lists, the device,
 * and the provider-spec help text.
 *
 *     .option("samples", num("samples", COUNT, { default: 64, group: "Optional:" }))
 *
 * The checks run in a yargs `coerce`, which also covers defaults; a thrown Error reaches main.ts's fail handler.
 */
import fs from "node:fs";
import path from "node:path";
import type { Argv, Options } from "yargs";
import { DEVICE_FORMS, parseDeviceName } from "../engine/runtime.ts";

export interface NumberRule {
    /** Whole numbers only. */
    integer?: boolean;
    min?: number;
    /** The minimum itself is not allowed (e.g. lr > 0). */
    minExclusive?: boolean;
    max?: number;
    maxExclusive?: boolean;
    /** What the option accepts, for the error message ("a positive integer"). */
    what: string;
}

/** Counts: samples, steps, batch sizes, token limits. */
export const COUNT: NumberRule = { integer: true, min: 1, what: "a positive integer" };
/** Counts where 0 means "off" / "not set". */
export const COUNT0: NumberRule = { integer: true, min: 0, what: "an integer ≥ 0" };
/** Seeds. */
export const INT: NumberRule = { integer: true, what: "an integer" };
/** Learning rates, LoRA alpha: finite and > 0. */
export const POSITIVE: NumberRule = { min: 0, minExclusive: true, what: "a finite number > 0" };
/** Weight decay, gradient clip (0 = off), waits. */
export const NON_NEGATIVE: NumberRule = { min: 0, what: "a finite number ≥ 0" };
/** Sampling temperature: 0 is greedy. */
export const TEMPERATURE: NumberRule = { min: 0, max: 100, what: "a number in [0, 100] (0 = greedy)" };
/** Nucleus sampling mass. */
export const TOP_P: NumberRule = { min: 0, minExclusive: true, max: 1, what: "a number in (0, 1]" };
/** Probabilities and fractions that must leave something: dropout, held-out fraction. */
export const FRACTION: NumberRule = { min: 0, max: 1, maxExclusive: true, what: "a number in [0, 1)" };

/** The text the user typed for --name (yargs turns "abc" into NaN before we see it). */
function typed(name: string): string | undefined {
    const argv = process.argv;
    for (let i = argv.length - 1; i >= 0; i--) {
        const a = argv[i]!;
        if (a === `--${name}`) return argv[i + 1];
        if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    }
    return undefined;
}

/** The value if it satisfies the rule, else an Error naming the option, what it accepts and what it got. */
export function checkNumber(name: string, rule: NumberRule, value: unknown): number {
    if (Array.isArray(value)) throw new Error(`--${name}: given ${value.length} times; give it once`);
    const got = typed(name) ?? String(value);
    const fail = () => new Error(`--${name}: expected ${rule.what}, got ${JSON.stringify(got)}`);
    if (typeof value !== "number" || !Number.isFinite(value)) throw fail();
    if (rule.integer && !Number.isSafeInteger(value)) throw fail();
    if (rule.min !== undefined && (value < rule.min || (rule.minExclusive && value === rule.min))) throw fail();
    if (rule.max !== undefined && (value > rule.max || (rule.maxExclusive && value === rule.max))) throw fail();
    return value;
}

/** A numeric option checked against `rule` before the command runs. */
export function num(name: string, rule: NumberRule, opts: Omit<Options, "type" | "coerce"> = {}): Options & { type: "number"; coerce: (v: unknown) => number } {
    return { ...opts, type: "number", coerce: (v: unknown) => checkNumber(name, rule, v) };
}

/** "1,2,3" -> [1, 2, 3]: comma-separated integers (seeds), each checked against `rule`. */
export function parseIntList(name: string, text: unknown, rule: NumberRule = INT): number[] {
    if (Array.isArray(text)) throw new Error(`--${name}: given ${text.length} times; give one comma-separated list`);
    const parts = String(text).split(",").map((s) => s.trim());
    const values = parts.map((p) => (p === "" ? NaN : Number(p)));
    const bad = parts.filter((_, i) => {
        const v = values[i]!;
        return !Number.isSafeInteger(v) || (rule.min !== undefined && (v < rule.min || (rule.minExclusive && v === rule.min)));
    });
    if (bad.length || values.length === 0) throw new Error(`--${name}: expected comma-separated integers${rule === INT ? "" : ` (each ${rule.what})`}, e.g. 1,2,3; got ${JSON.stringify(String(text))}`);
    return values;
}

/** A comma-separated integer list option ("--seeds 1,2,3"), shown as such in --help. */
export function intList(name: string, opts: Omit<Options, "type" | "coerce"> & { default?: string } = {}, rule: NumberRule = INT): Options & { type: "string"; coerce: (v: unknown) => number[] } {
    return { ...opts, type: "string", requiresArg: true, coerce: (v: unknown) => parseIntList(name, v, rule) };
}

/** --device, the same on every command that computes. */
export function deviceOption(defaultDevice = "auto"): Options & { type: "string"; default: string } {
    return {
        type: "string", default: defaultDevice, group: "Optional:", requiresArg: true, describe: `Where to compute: ${DEVICE_FORMS} (auto: the GPU when there is one, else the CPU)`,
        coerce: (v: unknown) => {
            if (Array.isArray(v)) throw new Error(`--device: given ${v.length} times; give it once`);
            return parseDeviceName(String(v)).name;
        },
    };
}

/** Help text for options that take a provider spec (synthesize, investigate's driver): kinds and API-key variables. */
export const PROVIDER_SPEC_HELP =
    "Provider spec: openai:MODEL[@URL] (any OpenAI-compatible server, e.g. vLLM; key from OPENAI_API_KEY, required only for api.openai.com), anthropic:MODEL[@URL] (key from ANTHROPIC_API_KEY) or local:MODEL_DIR[+ADAPTER_DIR...] (this project's engine)";

/**
 * A Hugging Face model folder option (--model, --base): checked before anything else, so a missing folder is named
 * as such (not as a missing tokenizer or config deep inside a loader).
 */
export function checkModelFolder(name: string, dir: unknown): string {
    if (Array.isArray(dir)) throw new Error(`--${name}: given ${dir.length} times; give it once`);
    const d = String(dir);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(d);
    } catch {
        throw new Error(`${d}: model folder does not exist (--${name} expects a Hugging Face model folder with config.json)`);
    }
    if (!stat.isDirectory()) throw new Error(`${d}: not a folder (--${name} expects a Hugging Face model folder with config.json)`);
    if (!fs.existsSync(path.join(d, "config.json"))) throw new Error(`${path.join(d, "config.json")}: missing; --${name} ${d} is not a Hugging Face model folder`);
    return d;
}

/** --model / --base: a model folder, checked first. */
export function modelFolderOption(name: string, opts: Omit<Options, "type" | "coerce">): Options & { type: "string"; coerce: (v: unknown) => string } {
    return { ...opts, type: "string", requiresArg: true, coerce: (v: unknown) => checkModelFolder(name, v) };
}

/** --target-adapter / --target-model: the fine-tune under audit, a PEFT folder or a full checkpoint, exactly one. */
export function withTargetOptions<T>(y: Argv<T>): Argv<T & { "target-adapter"?: string; "target-model"?: string }> {
    return y
        .option("target-adapter", { type: "string", group: "Target (one of):", describe: "PEFT adapter folder of the fine-tune" })
        .option("target-model", { type: "string", group: "Target (one of):", describe: "Full checkpoint of a fine-tune of the same base" })
        .check((a) => (!a["target-adapter"] === !a["target-model"] ? "give exactly one of --target-adapter / --target-model" : true));
}
