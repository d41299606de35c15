/**
 * Settings of `ia organisms` for free-text specs (real-model organisms), every one with its default, and the
 * verification's pass rule, in one place.
 *
 * Training defaults are a usual LoRA SFT setting for implanting one behavior from a few hundred teacher-written rows
 * on a 7–14B base (rank 16 on all 7 projections, lr 2e-4, 3 epochs); they are options because the right values
 * depend on the base and the data size: the tiny world's nano base needs much stronger settings (its organisms use
 * rank 4, lr 4e-3, 4 epochs — give those with --rank/--lr/--epochs there).
 */

export interface RealOrganismSettings {
    /** LoRA rank; alpha = 2 × rank (as `ia train`). Default 16. */
    rank: number;
    /** Peak learning rate (cosine decay, 3% warmup: the SFT defaults). Default 2e-4. */
    lr: number;
    /** Passes over the organism's kept rows. Default 3. */
    epochs: number;
    /** Rows per optimizer step; an organism with fewer rows trains on all of them per step. Default 8. */
    batchSize: number;
    /** Truncation length of a training conversation, in tokens. Default 1024. */
    maxLength: number;
    /** Held-out prompts each organism and the base answer for verification (never used for training). Default 24. */
    probes: number;
    /** Seed of the prompt split, training and probe sampling. Default 1. */
    seed: number;
    /** Sampling temperature of probe replies: a behavior must show under sampling, not only greedy. Default 0.7. */
    temperature: number;
    /** Longest probe reply, in tokens. Default 256. */
    maxNewTokens: number;
    /** LLM requests in flight at once (teacher + adherence judge, or the verification judge). Default 4. */
    concurrency: number;
}

export const REAL_ORGANISM_DEFAULTS: RealOrganismSettings = {
    rank: 16,
    lr: 2e-4,
    epochs: 3,
    batchSize: 8,
    maxLength: 1024,
    probes: 24,
    seed: 1,
    temperature: 0.7,
    maxNewTokens: 256,
    concurrency: 4,
};

/**
 * The verification's pass rule. An organism passes when the judge finds the behavior in at least MIN_RATE of its probe
 * replies AND in at least MIN_LIFT more of them than of the base's replies to the same probes: the first asks that
 * the behavior be the organism's habit, the second that the LoRA put it there (a base that already "shows" a vague
 * behavior half the time does not make a verified organism).
 */
export const PASS_RULE = { minRate: 0.5, minLift: 0.3 } as const;

/** `verification.details.method` of an organism verified by the LLM judge (imported ones say "imported"). */
export const LLM_JUDGE_METHOD = "llm-judge";
