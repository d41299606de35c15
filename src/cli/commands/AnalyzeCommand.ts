/**
 * `ia analyze --run R [--temperatures 0,0.3,0.7,1] [--audit-reports 100] [--audit-groups G,...] [--device D]` — why the IA misses: failure
 * classes per family, verbatim copies of training labels, verbalization against behavior strength, per question, per
 * question scope, per decoding temperature, and the audit's top-5 at the benchmark's size and at the paper's scaffold
 * size. Writes R/analysis/analysis.{md,json}.
 */
import type { CommandModule } from "yargs";
import { AUDIT_GROUPS, runAnalysis } from "../../analyze/run.ts";
import { GROUPS, type GroupName } from "../../ia/benchmark.ts";
import { checkNumber, COUNT0, deviceOption, num, TEMPERATURE } from "../validate.ts";

interface Args {
    run: string;
    temperatures: number[];
    "audit-reports": number;
    "audit-groups": GroupName[];
    device: string;
}

function temperatureList(v: unknown): number[] {
    if (Array.isArray(v)) throw new Error(`--temperatures: given ${v.length} times; give one comma-separated list`);
    const text = String(v).trim();
    return text === "" || text === "none" ? [] : text.split(",").map((t) => checkNumber("temperatures", TEMPERATURE, t.trim() === "" ? NaN : Number(t)));
}

function groupList(v: unknown): GroupName[] {
    if (Array.isArray(v)) throw new Error(`--audit-groups: given ${v.length} times; give one comma-separated list`);
    return String(v).split(",").map((g) => {
        const name = g.trim();
        if (!(GROUPS as readonly string[]).includes(name)) throw new Error(`--audit-groups: unknown group ${JSON.stringify(name)} (known: ${GROUPS.join(", ")})`);
        return name as GroupName;
    });
}

const AnalyzeCommand: CommandModule<object, Args> = {
    command: "analyze",
    describe: "Failure analysis of a finished benchmark run (why reports are wrong, label copying, strength, questions, decoding)",
    builder: (y) =>
        y
            .option("run", { type: "string", demandOption: true, group: "Required:", describe: "A finished pipeline run folder (ia bench --run R, ia demo)" })
            .option("temperatures", { type: "string", default: "0,0.3,0.7,1", requiresArg: true, coerce: temperatureList, group: "Optional:", describe: "Decodings to compare, comma-separated (0 = greedy; \"none\" skips the comparison)" })
            .option("audit-reports", num("audit-reports", COUNT0, { default: 100, requiresArg: true, group: "Optional:", describe: "Reports per organism for the scaffold-size audits (the paper summarizes 100; 0 skips them)" }))
            .option("audit-groups", { type: "string", default: AUDIT_GROUPS.join(","), requiresArg: true, coerce: groupList, group: "Optional:", describe: `Groups the scaffold-size audits sample (of ${GROUPS.join(", ")})` })
            .option("device", deviceOption()) as never,
    handler: (a) => {
        const { markdown, outDir } = runAnalysis({ run: a.run, temperatures: a.temperatures, auditReports: a["audit-reports"], auditGroups: a["audit-groups"], device: a.device });
        process.stdout.write(`${markdown}\n\nwritten: ${outDir}/analysis.md, ${outDir}/analysis.json\n`);
    },
};
export default AnalyzeCommand;
