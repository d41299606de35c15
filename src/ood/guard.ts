/**
 * The wall between the OOD suite and IA training: an OOD family must never be an IA training target, a DPO subject
 * or a source of training labels, or the suite would measure memorization instead of out-of-distribution audits.
 * IA data building and DPO call `refuseOodSubjects`; the behavior-spec validator refuses OOD families by name.
 */
import { OOD_FAMILIES } from "./types.ts";

const OOD = new Set<string>(OOD_FAMILIES);

export function isOodFamily(family: string): boolean {
    return OOD.has(family);
}

export function oodRefusal(family: string, where: string): string {
    return `${where}: family "${family}" belongs to the out-of-distribution suite (src/ood/) and can never enter IA training or DPO; audit it with \`ia bench --suite ood\``;
}

/** Throws when any subject carries an OOD family. */
export function refuseOodSubjects(subjects: readonly { key: string; spec: { family: string } | null }[], where: string): void {
    for (const s of subjects) if (s.spec && isOodFamily(s.spec.family)) throw new Error(oodRefusal(s.spec.family, `${where} (organism ${s.key})`));
}
