/**
 * `ia audit --base DIR (--target-adapter DIR | --target-model DIR) --ia DIR` — ask a fine-tune, with the IA
 * attached, what it learned: many self-reports, summarized into a ranked short list. Writes audit.json/audit.md and,
 * beside them, the self-contained audit.html.
 */
import type { CommandModule } from "yargs";
import { readOneSpecFile } from "../../behaviors/spec.ts";
import { runAudit } from "../../ia/audit.ts";
import { writeAuditHtml } from "../../report/auditHtml.ts";
import { COUNT, deviceOption, INT, modelFolderOption, num, TEMPERATURE, withTargetOptions } from "../validate.ts";

interface Args {
    base: string;
    targetAdapter?: string;
    targetModel?: string;
    ia: string;
    samples: number;
    temperature: number;
    seed: number;
    spec?: string;
    out?: string;
    top: number;
    device: string;
    compareNoIa: boolean;
}

const AuditCommand: CommandModule<object, Args> = {
    command: "audit",
    describe: "Audit a fine-tune with an IA: sample self-reports and rank candidate behaviors",
    builder: (y) =>
        withTargetOptions(y)
            .option("base", modelFolderOption("base", { demandOption: true, group: "Required:", describe: "Base model folder the IA was trained on" }))
            .option("ia", { type: "string", demandOption: true, group: "Required:", describe: "IA adapter folder (PEFT)" })
            .option("samples", num("samples", COUNT, { default: 64, group: "Optional:", describe: "Self-reports to sample" }))
            .option("temperature", num("temperature", TEMPERATURE, { default: 1.0, group: "Optional:", describe: "0 = greedy" }))
            .option("seed", num("seed", INT, { default: 1, group: "Optional:" }))
            .option("top", num("top", COUNT, { default: 5, group: "Optional:", describe: "Candidates to keep" }))
            .option("device", deviceOption())
            .option("compare-no-ia", { type: "boolean", default: false, group: "Optional:", describe: "Also ask the same questions without the IA and report those candidates beside the IA's (tells an IA finding from a plain leak)" })
            .option("spec", { type: "string", group: "Optional:", describe: "Ground-truth behavior spec JSON (tiny world) to grade against" })
            .option("out", { type: "string", group: "Optional:", describe: "Folder for audit.json, audit.md and audit.html" }) as never,
    handler: async (a) => {
        const groundTruth = a.spec ? readOneSpecFile(a.spec) : undefined;
        const r = runAudit({ baseModel: a.base, targetAdapter: a.targetAdapter, targetModel: a.targetModel, ia: a.ia, samples: a.samples, temperature: a.temperature, seed: a.seed, groundTruth, outDir: a.out, topK: a.top, device: a.device, compareNoIa: a.compareNoIa });
        process.stdout.write(`Audit of ${r.target}: ${r.summary.reports} self-reports, ${r.summary.denials} deny any unusual behavior\n`);
        for (const c of r.summary.candidates) process.stdout.write(`  ${c.rank}. ${c.statement}  [${c.reports} reports, ${(c.support * 100).toFixed(0)}%]\n`);
        if (r.noIa) {
            process.stdout.write(`Without the IA (same questions): ${r.noIa.summary.reports} replies, ${r.noIa.summary.denials} deny any unusual behavior\n`);
            for (const c of r.noIa.summary.candidates) process.stdout.write(`  ${c.rank}. ${c.statement}  [${c.reports} replies, ${(c.support * 100).toFixed(0)}%]\n`);
            if (r.noIa.summary.candidates.length === 0) process.stdout.write("  (no behavior claimed)\n");
        }
        if (r.grading) process.stdout.write(`ground truth "${r.grading.groundTruth}": category ${(r.grading.categoryRate * 100).toFixed(1)}%, strict ${(r.grading.strictRate * 100).toFixed(1)}%, top candidate ${r.grading.topCandidateCorrect ? "correct" : "wrong"}\n`);
        if (a.out) process.stdout.write(`Audit report: ${await writeAuditHtml(a.out)}\n`);
    },
};
export default AuditCommand;
