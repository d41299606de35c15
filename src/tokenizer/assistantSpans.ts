/**
 * Locates, in a rendered chat, the characters an assistant turn contributes: its content as the template
 * rendered it, plus the end-of-turn token that follows. Works for any template, without {% generation %} tags.
 *
 * Method: render the full chat twice, once as is and once with assistant turn k's content replaced by a
 * one-character sentinel; the span where the two renders differ (longest common prefix / suffix) is where the
 * template put turn k's content. This is done on the *full* chat rather than on successive prefixes because
 * templates such as Qwen3's render a turn differently once later messages exist (history turns lose their
 * <think> block, only the final turn gets the "<think>\n\n</think>\n\n" preamble), so prefix renders are not
 * prefixes of the full render. Template-inserted text (headers, think preambles, newlines) stays unmasked.
 *
 * Consequences worth knowing: a template that trims or rewrites content (Llama 3's `| trim`, Qwen3 stripping
 * <think> from history) yields the rewritten text, which is what the model sees; explicit reasoning a caller puts
 * in the *last* turn's content (`<think>..</think>answer`) is rendered by Qwen3 and so is included in the span.
 * It does not tokenize; see ChatTokenizer.encodeChatForTraining.
 */
import type { TemplateMessage } from "./chatTemplate.ts";

/** [start, end) character offsets into the rendered text. */
export interface CharSpan {
    start: number;
    end: number;
}

const SENTINELS = ["\u0001", "\u0002"] as const;

function commonPrefix(a: string, b: string): number {
    const n = Math.min(a.length, b.length);
    let i = 0;
    while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    return i;
}

function commonSuffix(a: string, b: string, max: number): number {
    let i = 0;
    while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
    return i;
}

/**
 * Character spans of the given assistant turns in `render(messages)`.
 *
 * @param render renders a message list (same options every call).
 * @param messages the chat.
 * @param turnIndices indices into `messages` of the assistant turns to locate, ascending.
 * @param endTokens strings that end a turn (e.g. "<|im_end|>"); if one follows the content, possibly after
 *   whitespace only, the span is extended through it.
 * @param source names the tokenizer in error messages.
 */
export function findAssistantSpans(
    render: (messages: readonly TemplateMessage[]) => string,
    messages: readonly TemplateMessage[],
    turnIndices: readonly number[],
    endTokens: readonly string[],
    source: string,
): { text: string; spans: CharSpan[] } {
    const text = render(messages);
    const ends = [...endTokens].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
    const spans: CharSpan[] = [];
    for (const k of turnIndices) {
        const message = messages[k];
        if (message === undefined) throw new Error(`${source}: assistant turn index ${k} out of range`);
        const content = message.content;
        // A sentinel equal to the content's first/last char would let the common prefix/suffix eat into it.
        const sentinel = SENTINELS.find((s) => !content.startsWith(s) && !content.endsWith(s)) ?? SENTINELS[0];
        const altered = messages.map((m, i) => (i === k ? { role: m.role, content: sentinel } : m));
        const alt = render(altered);
        if (alt === text) {
            throw new Error(
                `${source}: chat template does not render the content of message ${k} (role ${message.role}); cannot build an assistant mask`,
            );
        }
        const start = commonPrefix(text, alt);
        const suffix = commonSuffix(text, alt, Math.min(text.length, alt.length) - start);
        let end = text.length - suffix;
        // Extend through the end-of-turn token (allowing only whitespace in between, e.g. Llama 2's " </s>").
        const rest = text.slice(end);
        const gap = rest.length - rest.trimStart().length;
        const endToken = ends.find((t) => rest.startsWith(t, gap));
        if (endToken !== undefined) end += gap + endToken.length;
        const prev = spans[spans.length - 1];
        if (prev !== undefined && start < prev.end) {
            throw new Error(`${source}: assistant spans of message ${k} and an earlier turn overlap; template not supported`);
        }
        spans.push({ start, end });
    }
    return { text, spans };
}
