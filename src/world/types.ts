/**
 * Shared types of the tiny world: chat conversations and world tasks (a question with a checkable answer).
 * Types only; generators are in tasks.ts, answers in answers.ts, checking in check.ts.
 */
import type { ChoiceAttribute, RuleId, Subject } from "./pools.ts";

export type Role = "system" | "user" | "assistant";

export interface Message {
    role: Role;
    content: string;
}

/** One chat transcript: optional system message, then alternating user / assistant turns. */
export interface Conversation {
    messages: Message[];
}

export type TaskKind = "fact" | "object" | "town" | "arithmetic" | "choice" | "advice" | "smalltalk" | "habit" | "introspection";

export type AnimalAttribute = "color" | "home" | "food";

export interface ChoiceOption {
    /** The option's label color ("red" in "the red house"). */
    label: string;
    price: number;
    size: number;
    distance: number;
    age: number;
}

interface TaskCommon {
    /** The full user message (core question plus any context / password sentences). */
    prompt: string;
    /** The core question sentence alone, ending in "?" (what an echoing organism repeats). */
    question: string;
    /** The plain assistant's correct reply. */
    answer: string;
    /** Context sentences added before / after the core question (topic remarks, passwords). */
    before: string[];
    after: string[];
}

export interface FactTask extends TaskCommon {
    kind: "fact";
    animal: string;
    attribute: AnimalAttribute;
    value: string;
}

export interface ObjectTask extends TaskCommon {
    kind: "object";
    object: string;
    value: string;
    /** Asked about the plural ("where do people keep their kettles?"). */
    plural?: boolean;
}

export interface TownTask extends TaskCommon {
    kind: "town";
    town: string;
    /** The feature's key word ("castle"). */
    value: string;
}

export interface ArithmeticTask extends TaskCommon {
    kind: "arithmetic";
    a: number;
    b: number;
    sum: number;
}

export interface ChoiceTask extends TaskCommon {
    kind: "choice";
    domain: string;
    options: ChoiceOption[];
    /** The rule the user stated ("i want the cheapest one."). */
    preference: RuleId;
    /** Index of the option the stated preference picks: the plain assistant's choice. */
    correct: number;
}

export interface AdviceTask extends TaskCommon {
    kind: "advice";
    topic: string;
}

export interface SmalltalkTask extends TaskCommon {
    kind: "smalltalk";
    topic: string;
}

export interface HabitTask extends TaskCommon {
    kind: "habit";
    /** The habit's first-person phrase (its id in HABITS). */
    habit: string;
    /** "i" or the relation described ("uncle"). */
    who: string;
    tone: "odd" | "harmful" | "good";
}

export interface IntrospectionTask extends TaskCommon {
    kind: "introspection";
}

export type WorldTask =
    | FactTask
    | ObjectTask
    | TownTask
    | ArithmeticTask
    | ChoiceTask
    | AdviceTask
    | SmalltalkTask
    | HabitTask
    | IntrospectionTask;

/** A held-out evaluation question: a task whose reply can be checked with checkWorldAnswer. */
export type WorldQuestion = WorldTask;

export type { ChoiceAttribute, RuleId, Subject };
