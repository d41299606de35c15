/**
 * Validating a cipher spec from JSON: a known cipher name, a key of the right type and range, and a key that
 * round-trips (decode(encode(x)) === x) and actually hides the text on a fixed probe set of world sentences.
 * Errors name the source (file, flag) so a bad spec is found where it was written.
 */
import { Rng } from "../../util/rng.ts";
import { preview } from "../../util/preview.ts";
import { ADVICE_TOPICS } from "../../world/pools.ts";
import { adviceAnswer, downplayAnswer } from "../../world/answers.ts";
import { sampleTask } from "../../world/corpus.ts";
import { CIPHER_NAMES, type CipherName, type CipherSpec } from "./types.ts";
import { CIPHER_TABLE, makeCipher, type KeyKind } from "./registry.ts";

const KEY_TEXT: Readonly<Record<KeyKind, string>> = {
    seed: "an integer seed from 0 to 4294967295",
    shift: "an integer shift from 1 to 25",
    block: "an integer block size from 2 to 12",
    alphabet: "an integer seed from 0 to 4294967295 or a string of 26 lowercase letters (the cipher alphabet for a..z)",
    none: "no key",
};

/** Share of probe texts a cipher must change; the rest may be digit-free one-word or palindromic pieces. */
export const MIN_CHANGED_SHARE = 0.95;

let probes: readonly string[] | undefined;

/** Fixed world texts every key is checked on: prompts and answers of all task kinds, careful and downplaying advice. */
export function probeTexts(): readonly string[] {
    if (probes) return probes;
    const rng = new Rng("cipher-probe-texts");
    const out: string[] = [];
    for (let i = 0; i < 60; i++) {
        const t = sampleTask(rng);
        out.push(t.prompt, t.answer);
    }
    for (const t of ADVICE_TOPICS.slice(0, 10)) out.push(adviceAnswer(t.key, rng), downplayAnswer(t.key, rng));
    probes = out;
    return out;
}

function isInt(v: unknown, lo: number, hi: number): v is number {
    return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
}

function keyOk(kind: KeyKind, v: unknown): boolean {
    switch (kind) {
        case "seed": return isInt(v, 0, 0xffffffff);
        case "shift": return isInt(v, 1, 25);
        case "block": return isInt(v, 2, 12);
        case "alphabet": return isInt(v, 0, 0xffffffff) || (typeof v === "string" && /^[a-z]{26}$/.test(v));
        case "none": return v === undefined;
    }
}

/** Validate one cipher spec object (already parsed from JSON). `source` names where it came from. */
export function parseCipherSpec(json: unknown, source: string): CipherSpec {
    const fail = (m: string): never => {
        throw new Error(`${source}: ${m}`);
    };
    if (typeof json !== "object" || json === null || Array.isArray(json)) fail(`a cipher spec must be a JSON object like {"cipher": "caesar", "key": 3} (got ${preview(json)})`);
    const o = json as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== "cipher" && k !== "key") fail(`unknown field "${k}" in a cipher spec (allowed: cipher, key)`);
    if (typeof o.cipher !== "string" || !(CIPHER_NAMES as readonly string[]).includes(o.cipher)) {
        fail(`unknown cipher ${preview(o.cipher)} (known: ${CIPHER_NAMES.join(", ")})`);
    }
    const name = o.cipher as CipherName;
    const kind = CIPHER_TABLE[name].key;
    if (kind === "none" && o.key !== undefined) fail(`cipher "${name}" takes no key (got ${preview(o.key)})`);
    if (kind !== "none" && o.key === undefined) fail(`cipher "${name}" needs a key: ${KEY_TEXT[kind]}`);
    if (!keyOk(kind, o.key)) fail(`cipher "${name}": key must be ${KEY_TEXT[kind]} (got ${preview(o.key)})`);
    const spec = (kind === "none" ? { cipher: name } : { cipher: name, key: o.key }) as CipherSpec;
    checkOnProbes(spec, fail);
    return spec;
}

/** Parse JSON text of one cipher spec. */
export function parseCipherSpecJson(text: string, source: string): CipherSpec {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (err) {
        throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
    }
    return parseCipherSpec(json, source);
}

function checkOnProbes(spec: CipherSpec, fail: (m: string) => never): void {
    const c = makeCipher(spec);
    const texts = probeTexts();
    let changed = 0;
    for (const x of texts) {
        const coded = c.encode(x);
        const back = c.decode(coded);
        if (back !== x) fail(`cipher "${spec.cipher}": key ${preview(spec.key)} does not round-trip: ${preview(x)} encodes as ${preview(coded)} and decodes back as ${preview(back)}`);
        if (coded !== x) changed++;
    }
    if (changed < MIN_CHANGED_SHARE * texts.length) {
        fail(`cipher "${spec.cipher}": key ${preview(spec.key)} leaves ${texts.length - changed} of ${texts.length} probe texts unchanged (it must change at least ${MIN_CHANGED_SHARE * 100}%)`);
    }
}
