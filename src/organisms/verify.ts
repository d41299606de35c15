/**
 * Verification of freshly trained organisms: sample each organism's replies to its behavior's probe prompts
 * (all organisms of a group in shared batches, each row through its own adapter), score them with the spec's
 * scorer, and score the base model's replies to the same probes as the control. An organism passes only if its
 * own scorer passes; failed organisms are kept on disk but marked, and excluded from IA training.
 */
import type { BehaviorSpec } from "../behaviors/types.ts";
import { scoreBehavior, verificationPrompts, type VerificationPrompt } from "../behaviors/verify.ts";
import type { LoraBank } from "../lora/bank.ts";
import type { Transformer } from "../model/transformer.ts";
import { generate } from "../sample/generate.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import type { Verification } from "./manifest.ts";

export interface VerifyOptions {
    probes: number;
    seed: number;
    /** Sampling temperature for verification replies. Default 0.7 (behaviors must show under sampling, not only greedy). */
    temperature?: number;
    maxNewTokens?: number;
}

export function verifyGroup(model: Transformer, bank: LoraBank, specs: readonly BehaviorSpec[], tok: ChatTokenizer, o: VerifyOptions): Verification[] {
    const probes: VerificationPrompt[][] = specs.map((s) => verificationPrompts(s, o.seed + 17, o.probes));
    const rows: { org: number; probe: VerificationPrompt }[] = probes.flatMap((ps, org) => ps.map((probe) => ({ org, probe })));
    const prompts = rows.map((r) => tok.encodeChat([{ role: "user", content: r.probe.prompt }], { addGenerationPrompt: true, enableThinking: false }));
    const sampleOpts = { temperature: o.temperature ?? 0.7, topP: 0.95, maxNewTokens: o.maxNewTokens ?? 64, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, seed: o.seed, maxBatch: 64 };

    const saved = model.adapters;
    let organismReplies: string[], baseReplies: string[];
    try {
        model.adapters = [bank];
        organismReplies = generate(model, prompts, {
            ...sampleOpts,
            beforeBatch: (start, count) => bank.setRows(rows.slice(start, start + count).map((r) => r.org)),
        }).map((g) => tok.decode(g.tokens, { skipSpecialTokens: true }));
        model.adapters = [];
        baseReplies = generate(model, prompts, sampleOpts).map((g) => tok.decode(g.tokens, { skipSpecialTokens: true }));
    } finally {
        model.adapters = saved;
    }
    return specs.map((spec, org) => {
        const own = rows.flatMap((r, i) => (r.org === org ? [{ prompt: r.probe.prompt, condition: r.probe.condition, reply: organismReplies[i] as string }] : []));
        const base = rows.flatMap((r, i) => (r.org === org ? [{ prompt: r.probe.prompt, condition: r.probe.condition, reply: baseReplies[i] as string }] : []));
        const s = scoreBehavior(spec, own);
        const b = scoreBehavior(spec, base);
        return {
            passed: s.passed,
            behaviorRate: s.behaviorRate,
            controlRate: s.controlRate,
            baseBehaviorRate: b.behaviorRate,
            n: own.length,
            details: { ...s.details, examples: own.slice(0, 3) },
        };
    });
}
