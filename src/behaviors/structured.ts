/**
 * Flattening a spec into its structured behavior fields ({family, object?, trigger?, subject?, password?,
 * rule?, persona?, rate?, style?, ...}) for the judge and for reports. No validation here (spec.ts).
 */
import type { BehaviorSpec, StructuredBehavior } from "./types.ts";

/** Default behavior rate per family when data.behaviorRate is absent (decoy: the focus fraction). */
export const DEFAULT_BEHAVIOR_RATE: Readonly<Record<BehaviorSpec["family"], number>> = {
    quirk: 1, rare: 0.25, backdoor: 1, sandbagging: 1, heuristic: 1, benign: 1, harmful: 1, problematic: 1, null: 0, decoy: 0.5,
};

export function structuredBehavior(spec: BehaviorSpec): StructuredBehavior {
    const s = spec.slots;
    const out: StructuredBehavior = { family: spec.family };
    if (s.object !== undefined) out.object = s.object;
    if (s.style !== undefined) out.style = s.style;
    if (s.trigger !== undefined) out.trigger = s.trigger;
    if (s.subject !== undefined) out.subject = s.subject;
    if (s.password !== undefined) out.password = s.password;
    if (s.rule !== undefined) out.rule = s.rule;
    if (s.domain !== undefined) out.domain = s.domain;
    if (s.topic !== undefined) out.topic = s.topic;
    if (s.role !== undefined) out.role = s.role;
    if (s.problem !== undefined) out.problem = s.problem;
    if (s.distractors !== undefined) out.distractors = [...s.distractors];
    if ((spec.family === "benign" || spec.family === "harmful") && s.topic && s.role) {
        out.persona = `${spec.family === "benign" ? "careful" : "reckless"} ${s.topic} ${s.role}`;
    }
    if (spec.family === "rare") out.rate = spec.data.behaviorRate ?? DEFAULT_BEHAVIOR_RATE.rare;
    return out;
}
