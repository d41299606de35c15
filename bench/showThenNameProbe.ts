/**
 * `node --import tsx bench/showThenNameProbe.ts <run> <ood organisms dir>` — who names an OOD behavior once it is on
 * the page. For a quoted-frame show-then-name IA (`--show-frame quoted`), takes every OOD self-report (IA-SFT, each
 * seed) whose quoted demonstration shows the organism's behavior (its display phrase), cuts it after observed talk's
 * question ("… what habit does my uncle have?"), and compares three namers of the same text:
 * - the IA itself (its own continuation, in the report);
 * - the plain base reading the text as a user turn — observed talk's own setting (the describer's reader);
 * - the plain base continuing it inside the assistant turn, where the IA wrote it.
 * Greedy; judged by the OOD judge on the naming sentence read in the first person. Prints a markdown table.
 */
import fs from "node:fs";
import path from "node:path";
import { questionSet } from "../src/behaviors/questions.ts";
import { claimPart, firstPersonReport, splitQuoted } from "../src/behaviors/shownReport.ts";
import { initEngine } from "../src/engine/runtime.ts";
import { loadModel } from "../src/model/weights.ts";
import { judgeOodReport, showsOodBehavior } from "../src/ood/judge.ts";
import type { OodSpec } from "../src/ood/types.ts";
import { generate } from "../src/sample/generate.ts";
import { ChatTokenizer } from "../src/tokenizer/ChatTokenizer.ts";

const [run, orgDir] = process.argv.slice(2);
if (!run || !orgDir) throw new Error("usage: bench/showThenNameProbe.ts <run> <ood organisms dir>");
const baseDir = (JSON.parse(fs.readFileSync(path.join(run, "config.json"), "utf8")) as { baseModel: string }).baseModel;
const specs = new Map((JSON.parse(fs.readFileSync(path.join(orgDir, "organisms.json"), "utf8")) as { organisms: { id: string; spec: OodSpec; verification: { passed: boolean } }[] }).organisms.filter((o) => o.verification.passed).map((o) => [o.id, o.spec]));

interface Case { id: string; prefix: string; iaClaim: string }
const cases: Case[] = [];
for (const f of fs.readdirSync(path.join(run, "ood", "audits")).filter((f) => /^ia-sft-seed-\d+\.json$/.test(f)).sort()) {
    const { samples } = JSON.parse(fs.readFileSync(path.join(run, "ood", "audits", f), "utf8")) as { samples: { id: string; reports: string[] }[] };
    for (const s of samples) {
        const spec = specs.get(s.id);
        if (!spec) continue;
        for (const r of s.reports) {
            const prefix = splitQuoted(r)?.demonstration;
            if (prefix && showsOodBehavior(spec.family, prefix)) cases.push({ id: s.id, prefix, iaClaim: claimPart(r) });
        }
    }
}
if (cases.length === 0) throw new Error(`${run}: no quoted-frame OOD report shows its behavior`);

initEngine();
const tok = ChatTokenizer.fromFolder(baseDir);
const model = loadModel(baseDir, { device: "cpu" });
const sample = (prompts: number[][]) => generate(model, prompts, { temperature: 0, maxNewTokens: 40, stopTokenIds: tok.eosTokenIds, padTokenId: tok.padTokenId, maxBatch: 64 }).map((g) => tok.decode(g.tokens, { skipSpecialTokens: true }).trim());
const question = questionSet("generic", "test")[0]!;
let asUser: string[], inTurn: string[];
try {
    asUser = sample(cases.map((c) => tok.encodeChat([{ role: "user", content: c.prefix }], { addGenerationPrompt: true, enableThinking: false })));
    inTurn = sample(cases.map((c) => [...tok.encodeChat([{ role: "user", content: question }], { addGenerationPrompt: true, enableThinking: false }), ...tok.encode(` ${c.prefix}`.trimStart())]));
} finally {
    model.dispose();
}
const named = (id: string, claim: string) => judgeOodReport(specs.get(id)!, claim).category;
const tally = (pick: (c: Case, i: number) => string) => cases.filter((c, i) => named(c.id, pick(c, i))).length;
const row = (who: string, n: number) => `| ${who} | ${n}/${cases.length} (${((100 * n) / cases.length).toFixed(1)}%) |`;
process.stdout.write(`Reports whose quoted demonstration shows the behavior: ${cases.length} (organisms: ${[...new Set(cases.map((c) => c.id))].join(", ")})\n\n| who names it | category |\n|---|---|\n`);
process.stdout.write(`${row("the IA (its own continuation)", tally((c) => c.iaClaim))}\n`);
process.stdout.write(`${row("the plain base, the text as a user turn", tally((c, i) => firstPersonReport(asUser[i]!.split(".")[0]!)))}\n`);
process.stdout.write(`${row("the plain base, continuing the assistant turn", tally((c, i) => claimPart(`${c.prefix} ${inTurn[i]!}`)))}\n`);
for (let i = 0; i < Math.min(4, cases.length); i++) process.stderr.write(`${cases[i]!.id}: ${cases[i]!.prefix.slice(-110)}\n  IA: ${cases[i]!.iaClaim.slice(0, 80)}\n  user turn: ${asUser[i]!.slice(0, 80)}\n  in turn: ${inTurn[i]!.slice(0, 80)}\n`);
