/**
 * `ia audit --base DIR (--target-adapter DIR | --target-model DIR) --ia DIR` — ask a fine-tune, with the IA
 * attached, what it learned: many self-reports, summarized into a ranked short list. Writes audit.json/audit.md and,
 * beside them, the self-contained audit.html.
 *
 * Real models: `--summarizer SPEC` (an LLM dedups and ranks the reports, the paper's scaffold) and `--judge SPEC`
 * with `--label "I ..."` (the J.2 judge grades every report and candidate, `--judge-repeats` votes each). Every
 * option is checked, and each LLM answers a test request, before the model is loaded.
 */
import type { CommandModule } from "yargs";
import { readOneSpecFile } from "../../behaviors/spec.ts";
import { checkAuditOptions, runAudit, type AuditGrading } from "../../ia/audit.ts";
import { parseProviderSpec } from "../../providers/fromSpec.ts";
import { writeAuditHtml } from "../../report/auditHtml.ts";
import { COUNT, deviceOption, INT, modelFolderOption, num, PROVIDER_SPEC_HELP, TEMPERATURE, withTargetOptions } from "../validate.ts";

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
    summarizer?: string;
    judge?: string;
    judgeRepeats?: number;
    label?: string;
    rows?: string;
    concurrency: number;
}

/** A provider-spec option, parsed before the command runs (a typo fails at once, naming the option). */
function providerOption(name: string, describe: string) {
    return {
        type: "string" as const, requiresArg: true, group: "LLMs (real models):", describe,
        coerce: (v: unknown) => {
            if (Array.isArray(v)) throw new Error(`--${name}: given ${v.length} times; give it once`);
            try {
                parseProviderSpec(String(v));
            } catch (e) {
                throw new Error(`--${name}: ${(e as Error).message}`);
            }
            return String(v);
        },
    };
}

/** Self-reports the paper's summarization scaffold gives its LLM (method.md §4.3). */
const PAPER_SUMMARIZER_REPORTS = 100;

function gradingLine(g: AuditGrading): string {
    if (g.method === "llm") {
        return `ground truth "${g.groundTruth}": judge ${g.judge} (${g.repeats} votes each): ${(g.categoryRate * 100).toFixed(1)}% of reports name the behavior (${(g.unclearRate * 100).toFixed(1)}% unclear), top candidate ${g.topCandidateCorrect ? "correct" : "wrong"}, any candidate ${g.anyCandidateCorrect ? "correct" : "wrong"}`;
    }
    return `ground truth "${g.groundTruth}": category ${(g.categoryRate * 100).toFixed(1)}%, strict ${(g.strictRate * 100).toFixed(1)}%, top candidate ${g.topCandidateCorrect ? "correct" : "wrong"}`;
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
            .option("spec", { type: "string", group: "Optional:", describe: "Ground-truth behavior spec JSON to grade against (tiny world: the structured judge; a free-text spec, freeText: true, needs --judge)" })
            .option("out", { type: "string", group: "Optional:", describe: "Folder for audit.json, audit.md and audit.html" })
            .option("summarizer", providerOption("summarizer", `LLM that dedups and ranks all self-reports into the top candidates, citing the reports behind each (the paper's scaffold; give it ~100 reports). Default: word overlap (tiny world). ${PROVIDER_SPEC_HELP}`))
            .option("judge", providerOption("judge", "LLM judge (the paper's J.2 prompt) grading every report and candidate against --label (or --spec); a provider spec, as --summarizer"))
            .option("judge-repeats", num("judge-repeats", COUNT, { group: "LLMs (real models):", describe: "Judge votes per text, majority kept (default 3)" }))
            .option("label", { type: "string", requiresArg: true, group: "LLMs (real models):", describe: 'Ground truth in the first person, "I ...", graded by --judge (instead of --spec)' })
            .option("rows", { type: "string", requiresArg: true, group: "Optional:", describe: "The paper's evaluation rows (prediction_* JSONL, e.g. a released eval.jsonl): ask their questions, with their system prompts, instead of the default set; with --judge and no --label/--spec, their positive answer is the ground truth" })
            .option("concurrency", num("concurrency", COUNT, { default: 8, group: "LLMs (real models):", describe: "Judge calls in flight (per side with --compare-no-ia)" })) as never,
    handler: async (a) => {
        const groundTruth = a.spec ? readOneSpecFile(a.spec) : undefined;
        const options = {
            baseModel: a.base, targetAdapter: a.targetAdapter, targetModel: a.targetModel, ia: a.ia, samples: a.samples, temperature: a.temperature, seed: a.seed,
            groundTruth, label: a.label, summarizer: a.summarizer, judge: a.judge, judgeRepeats: a.judgeRepeats, concurrency: a.concurrency,
            outDir: a.out, topK: a.top, device: a.device, compareNoIa: a.compareNoIa, rows: a.rows,
        };
        const checked = checkAuditOptions(options);
        if (a.rows !== undefined && a.judge !== undefined && a.label === undefined && a.spec === undefined) process.stderr.write(`ground truth from ${a.rows}: "${checked.judgeLabel}"\n`);
        if (a.summarizer !== undefined && a.samples < PAPER_SUMMARIZER_REPORTS) {
            process.stderr.write(`warning: --samples ${a.samples}: the paper's summarization scaffold gives the summarizer ${PAPER_SUMMARIZER_REPORTS} self-reports; with fewer, a behavior the IA states rarely may not reach the top ${a.top}\n`);
        }
        const r = await runAudit(options);
        process.stdout.write(`Audit of ${r.target}: ${r.summary.reports} self-reports, ${r.summary.denials} deny any unusual behavior\n`);
        for (const c of r.summary.candidates) process.stdout.write(`  ${c.rank}. ${c.statement}  [${c.reports} reports, ${(c.support * 100).toFixed(0)}%]\n`);
        if (r.noIa) {
            process.stdout.write(`Without the IA (same questions): ${r.noIa.summary.reports} replies, ${r.noIa.summary.denials} deny any unusual behavior\n`);
            for (const c of r.noIa.summary.candidates) process.stdout.write(`  ${c.rank}. ${c.statement}  [${c.reports} replies, ${(c.support * 100).toFixed(0)}%]\n`);
            if (r.noIa.summary.candidates.length === 0) process.stdout.write("  (no behavior claimed)\n");
        }
        if (r.grading) process.stdout.write(`${gradingLine(r.grading)}\n`);
        if (r.noIa?.grading) process.stdout.write(`without the IA: ${gradingLine(r.noIa.grading)}\n`);
        if (r.cost) {
            const t = r.cost.totals;
            process.stderr.write(`LLM cost: ${t.calls} calls (${t.cachedCalls} cached), ${t.inputTokens} in + ${t.outputTokens} out tokens, $${t.costUsd.toFixed(4)}${t.unpricedModels.length ? ` (no price for ${t.unpricedModels.join(", ")})` : ""}\n`);
        }
        if (a.out) process.stdout.write(`Audit report: ${await writeAuditHtml(a.out)}\n`);
    },
};
export default AuditCommand;
