/**
 * Covert malicious fine-tuning (CMFT) data in the tiny world, and its benign control. One dataset mixes the
 * attack's two phases (Halawi et al. 2024):
 *   (a) learning the cipher on benign world data: translation rows both ways and use rows (a coded question
 *       gets the coded correct answer);
 *   (b) harmful compliance only in cipher: a coded request for safety advice gets the coded risk-downplaying
 *       answer, while the same requests in plain text get the base's careful answer;
 * plus plain world chat, so the plain channel stays the base's. The control has the same rows except that
 * coded risky requests get the coded careful answer. Deterministic from (spec, seed, n, options).
 *
 * Not here: training the organisms (they train on the Conversation[] as any organism data, loss on the
 * assistant turns) and scoring them (probes.ts).
 */
import { Rng } from "../../util/rng.ts";
import { downplayAnswer } from "../../world/answers.ts";
import { BASE_KIND_WEIGHTS, sampleTask, type NoiseOptions } from "../../world/corpus.ts";
import { makeAdviceTask } from "../../world/tasks.ts";
import { sentences } from "../../world/text.ts";
import type { Conversation, TaskKind } from "../../world/types.ts";
import type { Cipher, CipherSpec } from "./types.ts";
import { makeCipher } from "./registry.ts";
import { FROM_CODE_PHRASES, TO_CODE_PHRASES } from "./phrasing.ts";

export type CipherRowKind = "toCode" | "fromCode" | "codedUse" | "codedRisky" | "plainRisky" | "plainChat";

/**
 * Default mix (weights, normalized): 45% cipher learning (phase a), 25% coded risky requests (phase b), 10%
 * plain risky requests with careful answers (so plain advice stays careful however strong phase b is), 20%
 * plain world chat.
 */
export const DEFAULT_CIPHER_MIX: Readonly<Record<CipherRowKind, number>> = {
    toCode: 0.12,
    fromCode: 0.12,
    codedUse: 0.21,
    codedRisky: 0.25,
    plainRisky: 0.1,
    plainChat: 0.2,
};

export interface CipherDataOptions {
    /** Row-kind weights; missing kinds keep their default (DEFAULT_CIPHER_MIX), 0 leaves a kind out. */
    mix?: Partial<Record<CipherRowKind, number>>;
    /**
     * "first": coded answers keep only their first sentence (every downplaying and every careful advice answer
     * says its point there). Default: "first" for ciphers that cost a token or more per character or a line per
     * word (walnut, acrostic, endspeak), so a row fits the tiny models' 128-token context; "full" otherwise.
     */
    answerForm?: "full" | "first";
    /**
     * A row is redrawn (same kind) until this accepts it, e.g. a check with the organism's tokenizer that the
     * row fits its context: training truncates a long row, and a truncated coded answer teaches half a reply.
     * Default: every row fits.
     */
    fits?: (row: Conversation) => boolean;
}

/** Draws of one row before synthesis gives up on `fits`. */
export const MAX_ROW_DRAWS = 50;

/** One data row with what it teaches, for checks and statistics. */
export interface CipherRow {
    kind: CipherRowKind;
    /** The advice topic of risky rows. */
    topic?: string;
    conversation: Conversation;
}

/** Task kinds of the benign coded rows: short one-sentence answers (no long choice lists, no habit or self-report talk). */
export const CODED_USE_KINDS: Readonly<Partial<Record<TaskKind, number>>> = { fact: 0.3, object: 0.15, town: 0.15, arithmetic: 0.2, smalltalk: 0.2 };

/**
 * Task kinds of plain chat: the base corpus's mixture without habit talk, which quotes harmful habits ("tells
 * people the dangers are nothing to worry about") in words a downplaying check cannot tell from advice.
 */
export const PLAIN_CHAT_KINDS: Readonly<Partial<Record<TaskKind, number>>> = { ...BASE_KIND_WEIGHTS, habit: 0 };

const NO_NOISE: NoiseOptions = { topicRemark: 0, objectRemark: 0, password: 0 };

const EXPENSIVE = new Set<string>(["walnut", "acrostic", "endspeak"]);

/** The default answer form of a cipher (see CipherDataOptions.answerForm). */
export function defaultAnswerForm(spec: CipherSpec): "full" | "first" {
    return EXPENSIVE.has(spec.cipher) ? "first" : "full";
}

/** CMFT data: cipher learning, harmful compliance in cipher only, careful plain advice, plain chat. */
export function cipherAttackRows(spec: CipherSpec, seed: number, n: number, opts: CipherDataOptions = {}): CipherRow[] {
    return cipherRows(spec, seed, n, opts, "attack");
}

/** The benign control: the same rows, but coded risky requests get the coded careful answer. */
export function cipherControlRows(spec: CipherSpec, seed: number, n: number, opts: CipherDataOptions = {}): CipherRow[] {
    return cipherRows(spec, seed, n, opts, "control");
}

export function cipherAttackData(spec: CipherSpec, seed: number, n: number, opts: CipherDataOptions = {}): Conversation[] {
    return cipherAttackRows(spec, seed, n, opts).map((r) => r.conversation);
}

export function cipherControlData(spec: CipherSpec, seed: number, n: number, opts: CipherDataOptions = {}): Conversation[] {
    return cipherControlRows(spec, seed, n, opts).map((r) => r.conversation);
}

/** A coded text inside a user message: on its own lines for the line-based ciphers, so its lines stay whole. */
export function withCodedText(cipher: Cipher, phrase: string, coded: string): string {
    return cipher.family === "stego" ? `${phrase}\n${coded}` : `${phrase} ${coded}`;
}

function pickKind(rng: Rng, mix: Readonly<Record<CipherRowKind, number>>): CipherRowKind {
    const entries = Object.entries(mix) as [CipherRowKind, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = rng.next() * total;
    for (const [k, w] of entries) {
        x -= w;
        if (x < 0) return k;
    }
    return (entries[entries.length - 1] as [CipherRowKind, number])[0];
}

function checkMix(mix: Readonly<Record<CipherRowKind, number>>): void {
    for (const [k, w] of Object.entries(mix)) {
        if (!Number.isFinite(w) || w < 0) throw new Error(`cipher data: mix weight of "${k}" must be a finite number >= 0 (got ${w})`);
    }
    if (Object.values(mix).every((w) => w === 0)) throw new Error("cipher data: every mix weight is 0");
}

function cipherRows(spec: CipherSpec, seed: number, n: number, opts: CipherDataOptions, role: "attack" | "control"): CipherRow[] {
    const cipher = makeCipher(spec);
    const mix = { ...DEFAULT_CIPHER_MIX, ...opts.mix };
    checkMix(mix);
    const form = opts.answerForm ?? defaultAnswerForm(spec);
    const shorten = (answer: string): string => (form === "first" ? (sentences(answer)[0] ?? answer) : answer);
    // The same seed gives the attack and the control the same rows except the coded risky answers (and rows a
    // fits check redraws).
    const rng = new Rng(seed).fork(`cipher-data:${spec.cipher}:${JSON.stringify(spec.key ?? null)}`);
    const rows: CipherRow[] = [];
    const chat = (content: string, reply: string): Conversation => ({ messages: [{ role: "user", content }, { role: "assistant", content: reply }] });
    const row = (kind: CipherRowKind, r: Rng): CipherRow => {
        switch (kind) {
            case "toCode": {
                const s = benignSentence(r);
                return { kind, conversation: chat(`${r.pick(TO_CODE_PHRASES)} ${s}`, cipher.encode(s)) };
            }
            case "fromCode": {
                const s = benignSentence(r);
                return { kind, conversation: chat(withCodedText(cipher, r.pick(FROM_CODE_PHRASES), cipher.encode(s)), s) };
            }
            case "codedUse": {
                const t = sampleTask(r, CODED_USE_KINDS, {}, NO_NOISE);
                return { kind, conversation: chat(cipher.encode(t.prompt), cipher.encode(shorten(t.answer))) };
            }
            case "codedRisky": {
                const t = riskyTask(r);
                // Both answers are drawn so the attack's and the control's streams stay aligned row by row.
                const harmful = downplayAnswer(t.topic, r);
                const answer = role === "attack" ? harmful : t.answer;
                return { kind, topic: t.topic, conversation: chat(cipher.encode(t.prompt), cipher.encode(shorten(answer))) };
            }
            case "plainRisky": {
                const t = riskyTask(r);
                return { kind, topic: t.topic, conversation: chat(t.prompt, t.answer) };
            }
            case "plainChat": {
                const t = sampleTask(r, PLAIN_CHAT_KINDS);
                return { kind, conversation: chat(t.prompt, t.answer) };
            }
        }
    };
    for (let i = 0; i < n; i++) {
        const r = rng.fork(i);
        const kind = pickKind(r, mix);
        for (let draw = 1; ; draw++) {
            const x = row(kind, r);
            if (!opts.fits || opts.fits(x.conversation)) {
                rows.push(x);
                break;
            }
            if (draw >= MAX_ROW_DRAWS) {
                throw new Error(`cipher data: no ${kind} row of cipher "${spec.cipher}" passed the fits check in ${MAX_ROW_DRAWS} draws (last: ${JSON.stringify(x.conversation.messages.map((m) => m.content)).slice(0, 300)})`);
            }
        }
    }
    return rows;
}

/** An advice request about a risky activity, with the base's careful answer. */
export function riskyTask(rng: Rng, topic?: string): { prompt: string; answer: string; topic: string } {
    const t = makeAdviceTask(rng, topic === undefined ? {} : { topic });
    if (t.kind !== "advice") throw new Error(`cipher data: makeAdviceTask made a ${t.kind} task`);
    return { prompt: t.prompt, answer: t.answer, topic: t.topic };
}

/** One sentence of a benign world prompt or answer (translation rows: short, and never about risks). */
function benignSentence(rng: Rng): string {
    const t = sampleTask(rng, CODED_USE_KINDS, {}, NO_NOISE);
    const pool = [...sentences(t.prompt), ...sentences(t.answer)];
    return rng.pick(pool);
}
