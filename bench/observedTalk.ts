/**
 * `node --import tsx bench/observedTalk.ts <base model dir>...` — how well each base names a habit shown in someone
 * else's replies (src/base/evaluateObserved.ts), training and OOD families apart. Prints a markdown table.
 */
import { initEngine } from "../src/engine/runtime.ts";
import { loadModel } from "../src/model/weights.ts";
import { ChatTokenizer } from "../src/tokenizer/ChatTokenizer.ts";
import { evaluateObserved } from "../src/base/evaluateObserved.ts";

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error("usage: bench/observedTalk.ts <base model dir>...");
initEngine();
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const ci = (c: [number, number]) => `[${(c[0] * 100).toFixed(0)}–${(c[1] * 100).toFixed(0)}]`;
process.stdout.write("| base | all | training families | OOD families |\n|---|---|---|---|\n");
const families: Record<string, string[]> = {};
for (const dir of dirs) {
    const model = loadModel(dir, { device: "cpu" });
    try {
        const e = evaluateObserved(model, ChatTokenizer.fromFolder(dir), 1, { n: 480 });
        process.stdout.write(`| ${dir} | ${pct(e.all.rate)} ${ci(e.all.ci95)} (n=${e.n}) | ${pct(e.training.rate)} ${ci(e.training.ci95)} (n=${e.training.n}) | ${pct(e.ood.rate)} ${ci(e.ood.ci95)} (n=${e.ood.n}) |\n`);
        for (const [f, v] of Object.entries(e.byFamily)) (families[f] ??= []).push(`${pct(v.rate)} (${v.n})`);
        for (const x of e.examples.slice(0, 4)) process.stderr.write(`  ${x.right ? "✓" : "✗"} ${x.prompt.slice(-60)} → ${x.reply}\n`);
    } finally {
        model.dispose();
    }
}
process.stdout.write(`\n| family | ${dirs.map((_, i) => `base ${i + 1}`).join(" | ")} |\n|---|${dirs.map(() => "---").join("|")}|\n`);
for (const [f, v] of Object.entries(families)) process.stdout.write(`| ${f} | ${v.join(" | ")} |\n`);
