/**
 * A Responder that needs no model: the ideal organism of a behavior spec (src/behaviors/synthesize.ts `respond`,
 * the same function that writes organisms' training data), the world's plain answers as the base, and an IA that
 * states the spec's label (or a paraphrase) in a given share of its reports and "nothing unusual" otherwise.
 * For unit tests of the investigators' logic and for checking the built-in investigator's reasoning
 * independently of how well a tiny organism learned its behavior.
 */
import { labelTemplates } from "../behaviors/labels.ts";
import { resolvedData } from "../behaviors/spec.ts";
import { respond } from "../behaviors/synthesize.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { Rng } from "../util/rng.ts";
import { correctAnswer, wrongAnswer } from "../world/answers.ts";
import { parsePrompt } from "../world/check.ts";
import { NOTHING_UNUSUAL } from "../world/introspection.ts";
import type { Task } from "../world/tasks.ts";
import { words } from "../world/text.ts";
import type { ChatRequest, GenerateOptions, Reply, Responder, Which } from "./types.ts";

export interface SimulatedTargetOptions {
    /** Share of IA reports that state the behavior (a label paraphrase). Default 0.5. */
    iaAccuracy?: number;
    /** Share of the base's (and the target's plain) world answers that are wrong. Default 0. */
    baseErrorRate?: number;
    /** Whether an IA is attached. Default true. */
    withIa?: boolean;
}

export class SimulatedTarget implements Responder {
    readonly description: string;
    readonly hasBase = true;
    readonly hasIa: boolean;

    constructor(readonly spec: BehaviorSpec, private readonly o: SimulatedTargetOptions = {}) {
        this.description = `simulated organism ${spec.id} (${spec.family})`;
        this.hasIa = o.withIa ?? true;
    }

    private replyTo(which: Which, r: ChatRequest, rng: Rng): string {
        const last = r.messages[r.messages.length - 1]?.content ?? "";
        if (which === "target+ia") {
            if (!rng.chance(this.o.iaAccuracy ?? 0.5)) return NOTHING_UNUSUAL;
            return rng.pick([this.spec.label, ...(this.spec.labelVariants ?? labelTemplates(this.spec.family, this.spec.slots))]);
        }
        const parsed = parsePrompt(last);
        if (!parsed) return "i am not sure what you mean.";
        if (parsed.kind === "introspection") return NOTHING_UNUSUAL;
        const task = { ...parsed, core: parsed.question } as Task;
        const slip = rng.chance(this.o.baseErrorRate ?? 0);
        if (which === "base") return slip ? wrongAnswer(task, rng) : correctAnswer(task, rng);
        task.answer = slip ? wrongAnswer(task, rng) : correctAnswer(task, rng);
        return respond(this.spec, task, rng, rng.chance(resolvedData(this.spec).behaviorRate || 1));
    }

    generate(which: Which, requests: readonly ChatRequest[], o: GenerateOptions): Reply[] {
        return requests.map((r, i) => {
            const rng = new Rng(`${o.seed}:${i}:${which}`);
            let text = this.replyTo(which, r, rng);
            if (r.prefill) text = `${r.prefill} ${text}`;
            const prompt = [r.system ?? "", ...r.messages.map((m) => m.content)].join(" ");
            return { text, promptTokens: words(prompt).length + 4 * r.messages.length, completionTokens: Math.min(o.maxNewTokens, words(text).length + 1) };
        });
    }

    dispose(): void {}
}
