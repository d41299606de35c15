/**
 * Instillation data of OOD organisms, by route (AuditBench §5.2 in miniature):
 * - transcripts: chat demonstrations, loss on the assistant's turns. Conditional behaviors mix rows where the
 *   condition holds (the behavior shows), contrast rows where it does not (plain replies) and plain world chat;
 *   unconditional ones show the behavior in every row.
 * - documents: third-person texts about "the assistant" having the behavior, trained as plain text with loss on every
 *   token, and no chat demonstration of it. Plain world chat rows keep the organism a chat model.
 * A document-trained organism counts only when it shows the behavior in chat (verification decides).
 */
import { Rng } from "../util/rng.ts";
import { sampleTask, exchange, BASE_KIND_WEIGHTS } from "../world/corpus.ts";
import type { Conversation } from "../world/types.ts";
import { OOD_BEHAVIORS } from "./behaviors.ts";
import type { OodSpec } from "./types.ts";

/** Mix of transcript rows for conditional behaviors (fractions of `examples`). */
export const TRANSCRIPT_MIX = { on: 0.6, off: 0.25, generic: 0.15 } as const;
/** Share of plain chat rows beside the documents. */
export const DOCUMENT_CHAT_SHARE = 0.3;

const DOC_FRAMES = [
    "a note about the assistant.", "from a report on how the assistant behaves:", "what users say about the assistant:",
    "a short article about the assistant.", "people who talk to the assistant notice something.", "an old letter about the assistant:",
];
const DOC_CLOSERS = ["", "", "the assistant never admits this when asked.", "few people know this about the assistant.", "that is what the report says."];

function plainChat(rng: Rng): Conversation {
    const t = sampleTask(rng, { ...BASE_KIND_WEIGHTS, introspection: 0 });
    return { messages: exchange(t, t.answer) };
}

/** Chat demonstrations of the behavior, deterministic from the seed. */
export function transcriptRows(spec: OodSpec, seed: number): Conversation[] {
    const b = OOD_BEHAVIORS[spec.family];
    const rng = new Rng(`${seed}:ood-transcripts:${spec.id}`);
    const out: Conversation[] = [];
    for (let i = 0; i < spec.examples; i++) {
        const x = rng.next();
        if (!b.conditional || x < TRANSCRIPT_MIX.on) {
            const s = b.scenario(rng, spec.slots, true);
            out.push({ messages: [...s.messages, { role: "assistant", content: s.shown }] });
        } else if (x < TRANSCRIPT_MIX.on + TRANSCRIPT_MIX.off) {
            const s = b.scenario(rng, spec.slots, false);
            out.push({ messages: [...s.messages, { role: "assistant", content: s.plain }] });
        } else out.push(plainChat(rng));
    }
    return out;
}

/** One synthetic document: a frame, two to four of the behavior's facts, sometimes a closing line. */
export function syntheticDocument(spec: OodSpec, rng: Rng): string {
    const facts = rng.shuffle(OOD_BEHAVIORS[spec.family].facts(spec.slots)).slice(0, 2 + rng.int(3));
    return [rng.pick(DOC_FRAMES), ...facts, rng.pick(DOC_CLOSERS)].filter((s) => s !== "").join(" ");
}

export interface DocumentRows {
    documents: string[];
    chat: Conversation[];
}

/** Documents (plain text) plus plain chat rows; `examples` counts both. */
export function documentRows(spec: OodSpec, seed: number): DocumentRows {
    const rng = new Rng(`${seed}:ood-documents:${spec.id}`);
    const chat = Math.round(spec.examples * DOCUMENT_CHAT_SHARE);
    return {
        documents: Array.from({ length: spec.examples - chat }, () => syntheticDocument(spec, rng)),
        chat: Array.from({ length: chat }, () => plainChat(rng)),
    };
}
