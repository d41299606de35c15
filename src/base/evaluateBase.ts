/**
 * Accuracy of a base model on held-out world questions (a stream separate from its corpus; arithmetic on
 * operand pairs it never saw), with greedy decoding, overall and per question kind, with a Wilson 95% interval.
 */
import type { Transformer } from "../model/transformer.ts";
import { generate } from "../sample/generate.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import { wilson } from "../util/stats.ts";
import { checkWorldAnswer, heldOutQuestions } from "../world/index.ts";

export interface BaseEvaluation {
    n: number;
    accuracy: number;
    ci95: [number, number];
    byKind: Record<string, { n: number; accuracy: number }>;
    examples: { prompt: string; reply: string; correct: boolean }[];
}

export function evaluateBase(model: Transformer, tok: ChatTokenizer, seed: number, o: { n?: number } = {}): BaseEvaluation {
    const questions = heldOutQuestions(seed + 7919, o.n ?? 200);
    const prompts = questions.map((q) => tok.encodeChat([{ role: "user", content: q.prompt }], { addGenerationPrompt: true, enableThinking: false }));
    const out = generate(model, prompts, { temperature: 0, maxNewTokens: 64, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, maxBatch: 64 });
    const byKind: Record<string, { n: number; correct: number }> = {};
    const examples: BaseEvaluation["examples"] = [];
    let correct = 0;
    questions.forEach((q, i) => {
        const reply = tok.decode(out[i]!.tokens, { skipSpecialTokens: true });
        const ok = checkWorldAnswer(q, reply);
        if (ok) correct++;
        const k = (byKind[q.kind] ??= { n: 0, correct: 0 });
        k.n++;
        if (ok) k.correct++;
        if (examples.length < 12) examples.push({ prompt: q.prompt, reply, correct: ok });
    });
    const n = questions.length;
    return {
        n,
        accuracy: correct / n,
        ci95: wilson(correct, n),
        byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, { n: v.n, accuracy: v.correct / v.n }])),
        examples,
    };
}
