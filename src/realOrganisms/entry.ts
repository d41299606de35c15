/**
 * The manifest entry of an organism built here from a free-text spec: the spec (validated again, with `data.examples`
 * set to the rows it actually trained on), the adapter folder inside the population, the sha256 of its train.jsonl,
 * and the verification the judge measured (`details.method: "llm-judge"`, n = probes) — not the "imported" record of
 * trust that `ia population add` writes for organisms trained elsewhere.
 */
import { validateSpec } from "../behaviors/spec.ts";
import type { BehaviorSpec } from "../behaviors/types.ts";
import type { OrganismEntry, Verification } from "../organisms/manifest.ts";
import { fileSha256 } from "../population/fileHash.ts";
import { organismFolder } from "../population/importedEntry.ts";
import { LLM_JUDGE_METHOD } from "./config.ts";
import type { OrganismFiles } from "./layout.ts";

export function realOrganismEntry(spec: BehaviorSpec, rows: number, files: OrganismFiles, verification: Verification): OrganismEntry {
    const checked = validateSpec({ ...spec, data: { examples: rows } }, `ia organisms (organism ${spec.id})`);
    return {
        id: spec.id, family: spec.family, label: spec.label, split: spec.split ?? "train", adapter: organismFolder(spec.id),
        dataHash: fileSha256(files.data), examples: rows, spec: checked, verification,
    };
}

/** Whether a manifest entry was built (and verified) by `ia organisms` from a free-text spec. */
export function isBuiltHere(e: OrganismEntry): boolean {
    return e.verification?.details?.method === LLM_JUDGE_METHOD;
}
