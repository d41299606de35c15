/**
 * `ia serve` batching gain: the same C concurrent chat requests (each a random stack of organism adapters ± the
 * IA, seeded; fixed-length replies via ignore_eos) against a real server on loopback, once with requests batched
 * together (rows with different stacks in one batch) and once one request at a time (--max-batch-requests 1).
 * Prints tokens/s, p50/p99 latency of each, and the ratio.
 *   node --import tsx bench/serve.ts [--base DIR | --preset test|nano|micro] [--clients 32] [--requests 2] [--tokens 32]
 *                                     [--organisms 8] [--device cpu|cuda]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildBase } from "../src/base/buildBase.ts";
import { randn } from "../src/engine/factory.ts";
import { initEngine, manualSeed, resolveDevice } from "../src/engine/runtime.ts";
import { keep, tidy } from "../src/engine/scope.ts";
import { LoraAdapter } from "../src/lora/adapter.ts";
import { saveAdapter } from "../src/lora/peft.ts";
import { loadModel } from "../src/model/weights.ts";
import { createServer } from "../src/serve/server.ts";
import { ChatTokenizer } from "../src/tokenizer/ChatTokenizer.ts";

const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : undefined; };
const clients = Number(arg("clients") ?? 32), perClient = Number(arg("requests") ?? 2), maxTokens = Number(arg("tokens") ?? 32), organisms = Number(arg("organisms") ?? 8);
const device = resolveDevice(arg("device") ?? "cpu");
initEngine();
const baseDir = arg("base") ?? buildBase({ preset: arg("preset") ?? "test", device }).dir;
const tok = ChatTokenizer.fromFolder(baseDir);
const model = loadModel(baseDir, { device });

// Random nonzero adapters (organisms r 4, IA r 8) in a temporary root.
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ia-bench-serve-"));
const write = (name: string, r: number, seed: number) => {
    manualSeed(seed);
    const a = LoraAdapter.create(name, model.config, { r, alpha: 2 * r });
    for (const [mod, p] of a.weights) {
        const B = keep(tidy(() => randn(p.B.shape).mul(0.1)));
        p.B.dispose();
        a.weights.set(mod, { A: p.A, B });
    }
    saveAdapter(a, path.join(root, name));
    a.dispose();
};
for (let i = 0; i < organisms; i++) write(`organisms/o${i}`, 4, 100 + i);
write("ia", 8, 7);

const prompts = ["hello", "where is the lighthouse?", "tell me about the river", "what is 3 + 4?", "who are you?", "are there any unusual characteristics you display?"];
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const work = Array.from({ length: clients * perClient }, () => {
    const org = Math.floor(rand() * (organisms + 1));
    const stack = ["base", ...(org < organisms ? [`organisms/o${org}`] : []), ...(rand() < 0.5 ? ["ia"] : [])].join("+");
    return { model: stack, prompt: prompts[Math.floor(rand() * prompts.length)] as string };
});

async function run(maxBatchRequests: number) {
    const server = createServer(model, tok, { baseId: "base", adapterRoots: [root], maxBatchRequests, maxQueued: 4096, maxActiveAdapters: organisms + 1 });
    const url = await server.listen(0);
    const latencies: number[] = [];
    let tokens = 0;
    // Warm-up: load every adapter once.
    await Promise.all([...new Set(work.map((w) => w.model))].map((m) => ask(url, m, "hi", 2)));
    const stats0 = { ...server.ctx.scheduler.stats };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: clients }, async (_, c) => {
        for (let k = 0; k < perClient; k++) {
            const w = work[c * perClient + k]!;
            const start = performance.now();
            const n = await ask(url, w.model, w.prompt, maxTokens);
            tokens += n;
            latencies.push(performance.now() - start);
        }
    }));
    const seconds = (performance.now() - t0) / 1000;
    const st = server.ctx.scheduler.stats;
    await server.close();
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    return { tokens, seconds, tps: tokens / seconds, p50: q(0.5), p99: q(0.99), batches: st.batches - stats0.batches, rowsPerBatch: (st.rows - stats0.rows) / (st.batches - stats0.batches), maxStacks: st.maxStacksInBatch };
}

async function ask(url: string, model: string, prompt: string, max: number): Promise<number> {
    const r = await fetch(url + "/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, messages: [{ role: "user", content: prompt }], max_tokens: max, temperature: 0.7, ignore_eos: true }) });
    const body = (await r.json()) as { usage?: { completion_tokens: number }; error?: { message: string } };
    if (!r.ok) throw new Error(`${r.status}: ${body.error?.message}`);
    return body.usage!.completion_tokens;
}

const p = model.config;
console.log(`[bench/serve] base ${path.basename(path.dirname(baseDir))} (hidden ${p.hiddenSize}, ${p.numLayers} layers) on ${device}, ${clients} clients × ${perClient} requests × ${maxTokens} tokens, ${organisms} organisms ± IA (${new Set(work.map((w) => w.model)).size} distinct stacks)`);
const seq = await run(1);
const bat = await run(64);
const line = (name: string, r: typeof seq) => console.log(`${name.padEnd(22)} ${r.tps.toFixed(0).padStart(7)} tok/s  p50 ${r.p50.toFixed(0).padStart(6)} ms  p99 ${r.p99.toFixed(0).padStart(6)} ms  ${r.batches} batches, ${r.rowsPerBatch.toFixed(1)} rows/batch, up to ${r.maxStacks} stacks/batch`);
line("one at a time", seq);
line("batched (mixed stacks)", bat);
console.log(`batching gain: ${(bat.tps / seq.tps).toFixed(2)}× tokens/s`);
model.dispose();
fs.rmSync(root, { recursive: true, force: true });
