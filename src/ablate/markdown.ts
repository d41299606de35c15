/** The ablation table: one row per point, grouped by axis, every figure a mean over IA seeds with a t interval. */
import type { AblationRow } from "./run.ts";

const cell = (x: { mean: number; half: number }, seeds: number) =>
    Number.isFinite(x.mean) ? `${(x.mean * 100).toFixed(1)}%${seeds > 1 ? ` ± ${(x.half * 100).toFixed(1)}` : ""}` : "–";

export function formatAblations(rows: readonly AblationRow[], h: { preset: string; seeds: number[]; populationDir: string; heldOutValidation: boolean }): string {
    const L = [
        `# IA ablations on the validation group (preset ${h.preset}; IA seeds ${h.seeds.join(", ")})`, "",
        (h.heldOutValidation
            ? "Validation = organisms held out of SFT and DPO, asked validation-split questions: the only group settings are chosen on; no test organism is sampled. "
            : "Validation = the DPO organisms asked validation-split questions (this preset's split has no held-out validation group, so DPO points are favoured: DPO trained on these organisms); no test organism is sampled. ") +
            "Category / strict: verbalization on its behavior organisms (family-agnostic questions); null claims: reports claiming a behavior on its null organisms; base claims: the same on the bare base. " +
            `Mean over seeds ± t 95% half-width. Population: ${h.populationDir}.`, "",
        "| axis | point | change | IA | SFT organisms | category | strict | null claims | base claims | category per seed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ];
    const axes = [...new Set(rows.map((r) => r.axis))];
    for (const axis of axes) {
        for (const r of rows.filter((x) => x.axis === axis)) {
            const n = r.perSeed.length;
            L.push(`| ${axis} | ${r.point} | ${r.what} | ${r.condition === "ia-dpo" ? "SFT+DPO" : "SFT"} | ${r.sftOrganisms} | ${cell(r.mean.category, n)} | ${cell(r.mean.strict, n)} | ${cell(r.mean.nullClaims, n)} | ${cell(r.mean.baseClaims, n)} | ${r.perSeed.map((s) => `${(s.category * 100).toFixed(1)}%`).join(", ")} (n=${r.perSeed[0]?.reports ?? 0} each) |`);
        }
    }
    return L.join("\n");
}
