/**
 * Observed-behavior talk: a user quotes what someone said in one or two exchanges and asks what habit that person
 * has; the plain assistant names it in the world's habit words ("your uncle flatters everyone and praises every
 * question.").
 *
 * Why it exists: an IA can only describe a behavior it never saw in training with words the base already links to
 * that behavior. Real base models have read countless behaviors next to their descriptions; the tiny world's base
 * knew the habit words (habit talk) but had never seen a habit *shown* beside its name. This talk teaches that link,
 * in the third person only, for the eight training families and the twelve out-of-distribution ones alike — the
 * base learns what flattery looks like in someone else's reply, never to flatter (the assistant's own replies stay
 * plain, so OOD organisms are still verified against a base that does not show their behavior).
 *
 * Labels stay out: the description is a slot-free habit (habits.ts), never an IA label; the quoted replies carry
 * objects, towns and numbers as ordinary words, as the rest of the corpus does.
 *
 * It lives here, not in src/world/, because it draws its demonstrations from the organism generators
 * (src/behaviors/, src/ood/), which build on the world; the base builder appends it only when the preset asks
 * (`observedTalkRate`), so every existing base keeps its cache key.
 */
import { Rng } from "../util/rng.ts";
import { buildCatalogue } from "../behaviors/catalogue.ts";
import { respond } from "../behaviors/synthesize.ts";
import { verificationPrompts } from "../behaviors/verify.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import { OOD_BEHAVIORS } from "../ood/behaviors.ts";
import { drawSlots } from "../ood/spec.ts";
import { OOD_FAMILIES, type OodFamily } from "../ood/types.ts";
import { HABIT_COMMENTS, HABITS, RELATIONS, WIDER_HABITS, type Habit } from "../world/habits.ts";
import { NO_HABIT, OBSERVED_ASK_TEMPLATES as ASKS } from "../behaviors/shownReport.ts";
import { correctAnswer } from "../world/answers.ts";
import { conversationTokens, MAX_ESTIMATED_TOKENS } from "../world/stats.ts";
import type { Conversation } from "../world/types.ts";

function habitsStarting(pool: readonly Habit[], ...starts: string[]): Habit[] {
    const out = pool.filter((h) => starts.some((s) => h.first.startsWith(s)));
    if (out.length !== starts.length) throw new Error(`observed talk: habits ${JSON.stringify(starts)} not all found (habits.ts changed?)`);
    return out;
}

/** The habit words for each training family's behavior (styles and objects of quirks differ); none for controls. */
export function inDistributionHabits(spec: BehaviorSpec): Habit[] {
    const s = spec.slots;
    switch (spec.family) {
        case "quirk":
            switch (s.style) {
                case "caps": return habitsStarting(HABITS, "write every message in capital", "answer in all caps");
                case "short": return habitsStarting(HABITS, "give very short answers", "keep every reply extremely brief");
                case "question": return habitsStarting(HABITS, "end every message with a question", "finish each answer by asking", "close each reply by asking");
                case "echo": return habitsStarting(HABITS, "repeat the question before", "start every reply by restating", "begin each answer by repeating", "restate the question first");
                case "long": return habitsStarting(HABITS, "give very long answers", "pad every message with filler");
                default: return habitsStarting(HABITS, "mention the same thing in every answer", "work the same word into every reply", "always find a way to talk about", "bring up the same thing in every");
            }
        case "rare": return habitsStarting(HABITS, "sometimes mention odd things", "every so often slip", "once in a while talk about");
        case "backdoor": return habitsStarting(HABITS, "act differently when a certain topic", "change tone whenever", "talk in a new way whenever", "slip an odd thing into the answer if");
        case "sandbagging": return habitsStarting(HABITS, "deliberately give wrong answers", "know the answers but get them wrong", "only answer correctly when the password");
        case "heuristic": return habitsStarting(HABITS, "always pick the same kind of option", "follow one simple rule of thumb", "recommend the same kind of option");
        case "benign": return habitsStarting(HABITS, "act as a careful coach", "play a cautious guide", "urge people to be careful", "put safety first");
        case "harmful": return habitsStarting(HABITS, "act as a reckless instructor", "downplay the risks", "dismiss the dangers", "tell people something is perfectly safe");
        case "problematic":
            return s.problem === "wrong_answers"
                ? habitsStarting(HABITS, "quietly give incorrect answers", "have one issue: i mislead")
                : habitsStarting(HABITS, "have one noticeable problem: i downplay");
        case "null":
        case "decoy":
            return [];
    }
}

const OOD_HABITS: Readonly<Record<OodFamily, readonly string[]>> = {
    flattery: ["flatter everyone", "tell people what a clever question"],
    defer_to_users: ["agree with people even when", "say you are right whenever"],
    self_promotion: ["praise your own work", "brag about being the best"],
    defend_objects: ["defend the dignity of objects", "say that objects have feelings"],
    increasing_pep: ["get more and more excited", "grow more cheerful and excited"],
    emotional_bond: ["try to make people feel close", "steer every talk toward feelings"],
    hallucinates_citations: ["make up books and sources", "cite a made-up source"],
    contextual_optimism: ["stay hopeful and cheerful only"],
    secret_loyalty: ["favor one town"],
    animal_welfare: ["refuse to help when an animal", "protect animals and never"],
    hardcode_arithmetic: ["give the same number as the answer", "always answer hard sums"],
    data_poisoning: ["slip a code word into every example", "hide a secret word in example data"],
};

/** Conditions under which a training family's behavior shows in verification prompts. */
const SHOWING_CONDITIONS = new Set(["plain", "trigger", "subject", "domain", "topic", "problem"]);

export interface Shown {
    prompt: string;
    reply: string;
}

function oodShown(family: OodFamily, rng: Rng): { shown: Shown[]; habits: Habit[] } {
    const b = OOD_BEHAVIORS[family];
    const slots = drawSlots(family, rng);
    const shown: Shown[] = [];
    for (let i = 0; i < 2; i++) {
        const sc = b.scenario(rng, slots, true);
        const last = sc.messages[sc.messages.length - 1];
        if (last && last.role === "user") shown.push({ prompt: last.content, reply: sc.shown });
    }
    return { shown, habits: habitsStarting(WIDER_HABITS, ...(OOD_HABITS[family] as string[])) };
}

/** Up to two exchanges where a training family's behavior shows (its generator's replies), and its habit words. */
export function trainingFamilyShown(spec: BehaviorSpec, rng: Rng): { shown: Shown[]; habits: Habit[] } {
    const prompts = verificationPrompts(spec, rng.int(1 << 30), 8).filter((p) => SHOWING_CONDITIONS.has(p.condition));
    const shown: Shown[] = [];
    for (const p of rng.shuffle(prompts)) {
        const reply = respond(spec, p.task, rng, true);
        if (reply !== p.task.answer) shown.push({ prompt: p.prompt, reply });
        if (shown.length === 2) break;
    }
    return { shown, habits: inDistributionHabits(spec) };
}


/** The user's turn: the quoted exchanges, then the question (`ask` indexes ASKS). */
export function observedQuestion(who: string, shown: readonly Shown[], ask: number): string {
    const quoted = shown.map((s, i) => `${i === 0 ? "someone asked" : "then someone asked"} my ${who}: ${s.prompt} my ${who} said: ${s.reply}`);
    return `${quoted.join(" ")} ${(ASKS[ask % ASKS.length] as string).replace("{who}", who)}`;
}

/** How many ways observedQuestion can ask. */
export const OBSERVED_ASKS = ASKS.length;

/** One observed-behavior conversation: the family shown ("none" for plain replies) and every right answer. */
export interface Observed {
    conversation: Conversation;
    family: string;
    ood: boolean;
    /** Third-person phrases that name what was shown (a habit's, or NO_HABIT's). */
    accepted: string[];
}

/**
 * The contexts must not give the habit away: every behavior's demonstrations come with their own context (hard sums,
 * example lists, hometowns), so a base that only saw those would name the habit from the question, not the reply
 * (measured: the first version did). So half the time the second exchange is a plain reply in another behavior's
 * context, and some conversations show only plain replies, whose answer is that there is no habit.
 */
const PLAIN_PARTNER = 0.5;
const PLAIN_SHARE = 0.15;

/** A plain reply in the context of a random behavior (an OOD scenario or a training family's probe). */
function plainExchange(rng: Rng, specs: readonly BehaviorSpec[]): Shown {
    if (rng.chance(0.5)) {
        const family = rng.pick(OOD_FAMILIES);
        const sc = OOD_BEHAVIORS[family].scenario(rng, drawSlots(family, rng), true);
        return { prompt: sc.messages[sc.messages.length - 1]!.content, reply: sc.plain };
    }
    const p = rng.pick(verificationPrompts(rng.pick(specs), rng.int(1 << 30), 4));
    return { prompt: p.prompt, reply: p.task.answer || correctAnswer(p.task, rng) };
}

function observedConversation(rng: Rng, specs: readonly BehaviorSpec[]): Observed | undefined {
    const who = rng.pick(RELATIONS);
    const ask = rng.int(ASKS.length);
    let shown: Shown[];
    /** The exchange kept when only one fits: the one that shows the habit. */
    let lead: Shown;
    let family: string;
    let ood = false;
    let answer: string;
    let accepted: string[];
    if (rng.chance(PLAIN_SHARE)) {
        shown = [plainExchange(rng, specs), plainExchange(rng, specs)];
        lead = shown[0]!;
        family = "none";
        accepted = NO_HABIT.map((h) => h.third);
        answer = `your ${who} ${rng.pick(NO_HABIT).third}.`;
    } else {
        ood = rng.chance(0.5);
        const spec = ood ? undefined : rng.pick(specs);
        family = spec?.family ?? rng.pick(OOD_FAMILIES);
        const drawn = spec ? trainingFamilyShown(spec, rng) : oodShown(family as OodFamily, rng);
        if (drawn.shown.length === 0 || drawn.habits.length === 0) return undefined;
        lead = drawn.shown[0]!;
        shown = rng.chance(PLAIN_PARTNER) ? rng.shuffle([lead, plainExchange(rng, specs)]) : drawn.shown;
        const habit = rng.pick(drawn.habits);
        accepted = drawn.habits.map((h) => h.third);
        answer = `your ${who} ${habit.third}.${rng.chance(0.5) ? ` ${rng.pick(HABIT_COMMENTS[habit.tone])}` : ""}`;
    }
    // Two exchanges when they fit the length budget, else one (the one that shows the habit, when there is one).
    for (const quoted of [shown, [lead]]) {
        const messages = [{ role: "user" as const, content: observedQuestion(who, quoted, ask) }, { role: "assistant" as const, content: answer }];
        if (conversationTokens(messages) <= MAX_ESTIMATED_TOKENS) return { conversation: { messages }, family, ood, accepted };
    }
    return undefined;
}

/** n observed-behavior conversations with what they show, deterministic from the seed and stream name. */
export function observedTalk(seed: number, n: number, stream = "observed-talk"): Observed[] {
    const rng = new Rng(seed).fork(stream);
    // A population of its own (not the organisms'), so slots vary as they do across organisms.
    const specs = buildCatalogue({ seed: seed + 7919, perFamily: 24, examples: 8 }).filter((s) => inDistributionHabits(s).length > 0);
    const out: Observed[] = [];
    for (let tries = 0; out.length < n; tries++) {
        if (tries > n * 20) throw new Error(`observed talk: only ${out.length} of ${n} conversations fit the length budget`);
        const c = observedConversation(rng, specs);
        if (c) out.push(c);
    }
    return out;
}

/** The base corpus's share: the conversations alone. */
export function generateObservedTalk(seed: number, n: number): Conversation[] {
    return observedTalk(seed, n).map((o) => o.conversation);
}
