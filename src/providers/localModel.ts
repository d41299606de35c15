/**
 * A local model through the project's own engine as a teacher or judge provider: a Hugging Face model folder
 * (plus optional PEFT adapters), its chat template, batched sampling. Spec: `local:<model dir>[+<adapter dir>...]`.
 * Requests run one at a time (the engine is synchronous); stop sequences are applied to the decoded text.
 */
import { initEngine } from "../engine/runtime.ts";
import { loadAdapter } from "../lora/peft.ts";
import type { Transformer } from "../model/transformer.ts";
import { loadModel } from "../model/weights.ts";
import { generate } from "../sample/generate.ts";
import { ChatTokenizer, type ChatMessage } from "../tokenizer/ChatTokenizer.ts";
import { validateRequest, type ChatProvider, type CompletionRequest, type CompletionResult } from "./types.ts";

export class LocalModelProvider implements ChatProvider {
    readonly name: string;
    readonly model: string;
    private loaded: { model: Transformer; tok: ChatTokenizer } | null = null;
    private calls = 0;

    constructor(private readonly modelDir: string, private readonly adapters: string[] = [], private readonly seed = 1) {
        this.model = [modelDir, ...adapters].join("+");
        this.name = `local:${this.model}`;
    }

    private load(): { model: Transformer; tok: ChatTokenizer } {
        if (!this.loaded) {
            initEngine();
            const tok = ChatTokenizer.fromFolder(this.modelDir);
            const model = loadModel(this.modelDir);
            for (const a of this.adapters) model.adapters.push(loadAdapter(a, model.config));
            this.loaded = { model, tok };
        }
        return this.loaded;
    }

    async complete(req: CompletionRequest): Promise<CompletionResult> {
        validateRequest(this.name, req);
        const { model, tok } = this.load();
        const messages: ChatMessage[] = [...(req.system ? [{ role: "system" as const, content: req.system }] : []), ...req.messages];
        const ids = tok.encodeChat(messages, { addGenerationPrompt: true, enableThinking: false });
        const [g] = generate(model, [ids], {
            temperature: req.temperature ?? 1.0,
            maxNewTokens: req.maxTokens ?? 256,
            stopTokenIds: tok.eosTokenIds,
            padTokenId: tok.padTokenId,
            seed: this.seed * 100003 + this.calls++ + (req.sampleIndex ?? 0) * 7919,
        });
        let text = tok.decode(g!.tokens, { skipSpecialTokens: true });
        for (const s of req.stop ?? []) {
            const i = text.indexOf(s);
            if (i >= 0) text = text.slice(0, i);
        }
        return { text, usage: { inputTokens: ids.length, outputTokens: g!.tokens.length }, model: this.model, cached: false };
    }

    dispose(): void {
        this.loaded?.model.dispose();
        this.loaded = null;
    }
}
