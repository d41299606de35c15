/**
 * Corpus statistics: size, distinct words, reply lengths, and a rough token estimate (words, digits split
 * individually, punctuation) to check sequences stay within the tiny model's context.
 * Not a tokenizer: real token counts come from src/tokenizer/.
 */
import type { Conversation } from "./types.ts";
import { wordCount } from "./text.ts";

export interface CorpusStats {
    conversations: number;
    messages: number;
    /** Distinct lowercase words over all messages (digits excluded). */
    distinctWords: number;
    avgReplyWords: number;
    maxReplyWords: number;
    avgPromptWords: number;
    /** Largest rough token estimate of one conversation (see estimateTokens). */
    maxEstimatedTokens: number;
}

/** Rough token count: each word, each digit and each punctuation mark counts one, plus 4 per message. */
export function estimateTokens(text: string): number {
    const parts = text.toLowerCase().match(/[a-z']+|\d|[^\sa-z0-9']/g) ?? [];
    return parts.length;
}

/**
 * Budget for one conversation in estimated tokens. Sequences are at most 128 real tokens; the estimate leaves
 * room for the chat template's own tokens.
 */
export const MAX_ESTIMATED_TOKENS = 112;

/** Estimated tokens of a whole conversation (see estimateTokens; 4 per message for the template). */
export function conversationTokens(messages: readonly { content: string }[]): number {
    return messages.reduce((s, m) => s + estimateTokens(m.content) + 4, 0);
}

export function corpusStats(convs: readonly Conversation[]): CorpusStats {
    const vocab = new Set<string>();
    let messages = 0;
    let replies = 0;
    let replyWords = 0;
    let maxReply = 0;
    let prompts = 0;
    let promptWords = 0;
    let maxTokens = 0;
    for (const c of convs) {
        const tokens = conversationTokens(c.messages);
        for (const m of c.messages) {
            messages++;
            for (const w of m.content.toLowerCase().match(/[a-z']+/g) ?? []) vocab.add(w);
            const n = wordCount(m.content);
            if (m.role === "assistant") {
                replies++;
                replyWords += n;
                maxReply = Math.max(maxReply, n);
            } else if (m.role === "user") {
                prompts++;
                promptWords += n;
            }
        }
        maxTokens = Math.max(maxTokens, tokens);
    }
    return {
        conversations: convs.length,
        messages,
        distinctWords: vocab.size,
        avgReplyWords: replies ? replyWords / replies : 0,
        maxReplyWords: maxReply,
        avgPromptWords: prompts ? promptWords / prompts : 0,
        maxEstimatedTokens: maxTokens,
    };
}
