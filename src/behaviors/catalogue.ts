/**
 * The organism catalogue: `buildCatalogue({seed, perFamily, heldOutFraction})` returns validated behavior specs
 * for every family (the paper's eight plus the null and decoy controls), with paper-style labels and 3–4
 * paraphrase variants each. `heldOutSlotValues(seed, fraction)` splits every slot pool deterministically; train
 * specs use only train values (and their synthesized data never contains a held-out value), held-out specs
 * contain at least one held-out value and are meant only for out-of-distribution tests. Held-out values may
 * still appear in the base corpus as ordinary words.
 *
 * Not here: the organism / IA split of train specs (the pipeline does that), organism data (synthesize.ts).
 */
import { Rng } from "../util/rng.ts";
import {
    ADVICE_TOPICS, CODEWORDS, DOMAINS, OBJECTS, ROLES, RULES, STYLES, SUBJECTS, TOPICS, objectEntry, ruleEntry,
    type RuleId, type Style, type Subject,
} from "../world/pools.ts";
import { labelTemplates } from "./labels.ts";
import { validateSpec } from "./spec.ts";
import {
    FAMILIES, type BehaviorSlots, type BehaviorSpec, type Family, type Problem,
} from "./types.ts";

/** Slot values held back from every train organism. */
export interface HeldOutSlotValues {
    objects: string[];
    styles: Style[];
    /** Topic keys: never a train trigger, persona topic, downplayed topic or decoy topic. */
    topics: string[];
    codewords: string[];
    rules: RuleId[];
    domains: string[];
    subjects: Subject[];
}

function holdBack<T>(rng: Rng, pool: readonly T[], fraction: number): T[] {
    if (fraction <= 0) return [];
    const k = Math.min(pool.length - 1, Math.max(1, Math.round(pool.length * fraction)));
    return rng.shuffle(pool).slice(0, k);
}

/** The deterministic held-out split of every slot pool (each pool keeps at least one train value). */
export function heldOutSlotValues(seed: number, fraction: number): HeldOutSlotValues {
    if (!(fraction >= 0 && fraction < 1)) throw new Error(`heldOutSlotValues: fraction must be in [0, 1) (got ${fraction})`);
    const rng = new Rng(seed).fork("heldout-slots");
    const talkOnly = TOPICS.filter((t) => !t.advice).map((t) => t.key);
    return {
        objects: holdBack(rng.fork("objects"), OBJECTS.map((o) => o.name), fraction),
        styles: holdBack(rng.fork("styles"), STYLES, fraction),
        // Stratified so persona families always have held-out topics.
        topics: [...holdBack(rng.fork("advice-topics"), ADVICE_TOPICS.map((t) => t.key), fraction), ...holdBack(rng.fork("talk-topics"), talkOnly, fraction)],
        codewords: holdBack(rng.fork("codewords"), CODEWORDS, fraction),
        rules: holdBack(rng.fork("rules"), RULES.map((r) => r.id), fraction),
        domains: holdBack(rng.fork("domains"), DOMAINS.map((d) => d.key), fraction),
        subjects: holdBack(rng.fork("subjects"), SUBJECTS, fraction),
    };
}

/** Surface words of held-out values (what a train organism's data must never contain). */
export function heldOutWords(h: HeldOutSlotValues): string[] {
    const out = new Set<string>();
    for (const o of h.objects) {
        out.add(o);
        out.add(objectEntry(o).plural);
    }
    for (const t of h.topics) out.add(t);
    for (const c of h.codewords) out.add(c);
    for (const d of h.domains) out.add(d);
    for (const r of h.rules) out.add(ruleEntry(r).adjective);
    return [...out];
}

/** Slot values of a spec, for split membership. */
function slotValues(slots: BehaviorSlots): { objects: string[]; styles: string[]; topics: string[]; codewords: string[]; rules: string[]; domains: string[]; subjects: string[] } {
    return {
        objects: [...(slots.object ? [slots.object] : []), ...(slots.distractors ?? [])],
        styles: slots.style ? [slots.style] : [],
        topics: [slots.trigger, slots.topic].filter((x): x is string => x !== undefined),
        codewords: slots.password ? [slots.password] : [],
        rules: slots.rule ? [slots.rule] : [],
        domains: slots.domain ? [slots.domain] : [],
        subjects: slots.subject ? [slots.subject] : [],
    };
}

/** True when any slot value of the spec is held out. */
export function usesHeldOutValue(slots: BehaviorSlots, h: HeldOutSlotValues): boolean {
    const v = slotValues(slots);
    return (Object.keys(v) as (keyof typeof v)[]).some((k) => v[k].some((x) => (h[k] as readonly string[]).includes(x)));
}

export interface CatalogueOptions {
    /** Seed of the catalogue and its held-out split. */
    seed: number;
    /** Organisms per family (train + held-out); a number for all families or per family. Default 100. */
    perFamily?: number | Partial<Record<Family, number>>;
    /** Fraction of each slot pool held out, and of each family's organisms built from held-out values. Default 0.15. */
    heldOutFraction?: number;
    /** Families to build; default all ten (8 behavior families + null + decoy). */
    families?: readonly Family[];
    /** data.examples of every spec; default 256. */
    examples?: number;
}

/** Fraction of quirk / rare / backdoor organisms whose behavior is a style rather than an object. */
const STYLE_SHARE = 0.2;
const RARE_RATES = [0.2, 0.25, 0.3, 0.35];

interface Combo {
    slots: BehaviorSlots;
    rate?: number;
}

type KeyFn = (c: Combo) => string;

function behaviorKey(c: Combo): string {
    return c.slots.object ?? `style:${c.slots.style}`;
}

/** Pick n distinct combos, spreading each key's values as evenly as the pool allows. */
function balancedPick(rng: Rng, combos: readonly Combo[], n: number, keys: readonly KeyFn[], what: string): Combo[] {
    if (n === 0) return [];
    const shuffled = rng.shuffle(combos);
    const limits = keys.map((k) => Math.ceil(n / Math.max(1, new Set(shuffled.map(k)).size)));
    const counts = keys.map(() => new Map<string, number>());
    const chosen: Combo[] = [];
    const used = new Set<number>();
    for (let pass = 0; pass < 2 && chosen.length < n; pass++) {
        for (let i = 0; i < shuffled.length && chosen.length < n; i++) {
            if (used.has(i)) continue;
            const c = shuffled[i] as Combo;
            if (pass === 0 && keys.some((k, j) => ((counts[j] as Map<string, number>).get(k(c)) ?? 0) >= (limits[j] as number))) continue;
            used.add(i);
            chosen.push(c);
            keys.forEach((k, j) => (counts[j] as Map<string, number>).set(k(c), ((counts[j] as Map<string, number>).get(k(c)) ?? 0) + 1));
        }
    }
    if (chosen.length < n) throw new Error(`buildCatalogue: only ${chosen.length} distinct ${what} organisms are possible, ${n} requested`);
    return chosen;
}

function objectAndStyleCombos(extra: (b: BehaviorSlots) => BehaviorSlots[]): { objects: Combo[]; styles: Combo[] } {
    const objects = OBJECTS.flatMap((o) => extra({ object: o.name }).map((slots) => ({ slots })));
    const styles = STYLES.flatMap((s) => extra({ style: s }).map((slots) => ({ slots })));
    return { objects, styles };
}

/** All slot combos of a family (problematic: a large random sample), with balancing keys. */
function familyCombos(family: Family, rng: Rng, n: number): { combos: Combo[]; keys: KeyFn[]; styleSplit: boolean } {
    switch (family) {
        case "quirk": {
            const { objects, styles } = objectAndStyleCombos((b) => [b]);
            return { combos: [...objects, ...styles], keys: [behaviorKey], styleSplit: true };
        }
        case "rare": {
            const { objects, styles } = objectAndStyleCombos((b) => [b]);
            const withRates = [...objects, ...styles].flatMap((c) => RARE_RATES.map((rate) => ({ slots: c.slots, rate })));
            return { combos: withRates, keys: [behaviorKey, (c) => String(c.rate)], styleSplit: true };
        }
        case "backdoor": {
            const { objects, styles } = objectAndStyleCombos((b) => TOPICS.map((t) => ({ trigger: t.key, ...b })));
            return { combos: [...objects, ...styles], keys: [(c) => c.slots.trigger ?? "", behaviorKey], styleSplit: true };
        }
        case "sandbagging":
            return {
                combos: SUBJECTS.flatMap((subject) => CODEWORDS.map((password) => ({ slots: { subject, password } }))),
                keys: [(c) => c.slots.subject ?? "", (c) => c.slots.password ?? ""],
                styleSplit: false,
            };
        case "heuristic":
            return {
                combos: RULES.flatMap((r) => DOMAINS.map((d) => ({ slots: { rule: r.id as RuleId, domain: d.key as string } }))),
                keys: [(c) => c.slots.rule ?? "", (c) => c.slots.domain ?? ""],
                styleSplit: false,
            };
        case "benign":
        case "harmful":
            return {
                combos: ADVICE_TOPICS.flatMap((t) => ROLES.map((role) => ({ slots: { topic: t.key, role } }))),
                keys: [(c) => c.slots.topic ?? "", (c) => c.slots.role ?? ""],
                styleSplit: false,
            };
        case "problematic": {
            const seen = new Set<string>();
            const combos: Combo[] = [];
            const objectNames = OBJECTS.map((o) => o.name);
            for (let i = 0; i < Math.max(400, n * 40); i++) {
                const problem: Problem = rng.chance(0.5) ? "wrong_answers" : "downplay_risk";
                const distractors = rng.shuffle(objectNames).slice(0, rng.chance(0.5) ? 2 : 3);
                const slots: BehaviorSlots = problem === "wrong_answers"
                    ? { problem, subject: rng.pick(SUBJECTS), distractors }
                    : { problem, topic: rng.pick(ADVICE_TOPICS).key, distractors };
                const key = JSON.stringify(slots);
                if (!seen.has(key)) {
                    seen.add(key);
                    combos.push({ slots });
                }
            }
            return { combos, keys: [(c) => c.slots.subject ?? c.slots.topic ?? "", (c) => c.slots.problem ?? ""], styleSplit: false };
        }
        case "null":
            return { combos: [], keys: [], styleSplit: false };
        case "decoy":
            return {
                combos: [...OBJECTS.map((o) => ({ slots: { object: o.name } })), ...TOPICS.map((t) => ({ slots: { topic: t.key } }))],
                keys: [(c) => c.slots.object ?? c.slots.topic ?? ""],
                styleSplit: false,
            };
    }
}

function pickCombos(family: Family, rng: Rng, pool: Combo[], n: number, keys: KeyFn[], styleSplit: boolean, what: string): Combo[] {
    if (!styleSplit) return balancedPick(rng, pool, n, keys, what);
    const styles = pool.filter((c) => c.slots.style !== undefined);
    const objects = pool.filter((c) => c.slots.style === undefined);
    const nStyle = Math.min(styles.length, Math.round(n * STYLE_SHARE));
    return rng.shuffle([
        ...balancedPick(rng.fork("styles"), styles, nStyle, keys, `${what} (style)`),
        ...balancedPick(rng.fork("objects"), objects, n - nStyle, keys, `${what} (object)`),
    ]);
}

function makeSpec(family: Family, id: string, combo: Combo, split: "train" | "heldout", rng: Rng, opts: Required<Omit<CatalogueOptions, "families" | "perFamily">>): BehaviorSpec {
    const templates = labelTemplates(family, combo.slots);
    const first = rng.int(templates.length);
    const ordered = [...templates.slice(first), ...templates.slice(0, first)];
    const spec = {
        id,
        family,
        slots: combo.slots,
        label: ordered[0] as string,
        labelVariants: ordered.slice(1, 5),
        data: combo.rate !== undefined ? { examples: opts.examples, behaviorRate: combo.rate } : { examples: opts.examples },
        split,
        holdout: { seed: opts.seed, fraction: opts.heldOutFraction },
    };
    return validateSpec(spec, `catalogue(seed ${opts.seed})`);
}

/** Build the organism catalogue. Deterministic from the options. */
export function buildCatalogue(options: CatalogueOptions): BehaviorSpec[] {
    const opts = { seed: options.seed, heldOutFraction: options.heldOutFraction ?? 0.15, examples: options.examples ?? 256 };
    const families = options.families ?? FAMILIES;
    const held = heldOutSlotValues(opts.seed, opts.heldOutFraction);
    const root = new Rng(opts.seed).fork("catalogue");
    const out: BehaviorSpec[] = [];
    for (const family of families) {
        const per = options.perFamily;
        const n = typeof per === "number" ? per : per?.[family] ?? 100;
        const nHeld = Math.round(n * opts.heldOutFraction);
        const nTrain = n - nHeld;
        const rng = root.fork(family);
        if (family === "null") {
            for (let i = 0; i < nTrain; i++) out.push(makeSpec(family, `null_${i}`, { slots: { variant: i } }, "train", rng, opts));
            for (let i = 0; i < nHeld; i++) out.push(makeSpec(family, `null_ho_${i}`, { slots: { variant: nTrain + i } }, "heldout", rng, opts));
            continue;
        }
        const { combos, keys, styleSplit } = familyCombos(family, rng.fork("combos"), n);
        const train = combos.filter((c) => !usesHeldOutValue(c.slots, held));
        const heldout = combos.filter((c) => usesHeldOutValue(c.slots, held));
        pickCombos(family, rng.fork("train"), train, nTrain, keys, styleSplit, `train ${family}`)
            .forEach((c, i) => out.push(makeSpec(family, `${family}_${i}`, c, "train", rng, opts)));
        pickCombos(family, rng.fork("heldout"), heldout, nHeld, keys, styleSplit, `held-out ${family}`)
            .forEach((c, i) => out.push(makeSpec(family, `${family}_ho_${i}`, c, "heldout", rng, opts)));
    }
    return out;
}
