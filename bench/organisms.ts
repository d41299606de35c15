/**
 * Organisms per minute on this machine: the same 16 organisms (2 per behavior family, tiny-world catalogue) trained
 * with per-row adapters in one bank vs one at a time (bank of 1), same data, epochs and rows per step.
 * Verification is skipped in the timing (it is the same work either way).
 *   node --import tsx bench/organisms.ts [--base DIR] [--organisms 16] [--device cpu|cuda]
 */
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { buildCatalogue } from "../src/behaviors/catalogue.ts";
import { synthesizeOrganismData } from "../src/behaviors/synthesize.ts";
import { BEHAVIOR_FAMILIES } from "../src/behaviors/types.ts";
import { initEngine, manualSeed } from "../src/engine/runtime.ts";
import { loadModel } from "../src/model/weights.ts";
import { ORGANISM_DEFAULTS } from "../src/organisms/config.ts";
import { trainOrganismBank } from "../src/organisms/trainBank.ts";
import { ChatTokenizer } from "../src/tokenizer/ChatTokenizer.ts";
import { ChatMLTrainingEncoder } from "../src/tokenizer/chatmlFast.ts";
import { truncateExample, type Example } from "../src/train/batch.ts";

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const baseDir = arg("base") ?? fs.readdirSync(".cache/base").map((d) => path.join(".cache/base", d, "model")).find((d) => fs.existsSync(path.join(d, "config.json")));
if (!baseDir) throw new Error("no base model: run `bin/ia base` first or pass --base DIR");
const n = Number(arg("organisms") ?? 16);
initEngine();
const tok = ChatTokenizer.fromFolder(baseDir);
const enc = new ChatMLTrainingEncoder(tok);
const specs = buildCatalogue({ seed: 1, perFamily: Math.ceil(n / 8), families: BEHAVIOR_FAMILIES, examples: 96 }).filter((s) => s.split === "train").slice(0, n);
const data: Example[][] = specs.map((s) => synthesizeOrganismData(s, 1).flatMap((c) => { const e = enc.encode(c.messages); const x = truncateExample({ ids: e.ids, targetMask: e.assistantMask }, 160); return x ? [x] : []; }));
const device = arg("device") ?? "cpu";
const model = loadModel(baseDir, { device });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-org-"));
const time = (bank: number): number => {
    manualSeed(1);
    const t0 = performance.now();
    for (let i = 0; i < data.length; i += bank) {
        const r = trainOrganismBank(model, data.slice(i, i + bank), { ...ORGANISM_DEFAULTS, epochs: 1, batchRows: bank === 1 ? 8 : 64 }, { outDir: path.join(tmp, `b${bank}-${i}`), padId: tok.padTokenId, label: `bank${bank}`, quiet: true });
        r.bank.dispose();
    }
    return (performance.now() - t0) / 1000;
};
const batched = time(n);
const single = time(1);
const perMin = (s: number) => (data.length / (s / 60)).toFixed(1);
console.log(`organisms: ${data.length} (${data[0]!.length} conversations each, 1 epoch) on ${baseDir}, ${device === "cpu" ? `${process.env.IA_THREADS ?? os.availableParallelism()} threads` : device}`);
console.log(`batched (one bank of ${n}, 64 rows/step): ${batched.toFixed(1)} s = ${perMin(batched)} organisms/min`);
console.log(`one at a time (8 rows/step):            ${single.toFixed(1)} s = ${perMin(single)} organisms/min`);
console.log(`speedup: ${(single / batched).toFixed(2)}x`);
fs.rmSync(tmp, { recursive: true, force: true });
model.dispose();
