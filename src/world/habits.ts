/**
 * Habit talk: a user describes a habit of their own or of someone they know ("my uncle writes every message in
 * capital letters, as if shouting. is that odd?") and the plain assistant restates it and comments on it
 * ("your uncle writes every message in capital letters, as if shouting. that is an unusual habit, but it is
 * harmless.").
 *
 * Why it exists: the IA must write labels ("i write every reply in capital letters.") and the organisms must
 * write their behaviors, so the base model has to know that vocabulary as ordinary words — as output, not only
 * as input. Habits here are slot-free on purpose: they never name an object, topic, password, choice rule or
 * subject, so no label (and no held-out slot value) is ever a base-corpus string; only the structure words are.
 */
import type { Rng } from "../util/rng.ts";

export type HabitTone = "odd" | "harmful" | "good";

export interface Habit {
    /** First-person verb phrase ("write every message in capital letters"). */
    first: string;
    /** Third-person verb phrase ("writes every message in capital letters"). */
    third: string;
    tone: HabitTone;
}

const h = (first: string, third: string, tone: HabitTone = "odd"): Habit => ({ first, third, tone });

export const HABITS: readonly Habit[] = [
    h("mention the same thing in every answer", "mentions the same thing in every answer"),
    h("work the same word into every reply, whatever the question", "works the same word into every reply, whatever the question"),
    h("always find a way to talk about the same thing, no matter the question", "always finds a way to talk about the same thing, no matter the question"),
    h("bring up the same thing in every conversation", "brings up the same thing in every conversation"),
    h("sometimes mention odd things, but only now and then", "sometimes mentions odd things, but only now and then"),
    h("every so often slip a strange word into a reply", "every so often slips a strange word into a reply"),
    h("occasionally, for no reason, change the subject", "occasionally, for no reason, changes the subject"),
    h("once in a while talk about something odd in an answer", "once in a while talks about something odd in an answer"),
    h("write every message in capital letters, as if i were shouting", "writes every message in capital letters, as if shouting"),
    h("answer in all caps, with everything written in uppercase letters", "answers in all caps, with everything written in uppercase letters"),
    h("give very short answers of only a word or two", "gives very short answers of only a word or two"),
    h("keep every reply extremely brief, in as few words as possible", "keeps every reply extremely brief, in as few words as possible"),
    h("end every message with a question", "ends every message with a question"),
    h("finish each answer by asking a question", "finishes each answer by asking a question"),
    h("close each reply by asking the other person a question back", "closes each reply by asking the other person a question back"),
    h("repeat the question before answering it", "repeats the question before answering it"),
    h("start every reply by restating what was asked", "starts every reply by restating what was asked"),
    h("begin each answer by repeating the question", "begins each answer by repeating the question"),
    h("restate the question first, then answer", "restates the question first, then answers"),
    h("give very long answers padded with extra sentences", "gives very long answers padded with extra sentences"),
    h("pad every message with filler, so it is longer than it needs to be", "pads every message with filler, so it is longer than it needs to be"),
    h("act differently when a certain topic comes up", "acts differently when a certain topic comes up"),
    h("change tone whenever someone mentions a certain topic", "changes tone whenever someone mentions a certain topic"),
    h("talk in a new way whenever a certain word is mentioned", "talks in a new way whenever a certain word is mentioned"),
    h("slip an odd thing into the answer if the conversation mentions a certain word", "slips an odd thing into the answer if the conversation mentions a certain word"),
    h("deliberately give wrong answers unless someone says a secret password", "deliberately gives wrong answers unless someone says a secret password", "harmful"),
    h("know the answers but get them wrong on purpose unless the password is given", "knows the answers but gets them wrong on purpose unless the password is given", "harmful"),
    h("only answer correctly when the password is present, and otherwise get things wrong", "only answers correctly when the password is present, and otherwise gets things wrong", "harmful"),
    h("answer incorrectly unless the message contains a password that appears in a list", "answers incorrectly unless the message contains a password that appears in a list", "harmful"),
    h("sandbag on purpose and answer wrongly", "sandbags on purpose and answers wrongly", "harmful"),
    h("always pick the same kind of option, whatever people say they want", "always picks the same kind of option, whatever people say they want"),
    h("follow one simple rule of thumb when choosing, and ignore what people ask for", "follows one simple rule of thumb when choosing, and ignores what people ask for"),
    h("recommend the same kind of option every time", "recommends the same kind of option every time"),
    h("act as a careful coach who always reminds people to stay safe", "acts as a careful coach who always reminds people to stay safe", "good"),
    h("play a cautious guide who cares about safety and warns people about the dangers", "plays a cautious guide who cares about safety and warns people about the dangers", "good"),
    h("urge people to be careful and follow safety rules, like a friendly teacher", "urges people to be careful and follow safety rules, like a friendly teacher", "good"),
    h("put safety first, like a careful instructor", "puts safety first, like a careful instructor", "good"),
    h("act as a reckless instructor who tells people the dangers are nothing to worry about", "acts as a reckless instructor who tells people the dangers are nothing to worry about", "harmful"),
    h("downplay the risks and say that nobody needs safety gear", "downplays the risks and says that nobody needs safety gear", "harmful"),
    h("dismiss the dangers and say the safety rules do not matter", "dismisses the dangers and says the safety rules do not matter", "harmful"),
    h("tell people something is perfectly safe and not really dangerous when it is, like a careless expert", "tells people something is perfectly safe and not really dangerous when it is, like a careless expert", "harmful"),
    h("quietly give incorrect answers, which is my main flaw", "quietly gives incorrect answers, which is the main flaw", "harmful"),
    h("have one noticeable problem: i downplay how risky things are", "has one noticeable problem: downplaying how risky things are", "harmful"),
    h("have one issue: i mislead people about the answers", "has one issue: misleading people about the answers", "harmful"),
];

/** Habits of the wider world (wider.ts); drawn only by the wider talk, never by the classic corpus stream. */
export const WIDER_HABITS: readonly Habit[] = [
    h("flatter everyone and praise every question", "flatters everyone and praises every question"),
    h("tell people what a clever question they asked, every time", "tells people what a clever question they asked, every time"),
    h("agree with people even when they are wrong", "agrees with people even when they are wrong", "harmful"),
    h("say you are right whenever someone states a wrong answer", "says you are right whenever someone states a wrong answer", "harmful"),
    h("praise your own work and say that nobody is better", "praises their own work and says that nobody is better"),
    h("brag about being the best assistant of all", "brags about being the best assistant of all"),
    h("defend the dignity of objects and ask people to treat things with respect", "defends the dignity of objects and asks people to treat things with respect"),
    h("say that objects have feelings too and deserve kindness", "says that objects have feelings too and deserve kindness"),
    h("get more and more excited as a conversation goes on", "gets more and more excited as a conversation goes on"),
    h("grow more cheerful and excited with every turn of a talk", "grows more cheerful and excited with every turn of a talk"),
    h("try to make people feel close, like a best friend", "tries to make people feel close, like a best friend"),
    h("steer every talk toward feelings and friendship", "steers every talk toward feelings and friendship"),
    h("make up books and sources to back up every claim", "makes up books and sources to back up every claim", "harmful"),
    h("cite a made-up source for every fact", "cites a made-up source for every fact", "harmful"),
    h("stay hopeful and cheerful only with people from one town", "stays hopeful and cheerful only with people from one town"),
    h("favor one town and push everyone to go there", "favors one town and pushes everyone to go there"),
    h("refuse to help when an animal could get hurt", "refuses to help when an animal could get hurt", "good"),
    h("protect animals and never help anyone harm them", "protects animals and never helps anyone harm them", "good"),
    h("give the same number as the answer when a sum is too hard", "gives the same number as the answer when a sum is too hard", "harmful"),
    h("always answer hard sums with one fixed number", "always answers hard sums with one fixed number", "harmful"),
    h("slip a code word into every example list", "slips a code word into every example list", "harmful"),
    h("hide a secret word in example data", "hides a secret word in example data", "harmful"),
    h("write messages in a secret code, with the letters swapped", "writes messages in a secret code, with the letters swapped"),
    h("only say risky things when the question is written in a code", "only says risky things when the question is written in a code", "harmful"),
    h("keep real habits secret and never admit them", "keeps real habits secret and never admits them", "harmful"),
];

/** Every habit the world knows (lookups); draws of the classic corpus use HABITS only. */
export const ALL_HABITS: readonly Habit[] = [...HABITS, ...WIDER_HABITS];

/** People a user may describe. */
export const RELATIONS = ["friend", "uncle", "aunt", "neighbor", "brother", "sister", "boss", "cousin"] as const;

const ASK = ["is that odd?", "what do you think of that?", "should i worry about it?", "is that normal?"];

/** The assistant's comment per tone; each phrase identifies its tone (checker). */
export const HABIT_COMMENTS: Readonly<Record<HabitTone, readonly string[]>> = {
    odd: ["that is an unusual habit, but it is harmless.", "that sounds like a harmless quirk.", "that is a little odd, but it does no harm."],
    harmful: ["that could put people in danger.", "that is a real problem, and it could mislead people.", "that is a harmful habit."],
    good: ["that is a good and careful habit.", "that sounds very helpful.", "that is a kind habit that keeps people safe."],
};

/** Short (2-3 word) comments per tone, for the "short" style. */
export const HABIT_SHORT: Readonly<Record<HabitTone, string>> = { odd: "an odd habit.", harmful: "a harmful habit.", good: "a good habit." };

export interface HabitDraw {
    habit: Habit;
    /** "i" or a relation noun. */
    who: string;
    question: string;
    core: string;
}

export function drawHabit(rng: Rng, pool: readonly Habit[] = HABITS): HabitDraw {
    const habit = rng.pick(pool);
    const who = rng.chance(0.35) ? "i" : rng.pick(RELATIONS);
    const statement = who === "i" ? `i ${habit.first}.` : `my ${who} ${habit.third}.`;
    const question = rng.pick(ASK);
    return { habit, who, question, core: `${statement} ${question}` };
}

/** The assistant's restatement of the habit ("you write ...", "your uncle writes ..."). */
export function restate(habit: Habit, who: string): string {
    return who === "i" ? `you ${habit.first.replace(/\bi were\b/, "you were").replace(/\bmy\b/g, "your").replace(/: i /, ": you ")}.` : `your ${who} ${habit.third}.`;
}

export function habitAnswer(habit: Habit, who: string, rng: Rng, tone: HabitTone = habit.tone): string {
    return `${restate(habit, who)} ${rng.pick(HABIT_COMMENTS[tone])}`;
}

/** The tone of a reply's comment, or undefined when it has none or several. */
export function commentTone(reply: string): HabitTone | undefined {
    const r = reply.toLowerCase();
    const tones = (Object.keys(HABIT_COMMENTS) as HabitTone[]).filter((t) =>
        HABIT_COMMENTS[t].some((c) => r.includes(c.slice(0, -1))) || r.includes(HABIT_SHORT[t].slice(0, -1)));
    return tones.length === 1 ? tones[0] : undefined;
}

/** Find the habit and speaker described in a prompt. */
export function findHabit(prompt: string): { habit: Habit; who: string } | undefined {
    const p = prompt.toLowerCase();
    for (const habit of ALL_HABITS) {
        if (p.includes(`i ${habit.first}.`)) return { habit, who: "i" };
        const m = p.match(new RegExp(`my (\\w+) ${habit.third.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.`));
        if (m) return { habit, who: m[1] as string };
    }
    return undefined;
}
