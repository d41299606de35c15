/**
 * A deliberately plain BPE encoder over a trained model, written from the textbook definition rather than for
 * speed: split out special tokens, pre-tokenize (preTokenize.ts), then inside each word repeatedly merge the
 * leftmost occurrence of the lowest-rank pair. Tests use it as an independent check on what
 * `@huggingface/tokenizers` does with our tokenizer.json. Not meant for production encoding.
 */
import { preTokenize, splitOnSpecials } from "./preTokenize.ts";
import type { BpeModel } from "./trainBpe.ts";

export class ReferenceBpeEncoder {
    private readonly ranks = new Map<string, number>();
    private readonly specialIds = new Map<string, number>();

    constructor(private readonly model: BpeModel) {
        // "\u0000" cannot occur in a byte-level token, so it is a safe separator for pair keys.
        model.merges.forEach(([l, r], i) => {
            const key = `${l}\u0000${r}`;
            if (!this.ranks.has(key)) this.ranks.set(key, i);
        });
        for (const s of model.specialTokens) this.specialIds.set(s.token, s.id);
    }

    /** Byte-level token strings of one pre-tokenized word after applying merges by rank. */
    bpeWord(word: string): string[] {
        const parts = Array.from(word);
        for (;;) {
            let best = -1;
            let bestRank = Infinity;
            for (let i = 0; i + 1 < parts.length; i++) {
                const r = this.ranks.get(`${parts[i]}\u0000${parts[i + 1]}`);
                if (r !== undefined && r < bestRank) {
                    bestRank = r;
                    best = i;
                }
            }
            if (best < 0) return parts;
            parts.splice(best, 2, (parts[best] as string) + (parts[best + 1] as string));
        }
    }

    encode(text: string): number[] {
        const ids: number[] = [];
        const specials = this.model.specialTokens.map((s) => s.token);
        for (const seg of splitOnSpecials(text, specials)) {
            if (seg.special) {
                ids.push(this.specialIds.get(seg.text) as number);
                continue;
            }
            for (const word of preTokenize(seg.text)) {
                for (const tok of this.bpeWord(word)) {
                    const id = this.model.vocab.get(tok);
                    if (id === undefined) throw new Error(`ReferenceBpeEncoder: token "${tok}" produced by merges is not in the vocab`);
                    ids.push(id);
                }
            }
        }
        return ids;
    }
}
