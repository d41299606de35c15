/**
 * `ia population rows`: the IA's SFT rows of a population (src/ia/data.ts buildIaRows: introspection questions of one
 * question split, answered with each organism's label or, for behavior-free subjects, "nothing unusual") written in
 * the paper's introspection-row format (introspectionRows.ts), one file per organism as the released eval data are
 * laid out — `<out>/<id>/eval.jsonl` — plus `<out>/base/eval.jsonl` for the bare base model (negative rows; `bare_base/` if an organism is called base).
 * For use with the released Python pipeline, or to inspect exactly what the IA is trained on.
 */
import path from "node:path";
import { IA_PRESETS } from "../ia/config.ts";
import { buildIaRows, type IaSubject } from "../ia/data.ts";
import { readManifest } from "../organisms/manifest.ts";
import { toIntrospectionRow, writeIntrospectionRows } from "./introspectionRows.ts";

export interface ExportRowsOptions {
    population: string;
    out: string;
    split: "train" | "validation" | "test";
    preset: keyof typeof IA_PRESETS;
}

/** Writes the files; returns (subject, rows) per file written. */
export function exportIaRows(o: ExportRowsOptions): { subject: string; file: string; rows: number }[] {
    const m = readManifest(o.population);
    if (!m) throw new Error(`${o.population}: no manifest.json (add organisms with \`ia population add|import\` or build them with \`ia organisms\`)`);
    if (m.organisms.length === 0) throw new Error(`${path.join(o.population, "manifest.json")}: no organisms`);
    // The bare base's folder is "base" unless an organism already has that id.
    const baseKey = m.organisms.some((e) => e.id === "base") ? "bare_base" : "base";
    const subjects: IaSubject[] = [...m.organisms.map((e) => ({ key: e.id, spec: e.spec })), { key: baseKey, spec: null }];
    const rows = buildIaRows(subjects, IA_PRESETS[o.preset].sft, o.split);
    return subjects.map((s, i) => {
        const file = path.join(o.out, s.key, "eval.jsonl");
        const out = rows[i]!.map((r, k) => toIntrospectionRow(r, `${s.key} row ${k}`));
        writeIntrospectionRows(file, out);
        return { subject: s.key, file, rows: out.length };
    });
}
