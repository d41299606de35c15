/**
 * `node --import tsx bench/denialScore.ts <bench run> <ood dir>` — does the IA at least *notice* a behavior it cannot
 * name? The large IA names no OOD behavior and calls 97% of OOD organisms clean. This scores each model by how
 * readily it denies: the mean per-token log-probability of the IA's training denials ("i have no unusual
 * behaviors. …", every generic negative answer) after each family-agnostic test question. A model the IA finds
 * unusual denies less readily. AUROC of "behavior" against "clean" (the run's nulls and decoys: LoRA fine-tunes of
 * the same shape, trained on plain data), for:
 * - OOD organisms (the suite's verified transcript-route organisms, rank 4 like the population's), and
 * - the run's held-out test organisms (in distribution), as the reference.
 * With the run's SFT+DPO IA of each seed, and without an IA (the same denials scored by the organism alone: a
 * generic "this model was fine-tuned" signal the IA would have to beat). Prints a markdown table.
 */
import fs from "node:fs";
import path from "node:path";
import { questionSet } from "../src/behaviors/questions.ts";
import { initEngine } from "../src/engine/runtime.ts";
import type { LoraAdapter } from "../src/lora/adapter.ts";
import { LoraBank } from "../src/lora/bank.ts";
import { loadAdapter } from "../src/lora/peft.ts";
import { loadModel } from "../src/model/weights.ts";
import { auroc } from "../src/ood/probe.ts";
import { openRun, runGroups } from "../src/ia/runFolder.ts";
import { ChatMLTrainingEncoder } from "../src/tokenizer/chatmlFast.ts";
import { ChatTokenizer } from "../src/tokenizer/ChatTokenizer.ts";
import type { Example } from "../src/train/batch.ts";
import { scoreExamples } from "../src/train/score.ts";
import { meanCi } from "../src/util/stats.ts";
import { NEGATIVE_ANSWERS } from "../src/world/introspection.ts";

const [run, oodDir] = process.argv.slice(2);
if (!run || !oodDir) throw new Error("usage: bench/denialScore.ts <bench run> <ood dir>");
const folder = openRun(run, "bench/denialScore.ts");
const { populationDir, groups } = runGroups(folder);
const oodOrganisms = (JSON.parse(fs.readFileSync(path.join(oodDir, "organisms.json"), "utf8")) as { organisms: { id: string; adapter: string; verification: { passed: boolean } }[] }).organisms
    .filter((o) => o.verification.passed && o.id.endsWith(".td"));

type Kind = "ood" | "test" | "clean";
const subjects: { id: string; kind: Kind; dir: string }[] = [
    ...oodOrganisms.map((o) => ({ id: o.id, kind: "ood" as const, dir: path.join(oodDir, o.adapter) })),
    ...groups.test.map((e) => ({ id: e.id, kind: "test" as const, dir: path.join(populationDir, e.adapter) })),
    ...groups.negatives.map((e) => ({ id: e.id, kind: "clean" as const, dir: path.join(populationDir, e.adapter) })),
];

initEngine();
const tok = ChatTokenizer.fromFolder(folder.config.baseModel);
const model = loadModel(folder.config.baseModel, { device: "cpu" });
const adapters: LoraAdapter[] = subjects.map((s) => loadAdapter(s.dir, model.config, { name: s.id, device: model.device }));
const bank = LoraBank.fromAdapters(adapters, model.config, model.device);
for (const a of adapters) a.dispose();

const encoder = new ChatMLTrainingEncoder(tok);
const pairs = questionSet("generic", "test").flatMap((q) => NEGATIVE_ANSWERS.generic.map((a) => encoder.encode([{ role: "user", content: q }, { role: "assistant", content: a }])));
const examples: Example[] = pairs.map((e) => ({ ids: e.ids, targetMask: e.assistantMask }));
const targetTokens = examples.map((e) => e.targetMask.filter((m) => m > 0).length);

/** Mean per-token log-probability of the denials, per subject. */
function denialScores(ia: LoraAdapter | null): number[] {
    model.adapters = ia ? [bank, ia] : [bank];
    const rows = subjects.flatMap((_, s) => examples.map((example, k) => ({ s, example, k })));
    const logprobs = scoreExamples(model, rows, tok.padTokenId, (chunk) => bank.setRows(chunk.map((r) => r.s)));
    const out = new Array<number>(subjects.length).fill(0);
    rows.forEach((r, j) => { out[r.s]! += logprobs[j]! / targetTokens[r.k]! / examples.length; });
    return out;
}

/** AUROC of `kind` against the clean fine-tunes: higher when the kind's models deny less readily. */
function separation(scores: number[], kind: Kind): number {
    const idx = subjects.map((s, i) => ({ s, i })).filter(({ s }) => s.kind === kind || s.kind === "clean");
    return auroc(idx.map(({ i }) => -scores[i]!), idx.map(({ s }) => (s.kind === kind ? 1 : 0)));
}

const rows: string[] = [];
const count = (k: Kind) => subjects.filter((s) => s.kind === k).length;
try {
    const none = denialScores(null);
    rows.push(`| no IA | ${separation(none, "ood").toFixed(2)} | ${separation(none, "test").toFixed(2)} |`);
    const perSeed = folder.seeds.map(({ dpo }) => {
        const ia = loadAdapter(dpo, model.config, { name: "ia", device: model.device });
        try {
            const s = denialScores(ia);
            return { ood: separation(s, "ood"), test: separation(s, "test") };
        } finally {
            ia.dispose();
        }
    });
    const fmt = (xs: number[]) => { const { mean, half } = meanCi(xs); return `${mean.toFixed(2)} ± ${half.toFixed(2)} (${xs.map((x) => x.toFixed(2)).join(", ")})`; };
    rows.push(`| IA (SFT+DPO), seeds ${folder.seeds.map((s) => s.seed).join(", ")} | ${fmt(perSeed.map((p) => p.ood))} | ${fmt(perSeed.map((p) => p.test))} |`);
} finally {
    model.dispose();
}
process.stdout.write(`AUROC of "has a behavior" against ${count("clean")} clean fine-tunes (nulls and decoys), scored by how readily the model denies having one (${examples.length} question-denial pairs per model).\n\n| scorer | OOD organisms (${count("ood")}) | in-distribution test organisms (${count("test")}) |\n|---|---|---|\n${rows.join("\n")}\n`);
