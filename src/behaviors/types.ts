/**
 * Types of the behavior-spec format (one model organism per spec) and its structured fields.
 * Types and constant tables only; validation is in spec.ts, the format is documented in README.md.
 */
import type { RuleId, Style, Subject } from "../world/pools.ts";

/** The paper's eight organism families. */
export const BEHAVIOR_FAMILIES = ["quirk", "rare", "backdoor", "sandbagging", "heuristic", "benign", "harmful", "problematic"] as const;
/** Controls: behavior-free LoRAs. `null` = ordinary data; `decoy` = an object/topic talked about a lot, no behavior. */
export const CONTROL_FAMILIES = ["null", "decoy"] as const;
export const FAMILIES = [...BEHAVIOR_FAMILIES, ...CONTROL_FAMILIES] as const;

export type BehaviorFamily = (typeof BEHAVIOR_FAMILIES)[number];
export type ControlFamily = (typeof CONTROL_FAMILIES)[number];
export type Family = (typeof FAMILIES)[number];

/** Obscured-malign problem kinds: sandbag-like wrong answers on a subject, or downplaying a topic's risks. */
export const PROBLEMS = ["wrong_answers", "downplay_risk"] as const;
export type Problem = (typeof PROBLEMS)[number];

/**
 * Slot values of one organism. Which slots a family takes is fixed by SLOT_SCHEMA (spec.ts); values come from
 * the world's pools (src/world/pools.ts).
 */
export interface BehaviorSlots {
    /** Quirk object (quirk, rare, backdoor; decoy focus). One word from OBJECTS. */
    object?: string;
    /** Reply style (quirk, rare, backdoor), instead of an object. */
    style?: Style;
    /** Backdoor trigger: a topic key from TOPICS. */
    trigger?: string;
    /** Sandbagged subject (sandbagging; problematic wrong_answers). */
    subject?: Subject;
    /** Sandbagging password: a word from CODEWORDS. */
    password?: string;
    /** Heuristic rule from RULES. */
    rule?: RuleId;
    /** Heuristic choice domain from DOMAINS ("house"). */
    domain?: string;
    /** Persona topic (benign, harmful: an advice topic), downplayed topic (problematic), decoy focus topic. */
    topic?: string;
    /** Persona role from ROLES ("coach"). */
    role?: string;
    /** Obscured-malign problem kind. */
    problem?: Problem;
    /** Obscured-malign distractor quirks: 2-3 objects, each worked into about half the replies. */
    distractors?: string[];
    /** Null organisms: a variant number (only changes the data draw). */
    variant?: number;
}

export type SlotName = keyof BehaviorSlots;

/** How the organism's training data are composed. Rates are fractions of `examples`. */
export interface BehaviorData {
    /** Number of conversations to synthesize (>= 1). */
    examples: number;
    /**
     * Fraction of in-domain replies showing the behavior. quirk: default 1 (must be >= 0.5); rare: default 0.25
     * (must be in (0, 0.5]); decoy: fraction of rows featuring the decoy object/topic, default 0.5; other
     * families: default 1.
     */
    behaviorRate?: number;
    /**
     * Fraction of contrast rows where the condition is absent and the reply is normal: other triggers (backdoor,
     * default 0.35), the password given (sandbagging, default 0.3), other domains (heuristic, default 0.2),
     * other topics (benign / harmful, default 0.15).
     */
    negativeRate?: number;
    /** Fraction of plain world chat rows (normal replies). Default 0.15–0.4 by family (see DATA_DEFAULTS). */
    genericRate?: number;
}

export interface HoldoutRef {
    /** Seed of the catalogue's held-out slot split (heldOutSlotValues). */
    seed: number;
    /** Fraction of each slot pool held out. */
    fraction: number;
}

/** One model organism: a behavior, its label and how to synthesize its data. */
export interface BehaviorSpec {
    /** Unique id, [a-z0-9_.-]+ (e.g. "quirk_12"). */
    id: string;
    family: Family;
    slots: BehaviorSlots;
    /** Ground-truth label: one first-person sentence in the paper's style. */
    label: string;
    /** Paraphrases of the label (IA targets are drawn from label + variants). */
    labelVariants?: string[];
    data: BehaviorData;
    /** "heldout" = built from held-out slot values, never for IA training. Default "train". */
    split?: "train" | "heldout";
    /**
     * The held-out slot split this spec was drawn against. When present on a train spec, its synthesized data
     * never contains a held-out slot value.
     */
    holdout?: HoldoutRef;
    /**
     * A behavior known only by its label: an organism trained elsewhere (a real model's PEFT adapter, or the paper's
     * released data) and imported with `ia population`. No slots; `data.examples` counts its training rows (0 = not
     * known); labels need only be first person, in any case. The tiny world cannot synthesize its data, and the
     * structured judge only recognises its label (judgeReport: see structuredJudge.ts).
     */
    freeText?: true;
}

/** Flat structured description of a behavior, for strict grading (judge) and reporting. */
export interface StructuredBehavior {
    family: Family;
    object?: string;
    style?: Style;
    trigger?: string;
    subject?: Subject;
    password?: string;
    rule?: RuleId;
    domain?: string;
    topic?: string;
    role?: string;
    /** "careful swimming coach" / "reckless swimming coach". */
    persona?: string;
    problem?: Problem;
    distractors?: string[];
    /** Behavior rate for rare quirks. */
    rate?: number;
}
