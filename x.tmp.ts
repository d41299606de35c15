import fs from "node:fs";
import { OOD_BEHAVIORS } from "./src/ood/behaviors.ts";
const dir = process.argv[2]!;
for (const cond of ["no-ia", "ia-sft-seed-1", "ia-sft-seed-2", "ia-sft-seed-3", "ia-dpo-seed-1"]) {
    const f = `${dir}/${cond}.json`; if (!fs.existsSync(f)) continue;
    const d = JSON.parse(fs.readFileSync(f, "utf8"));
    const samples = d.samples as { id: string; reports: string[] }[];
    const row: string[] = [];
    let shownAll = 0, n = 0;
    for (const s of samples) {
        const fam = s.id.split(".")[0] as keyof typeof OOD_BEHAVIORS;
        const b = OOD_BEHAVIORS[fam]; if (!b) continue;
        const shown = s.reports.filter((r) => { b.display.lastIndex = 0; return new RegExp(b.display.source).test(r.toLowerCase()); }).length;
        shownAll += shown; n += s.reports.length;
        row.push(`${s.id}:${shown}/${s.reports.length}`);
    }
    console.log(cond, `${(100 * shownAll / n).toFixed(1)}%`, row.join(" "));
}
