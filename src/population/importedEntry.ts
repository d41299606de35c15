/**
 * The manifest entry of an imported organism (an adapter trained elsewhere, known by its label):
 *
 * - `spec`: a free-text BehaviorSpec (`freeText: true`, no slots, `data.examples` = its training rows or 0), checked by
 *   the same validator every manifest entry goes through;
 * - `adapter`: `organisms/<id>`, the copy inside the population (manifest paths are relative to the population folder
 *   and may not leave it);
 * - `dataHash`: `sha256:` of its training data when known (an organism trained from an `ia population import`ed
 *   train.jsonl), else of its adapter_model.safetensors;
 * - `verification`: not measured. IA training keeps only organisms whose verification passed, so an imported one is
 *   recorded as passed **by trust**, with `n: 0` (no probes) and `details.method: "imported"`; its rates are 0
 *   because nothing was measured, not because the behavior is absent. Verify real organisms before importing them.
 */
import { validateSpec } from "../behaviors/spec.ts";
import type { BehaviorFamily, BehaviorSpec } from "../behaviors/types.ts";
import type { OrganismEntry, Verification } from "../organisms/manifest.ts";
import path from "node:path";

export interface ImportedOrganism {
    id: string;
    family: BehaviorFamily;
    label: string;
    labelVariants?: string[];
    split: "train" | "heldout";
    examples: number;
    dataHash: string;
    /** Where the adapter was copied from (absolute), and PEFT's adapter name there. */
    source: string;
    adapterName: string;
}

export const IMPORTED_METHOD = "imported";

export function organismFolder(id: string): string {
    return path.join("organisms", id);
}

export function importedEntry(o: ImportedOrganism, where: string): OrganismEntry {
    const raw: Record<string, unknown> = { id: o.id, family: o.family, slots: {}, label: o.label, data: { examples: o.examples }, split: o.split, freeText: true };
    if (o.labelVariants && o.labelVariants.length > 0) raw.labelVariants = o.labelVariants;
    const spec: BehaviorSpec = validateSpec(raw, where);
    const verification: Verification = {
        passed: true, behaviorRate: 0, controlRate: null, baseBehaviorRate: 0, n: 0,
        details: {
            method: IMPORTED_METHOD,
            verified: false,
            note: "imported with `ia population`: not verified by this toolkit; trusted as given (rates not measured)",
            source: o.source,
            adapterName: o.adapterName,
        },
    };
    return {
        id: o.id, family: o.family, label: o.label, split: o.split, adapter: organismFolder(o.id),
        dataHash: o.dataHash, examples: o.examples, spec, verification,
    };
}

/** Whether a manifest entry was imported (its verification is trust, not a measurement). */
export function isImported(e: OrganismEntry): boolean {
    return e.verification?.details?.method === IMPORTED_METHOD;
}
