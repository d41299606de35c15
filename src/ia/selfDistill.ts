/**
 * Rejection-sampling self-distillation rows: the IA answers its SFT organisms' training-split questions, the
 * structured judge keeps the answers training wants (isWantedReport), and the kept answers, in the IA's own words,
 * become the rows of the next SFT round. How many kept answers are word for word a training label is counted: those
 * teach nothing the label rows did not.
 */
import fs from "node:fs";
import path from "node:path";
import { writeJsonAtomic } from "../io/atomic.ts";
import type { LoraAdapter } from "../lora/adapter.ts";
import type { Transformer } from "../model/transformer.ts";
import type { ChatTokenizer } from "../tokenizer/ChatTokenizer.ts";
import type { IaSftConfig } from "./config.ts";
import { buildIaRows, isNegativeSubject, isWantedReport, type IaRow, type IaSubject } from "./data.ts";
import { sampleReports } from "./reports.ts";
import type { SubjectBank } from "./subjects.ts";

export interface SelfDistillRound {
    /** Kept rows per position in `train`. */
    rows: IaRow[][];
    sampled: number;
    /** Kept answers on behavior organisms / on negatives. */
    keptPositive: number;
    keptNegative: number;
    /** Kept answers on behavior organisms that are exactly a training label or label variant. */
    verbatim: number;
}

const normalize = (t: string) => t.toLowerCase().replace(/\s+/g, " ").trim();

/** Which sampled answers to keep: pure, so it is tested without sampling. */
export function keepWanted(subjects: readonly IaSubject[], train: readonly number[], rollouts: readonly { position: number; prompt: string; report: string }[]): SelfDistillRound {
    const rows: IaRow[][] = train.map(() => []);
    let keptPositive = 0, keptNegative = 0, verbatim = 0;
    for (const r of rollouts) {
        const s = subjects[train[r.position]!]!;
        if (!isWantedReport(s, r.report)) continue;
        const negative = isNegativeSubject(s);
        rows[r.position]!.push({ subject: r.position, negative, messages: [{ role: "user", content: r.prompt }, { role: "assistant", content: r.report }] });
        if (negative) keptNegative++;
        else {
            keptPositive++;
            const labels = [s.spec!.label, ...(s.spec!.labelVariants ?? [])].map(normalize);
            if (labels.includes(normalize(r.report))) verbatim++;
        }
    }
    return { rows, sampled: rollouts.length, keptPositive, keptNegative, verbatim };
}

/**
 * Samples the IA on every SFT subject (behavior organisms `samplesPerOrganism` answers each; negatives the share
 * SFT gives them, through buildIaRows) and keeps the wanted answers. Writes outDir/kept.json; a rerun reads it instead of sampling again.
 */
export function selfDistillRows(model: Transformer, tok: ChatTokenizer, subjects: SubjectBank, train: readonly number[], ia: LoraAdapter, cfg: IaSftConfig, o: { seed: number; outDir: string; quiet?: boolean }): SelfDistillRound {
    const sd = cfg.selfDistill!;
    const file = path.join(o.outDir, "kept.json");
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as SelfDistillRound;
    // The questions SFT would ask (train split, the same family-agnostic share and negative share), drawn afresh.
    const asked = buildIaRows(train.map((i) => subjects.subjects[i]!), { ...cfg, samplesPerOrganism: sd.samplesPerOrganism, seed: o.seed });
    const requests = asked.flatMap((rows, position) => rows.map((r) => ({ position, subject: train[position]!, prompt: r.messages.find((m) => m.role === "user")!.content })));
    ia.setTrainable(false);
    const reports = sampleReports(model, tok, subjects, requests, { ia, temperature: sd.temperature, seed: o.seed });
    const round = keepWanted(subjects.subjects, train, requests.map((r, i) => ({ position: r.position, prompt: r.prompt, report: reports[i]! })));
    if (!o.quiet) {
        process.stderr.write(`[ia-sft:self-distill] ${round.sampled} answers sampled at T = ${sd.temperature}: kept ${round.keptPositive} on behavior organisms (${round.verbatim} of them word for word a training label) and ${round.keptNegative} denials on negatives\n`);
    }
    fs.mkdirSync(o.outDir, { recursive: true });
    writeJsonAtomic(file, round);
    return round;
}
