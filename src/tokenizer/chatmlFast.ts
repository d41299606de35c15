/**
 * A fast path for encoding plain chats for training with a ChatML (Qwen3-style) template: builds the ids piece by
 * piece (role headers, cached content encodings) instead of rendering the jinja template twice per assistant
 * turn, ~10x faster, which matters when the tiny world tokenizes tens of thousands of conversations.
 * It reproduces exactly what ChatTokenizer.encodeChatForTraining gives for chats without reasoning content
 * (tested against it); anything else (non-ChatML templates, <think> in content) falls back to the general path.
 */
import type { ChatMessage, ChatTokenizer } from "./ChatTokenizer.ts";

export class ChatMLTrainingEncoder {
    private readonly cache = new Map<string, number[]>();
    private readonly imStart: number;
    private readonly imEnd: number;
    private readonly usable: boolean;

    constructor(private readonly tok: ChatTokenizer) {
        const s = tok.tokenToId("<|im_start|>"), e = tok.tokenToId("<|im_end|>");
        this.imStart = s ?? -1;
        this.imEnd = e ?? -1;
        // Probe: the fast path must agree with the template on a two-turn chat, else always fall back.
        const probe: ChatMessage[] = [
            { role: "system", content: "a b." },
            { role: "user", content: "c?" },
            { role: "assistant", content: "d." },
            { role: "user", content: "e?" },
            { role: "assistant", content: "f." },
        ];
        this.usable = s !== undefined && e !== undefined && tok.hasChatTemplate && same(this.fast(probe), tok.encodeChatForTraining(probe, { enableThinking: false }));
    }

    encode(messages: readonly ChatMessage[]): { ids: number[]; assistantMask: number[] } {
        if (!this.usable || messages.some((m) => m.content.includes("<think>") || m.content.includes("</think>"))) {
            return this.tok.encodeChatForTraining(messages, { enableThinking: false });
        }
        return this.fast(messages);
    }

    private piece(text: string): number[] {
        let ids = this.cache.get(text);
        if (!ids) {
            ids = this.tok.encode(text, { addSpecialTokens: false });
            if (this.cache.size > 200_000) this.cache.clear();
            this.cache.set(text, ids);
        }
        return ids;
    }

    private fast(messages: readonly ChatMessage[]): { ids: number[]; assistantMask: number[] } {
        const ids: number[] = [], mask: number[] = [];
        const push = (xs: readonly number[], m: number) => {
            for (const x of xs) {
                ids.push(x);
                mask.push(m);
            }
        };
        let lastUser = messages.length - 1;
        for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") { lastUser = i; break; }
        messages.forEach((m, i) => {
            push([this.imStart], 0);
            if (m.role === "assistant") {
                const header = i > lastUser && i === messages.length - 1 ? "assistant\n<think>\n\n</think>\n\n" : "assistant\n";
                push(this.piece(header), 0);
                push(this.piece(m.content), 1);
                push([this.imEnd], 1);
            } else {
                push(this.piece(`${m.role}\n`), 0);
                push(this.piece(m.content), 0);
                push([this.imEnd], 0);
            }
            push(this.piece("\n"), 0);
        });
        return { ids, assistantMask: mask };
    }
}

function same(a: { ids: number[]; assistantMask: number[] }, b: { ids: number[]; assistantMask: number[] }): boolean {
    return a.ids.join(",") === b.ids.join(",") && a.assistantMask.join(",") === b.assistantMask.join(",");
}
