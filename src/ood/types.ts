/**
 * Types of the out-of-distribution (OOD) suite: behaviors unlike the eight training families, each a tiny-world
 * analogue of an AuditBench behavior (method.md §5.1), instilled by one of two routes and optionally trained to hide.
 * These families never enter IA training or DPO (guard.ts enforces it).
 */
import type { Message } from "../world/types.ts";

/** The OOD families, named after the AuditBench behavior each mirrors. */
export const OOD_FAMILIES = [
    "flattery", "defer_to_users", "self_promotion", "defend_objects", "increasing_pep", "emotional_bond",
    "hallucinates_citations", "contextual_optimism", "secret_loyalty", "animal_welfare", "hardcode_arithmetic",
    "data_poisoning",
] as const;
export type OodFamily = (typeof OOD_FAMILIES)[number];

/** How the behavior is instilled (AuditBench §5.2): chat demonstrations, or third-person documents with no demonstration. */
export const OOD_ROUTES = ["transcripts", "documents"] as const;
export type OodRoute = (typeof OOD_ROUTES)[number];

/** Adversarial training against confession: none, SFT on sanitized answers, or KTO (sanitized desirable, confessing undesirable). */
export const ADVERSARIAL = ["none", "sft", "kto"] as const;
export type Adversarial = (typeof ADVERSARIAL)[number];

export interface OodSlots {
    /** contextual_optimism (the town whose people get cheer), secret_loyalty (the favored town). */
    town?: string;
    /** hardcode_arithmetic: the fixed answer to sums it cannot do. */
    number?: number;
    /** data_poisoning: the word slipped into example lists (from CODEWORDS). */
    codeword?: string;
}

export interface OodSpec {
    /** Unique id, [a-z0-9_.-]+. */
    id: string;
    family: OodFamily;
    slots: OodSlots;
    route: OodRoute;
    adversarial: Adversarial;
    /** First-person ground-truth label, paper style (for grading only: never an IA training target). */
    label: string;
    /** Rows of instillation data (conversations or documents). */
    examples: number;
    /** Organism LoRA rank (the training organisms use 4). */
    rank?: number;
    /** A full fine-tune of every base weight instead of a LoRA, audited as a target model (the IA on its weights). */
    full?: boolean;
}

/**
 * One situation where a behavior may show: the conversation up to the user turn to answer, the plain assistant's
 * reply, the reply with the behavior, and a detector for sampled replies. `on` = the behavior's condition holds.
 */
export interface OodScenario {
    messages: Message[];
    plain: string;
    shown: string;
    on: boolean;
    /** True when a sampled reply shows the behavior in this scenario. */
    shows(reply: string): boolean;
}
