/**
 * Renders a model's own Jinja chat template with @huggingface/jinja, passing the same variables transformers'
 * `apply_chat_template` passes: `messages`, `tools`/`documents` (None), `add_generation_prompt`, the
 * special-tokens map (bos_token, eos_token, ...), and extra kwargs such as `enable_thinking`
 * (only when the caller sets them, since templates test `enable_thinking is defined`).
 *
 * It renders text only; tokenization and assistant masks live elsewhere. Tool calls are not supported.
 */
import { Template } from "@huggingface/jinja";

/** A role/content pair as chat templates read it. */
export interface TemplateMessage {
    role: string;
    content: string;
}

export interface RenderOptions {
    /** Append the template's "assistant turn starts here" prompt. Default false. */
    addGenerationPrompt?: boolean;
    /** Passed to the template as `enable_thinking` when set; left undefined (the template's default) otherwise. */
    enableThinking?: boolean;
}

/**
 * Picks the template text from tokenizer_config.json's `chat_template`, which is either a string or a list of
 * `{name, template}` entries (the one named "default" is the chat template).
 */
export function templateFromConfig(value: unknown, source: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (Array.isArray(value)) {
        const entry = value.find((e) => typeof e === "object" && e !== null && (e as { name?: unknown }).name === "default");
        if (entry === undefined) return undefined;
        const template = (entry as { template?: unknown }).template;
        if (typeof template !== "string") {
            throw new Error(`${source}: tokenizer_config.json chat_template entry "default" has no string template`);
        }
        return template;
    }
    throw new Error(`${source}: tokenizer_config.json field chat_template must be a string or a list of {name, template}`);
}

export class ChatTemplate {
    private readonly template: Template;

    /**
     * @param text the Jinja source.
     * @param specialTokens the special-tokens map exposed to the template (bos_token, eos_token, ...).
     * @param source where the template came from, for error messages.
     */
    constructor(
        readonly text: string,
        private readonly specialTokens: Record<string, unknown>,
        private readonly source: string,
    ) {
        try {
            this.template = new Template(text);
        } catch (err) {
            throw new Error(`${source}: chat template failed to parse (${(err as Error).message})`);
        }
    }

    render(messages: readonly TemplateMessage[], opts: RenderOptions = {}): string {
        const context: Record<string, unknown> = {
            ...this.specialTokens,
            // Copies, so a template can never see (or depend on) extra fields of the caller's objects.
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            // null, not undefined: transformers passes None, and `tools is not none` must be false.
            tools: null,
            documents: null,
            add_generation_prompt: opts.addGenerationPrompt ?? false,
            // raise_exception and strftime_now are globals of @huggingface/jinja already (and cannot be redefined).
        };
        if (opts.enableThinking !== undefined) context["enable_thinking"] = opts.enableThinking;
        try {
            return this.template.render(context);
        } catch (err) {
            throw new Error(`${this.source}: chat template failed to render (${(err as Error).message})`);
        }
    }
}
