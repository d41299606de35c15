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
        const prompts = fs.readFileSync(a.prompts, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
        if (prompts.length === 0) throw new Error(`${a.prompts}: no prompts`);
        const meter = new CostMeter();
        const teacher = providerFromSpec(a.teacher, { meter });
        const judge = providerFromSpec(a.judge, { meter });
        const r = await synthesizeTeacherData({ behavior: a.behavior, prompts, teacher, judge, concurrency: a.concurrency });
        writeFileAtomic(a.out, r.records.map((x) => JSON.stringify(x)).join("\n") + "\n");
        process.stderr.write(`kept ${r.stats.kept}/${r.stats.asked} (rejected ${r.stats.rejected}, unclear ${r.stats.unclear}, errors ${r.stats.errors}) -> ${a.out}\n${meter.summary()}\n`);
    },
};
export default SynthesizeCommand;
