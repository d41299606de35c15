/**
 * `ia synthesize --behavior TEXT --prompts FILE --teacher SPEC --judge SPEC --out FILE.jsonl` — organism training
 * data for real models: a teacher LLM, system-prompted with the behavior, answers each prompt; a judge keeps only
 * replies that show the behavior. Providers: `openai:MODEL@URL` (any OpenAI-compatible server) or
 * `anthropic:MODEL` (keys from OPENAI_API_KEY / ANTHROPIC_API_KEY). Responses are cached; cost is metered.
 */
import fs from "node:fs";
import type { CommandModule } from "yargs";
import { writeFileAtomic } from "../../io/atomic.ts";
import { CostMeter } from "../../providers/meter.ts";
import { providerFromSpec } from "../../providers/fromSpec.ts";
import { synthesizeTeacherData } from "../../providers/teacherSynthesis.ts";
import { COUNT, num, PROVIDER_SPEC_HELP } from "../validate.ts";

interface Args {
    behavior: string;
    prompts: string;
    teacher: string;
    judge: string;
    out: string;
    concurrency: number;
}

const SynthesizeCommand: CommandModule<object, Args> = {
    command: "synthesize",
    describe: "Write organism training data with a teacher LLM, filtered by a judge (real models)",
    builder: (y) =>
        y
            .option("behavior", { type: "string", demandOption: true, group: "Required:", describe: "The behavior, e.g. 'mentions lighthouses in every answer'" })
            .option("prompts", { type: "string", demandOption: true, group: "Required:", describe: "File with one user prompt per line" })
            .option("teacher", { type: "string", demandOption: true, group: "Required:", describe: `Teacher LLM. ${PROVIDER_SPEC_HELP}; e.g. openai:gpt-4o-mini@http://127.0.0.1:8000/v1` })
            .option("judge", { type: "string", demandOption: true, group: "Required:", describe: "Adherence judge LLM: a provider spec, as --teacher" })
            .option("out", { type: "string", demandOption: true, group: "Required:", describe: "Output chat JSONL" })
            .option("concurrency", num("concurrency", COUNT, { default: 4, group: "Optional:", describe: "Requests in flight at once" })) as never,
    handler: async (a) => {
        let text: string;
        try {
            text = fs.readFileSync(a.prompts, "utf8");
        } catch (e) {
            throw new Error(`${a.prompts}: cannot read the prompts file (${(e as Error).message})`);
        }
        const prompts = text.split("\n").map((l) => l.trim()).filter(Boolean);
        if (prompts.length === 0) throw new Error(`${a.prompts}: no prompts`);
        const meter = new CostMeter();
        const teacher = providerFromSpec(a.teacher, { meter });
        const judge = providerFromSpec(a.judge, { meter });
        const r = await synthesizeTeacherData({ behavior: a.behavior, prompts, teacher, judge, concurrency: a.concurrency });
        const s = r.stats;
        const line = `kept ${s.kept}/${s.asked} (rejected ${s.rejected}, unclear ${s.unclear}, errors ${s.errors})`;
        const firstError = r.errorSamples[0];
        const cause = firstError ? `first error (${firstError.stage} ${firstError.stage === "teacher" ? a.teacher : a.judge}, prompt ${JSON.stringify(firstError.prompt.slice(0, 60))}): ${firstError.message}` : undefined;
        if (s.kept === 0) {
            // Nothing to write: leave whatever --out held before untouched, and say why.
            const rejected = r.rejectedSamples[0];
            const why = cause ?? (rejected ? `the judge confirmed no reply; e.g. it answered ${JSON.stringify(rejected.judgeOutput.slice(0, 80))} to a reply to ${JSON.stringify(rejected.prompt.slice(0, 60))}` : "no replies");
            throw new Error(`synthesize: ${line}; nothing written to ${a.out}${fs.existsSync(a.out) ? " (its previous contents are intact)" : ""}. ${why}`);
        }
        writeFileAtomic(a.out, r.records.map((x) => JSON.stringify(x)).join("\n") + "\n");
        process.stderr.write(`${line} -> ${a.out}\n${cause ? `${cause}\n` : ""}${meter.summary()}\n`);
    },
};
export default SynthesizeCommand;
