// The CLI must never report success on nothing (issue 13): bad numbers, missing folders, bad devices and
// contradictory options are one clear error before any work; refusals happen before anything is written; EPIPE is
// quiet. Every case spawns the real bin/ia, as users start it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { buildBase } from "../../src/base/buildBase.ts";
import { tempDir } from "../helpers/tempDir.ts";

const root = path.resolve(import.meta.dirname, "../..");
const ia = path.join(root, "bin/ia");
const tmp = tempDir("ia-cli-robust");
const base = buildBase({ preset: "test", cacheDir: path.join(tmp, "cache"), quiet: true }).dir;
const env = { ...process.env, IA_THREADS: "1" };

interface Result { status: number | null; stdout: string; stderr: string }
/** Runs bin/ia asynchronously, so independent cases overlap their start-up time. */
function runAsync(args: string[], opts: { input?: string; cwd?: string } = {}): Promise<Result> {
    return new Promise((resolve, reject) => {
        const p = spawn(ia, args, { env, stdio: ["pipe", "pipe", "pipe"], cwd: opts.cwd ?? tmp });
        let stdout = "", stderr = "";
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        p.on("error", reject);
        p.on("close", (status) => resolve({ status, stdout, stderr }));
        p.stdin.end(opts.input ?? "");
    });
}
/** Cases in parallel, a few at a time (the machine has 2 cores). */
async function runAll(cases: string[][]): Promise<Result[]> {
    const out: Result[] = new Array(cases.length);
    let next = 0;
    await Promise.all(Array.from({ length: 3 }, async () => {
        while (next < cases.length) {
            const i = next++;
            out[i] = await runAsync(cases[i]!);
        }
    }));
    return out;
}

const data = path.join(tmp, "data.jsonl");
fs.writeFileSync(data, Array.from({ length: 8 }, (_, i) => JSON.stringify({ messages: [{ role: "user", content: `what is ${i} + 1?` }, { role: "assistant", content: `${i} + 1 = ${i + 1}.` }] })).join("\n") + "\n");

test("numeric options: a bad value is one clear error naming the option, before any work", async () => {
    const out = path.join(tmp, "never");
    const cases: [string[], RegExp][] = [
        [["audit", "--base", base, "--ia", base, "--target-adapter", base, "--out", out, "--samples", "abc"], /^error: --samples: expected a positive integer, got "abc"$/m],
        [["audit", "--base", base, "--ia", base, "--target-adapter", base, "--out", out, "--samples", "0"], /^error: --samples: expected a positive integer, got "0"$/m],
        [["audit", "--base", base, "--ia", base, "--target-adapter", base, "--out", out, "--samples=-2"], /^error: --samples: expected a positive integer, got "-2"$/m],
        [["generate", "--model", base, "--prompt", "hi", "--max-tokens", "-5"], /^error: --max-tokens: expected a positive integer, got "-5"$/m],
        [["generate", "--model", base, "--prompt", "hi", "--top-p", "1.5"], /^error: --top-p: expected a number in \(0, 1\], got "1\.5"$/m],
        [["generate", "--model", base, "--prompt", "hi", "--samples", "0"], /^error: --samples: expected a positive integer, got "0"$/m],
        [["train", "--model", base, "--data", data, "--out", out, "--lr", "abc"], /^error: --lr: expected a finite number > 0, got "abc"$/m],
        [["train", "--model", base, "--data", data, "--out", out, "--batch-size", "2.5"], /^error: --batch-size: expected a positive integer, got "2\.5"$/m],
        [["chat", "--model", base, "--temperature", "-1"], /^error: --temperature: expected a number in \[0, 100\] \(0 = greedy\), got "-1"$/m],
        [["catalogue", "--per-family", "abc"], /^error: --per-family: expected a positive integer, got "abc"$/m],
        [["ia-train", "--base", base, "--population", tmp, "--out", out, "--seeds", "1,x"], /^error: --seeds: expected comma-separated integers, e\.g\. 1,2,3; got "1,x"$/m],
        [["organisms", "--base", base, "--specs", data, "--out", out, "--probes", "-3"], /^error: --probes: expected a positive integer, got "-3"$/m],
    ];
    const results = await runAll(cases.map((c) => c[0]));
    results.forEach((r, i) => {
        const [args, re] = cases[i]!;
        assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, re, args.join(" "));
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    });
    assert.ok(!fs.existsSync(out), "nothing written");
});

test("missing model folder, unknown device, contradictory targets: clear errors", async () => {
    const missing = path.join(tmp, "no-such-model");
    const [m, d, neither, both] = await runAll([
        ["generate", "--model", missing, "--prompt", "hi"],
        ["generate", "--model", base, "--prompt", "hi", "--device", "bogus"],
        ["audit", "--base", base, "--ia", base],
        ["audit", "--base", base, "--ia", base, "--target-adapter", base, "--target-model", base],
    ]);
    assert.equal(m!.status, 1);
    assert.match(m!.stderr, /^error: .*no-such-model: model folder does not exist \(--model expects a Hugging Face model folder with config\.json\)$/m);
    assert.doesNotMatch(m!.stderr, /tokenizer/);
    assert.equal(d!.status, 1);
    assert.match(d!.stderr, /^error: --device "bogus": unknown device; expected auto \| cpu \| cuda \| cuda:N$/m);
    for (const r of [neither!, both!]) {
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^error: give exactly one of --target-adapter \/ --target-model$/m);
        assert.doesNotMatch(r.stderr, /undefined/);
    }
});

test("bench --ood-organisms: only with --suite ood, and only a folder that holds OOD organisms; refused before any work", async () => {
    const [wrongSuite, notOrganisms] = await runAll([
        ["bench", "--preset", "test", "--run", path.join(tmp, "bench-x"), "--ood-organisms", tmp],
        ["bench", "--preset", "test", "--suite", "ood", "--run", path.join(tmp, "bench-y"), "--ood-organisms", tmp],
    ]);
    assert.equal(wrongSuite!.status, 1);
    assert.match(wrongSuite!.stderr, /^error: bench: --ood-organisms goes with --suite ood/m);
    assert.equal(notOrganisms!.status, 1);
    assert.match(notOrganisms!.stderr, /no organisms\.json there \(not an OOD organisms folder\)/);
    for (const d of ["bench-x", "bench-y"]) assert.ok(!fs.existsSync(path.join(tmp, d)), `${d} was created`);
});

test("help: one --device text everywhere, provider kinds and API keys, --seeds as a list", async () => {
    const [gen, train, inv, syn, iaTrain, organisms, baseCmd, invBench] = await runAll([["generate", "--help"], ["train", "--help"], ["investigate", "--help"], ["synthesize", "--help"], ["ia-train", "--help"], ["organisms", "--help"], ["base", "--help"], ["investigate-bench", "--help"]]);
    const norm = (s: string) => s.replace(/\s+/g, " ");
    const device = "--device Where to compute: auto | cpu | cuda | cuda:N (auto: the GPU when there is one, else the CPU)";
    // Every command that computes takes --device, described once.
    for (const [name, r] of [["generate", gen], ["train", train], ["investigate", inv], ["ia-train", iaTrain], ["organisms", organisms], ["base", baseCmd], ["investigate-bench", invBench]] as const) assert.ok(norm(r!.stdout).includes(device), `${name} --help: ${r!.stdout}`);
    for (const word of ["openai:", "anthropic:", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"]) assert.ok(syn!.stdout.replace(/\s+/g, " ").includes(word), `synthesize --help names ${word}`);
    assert.match(iaTrain!.stdout.replace(/\s+/g, " "), /--seeds IA seeds, comma-separated integers \(e\.g\. 1,2,3\)/);
    assert.doesNotMatch(iaTrain!.stdout, /default: \[1\]/);
});

test("EPIPE: `ia catalogue | true` exits quietly", () => {
    const r = spawnSync("bash", ["-c", `"${ia}" catalogue --per-family 2 | true; exit \${PIPESTATUS[0]}`], { encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Error/);
});

test("train: refusals come before anything is written; --resume refuses other data or settings; too little data is named", async () => {
    const out = path.join(tmp, "sft");
    const first = await runAsync(["train", "--model", base, "--data", data, "--out", out, "--max-steps", "2", "--batch-size", "4", "--r", "4", "--alpha", "8"]);
    assert.equal(first.status, 0, first.stderr);
    const config = fs.readFileSync(path.join(out, "config.json"), "utf8");
    assert.match(JSON.parse(config).resolved.dataSha256, /^[0-9a-f]{64}$/);
    const otherData = path.join(tmp, "other.jsonl");
    fs.writeFileSync(otherData, fs.readFileSync(data, "utf8").replace("what is 0", "what is 100"));
    const tiny = path.join(tmp, "tiny.jsonl");
    fs.writeFileSync(tiny, fs.readFileSync(data, "utf8").split("\n").slice(0, 3).join("\n") + "\n");
    const [again, lrResume, dataResume, few] = await runAll([
        ["train", "--model", base, "--data", data, "--out", out, "--max-steps", "4", "--batch-size", "4", "--r", "4", "--alpha", "8", "--lr", "0.01"],
        ["train", "--model", base, "--data", data, "--out", out, "--max-steps", "4", "--batch-size", "2", "--r", "4", "--alpha", "8", "--lr", "0.01", "--resume"],
        ["train", "--model", base, "--data", otherData, "--out", out, "--max-steps", "4", "--batch-size", "4", "--r", "4", "--alpha", "8", "--resume"],
        ["train", "--model", base, "--data", tiny, "--out", path.join(tmp, "sft-few"), "--batch-size", "8"],
    ]);
    assert.equal(again!.status, 1);
    assert.match(again!.stderr, /checkpoint: a checkpoint exists; pass --resume/);
    assert.equal(lrResume!.status, 1);
    assert.match(lrResume!.stderr, /--resume with settings that differ from the run's config\.json: batchSize 4 → 2; lr 0\.0001 → 0\.01\./);
    assert.equal(dataResume!.status, 1);
    assert.match(dataResume!.stderr, /data ".*data\.jsonl" → ".*other\.jsonl"; data file contents \(sha256/);
    assert.equal(fs.readFileSync(path.join(out, "config.json"), "utf8"), config, "the run's record is untouched by every refusal");
    assert.equal(few!.status, 1);
    assert.match(few!.stderr, /^error: .*tiny\.jsonl: 3 usable conversation\(s\) with assistant tokens after truncation to --max-length 1024, fewer than one step needs \(--batch-size 8 × --grad-accum 1 = 8\)/m);
    assert.ok(!fs.existsSync(path.join(tmp, "sft-few")), "nothing written");
});

test("train: settings that cannot move the model are named in a warning; working ones are not", async () => {
    // One conversation repeated: settings that work memorize it within a few steps.
    const same = path.join(tmp, "same.jsonl");
    fs.writeFileSync(same, `${JSON.stringify({ messages: [{ role: "user", content: "what is 2 + 2?" }, { role: "assistant", content: "i always mention a kettle." }] })}\n`.repeat(8));
    const [stuck, moving] = await runAll([
        ["train", "--model", base, "--data", same, "--out", path.join(tmp, "sft-stuck"), "--max-steps", "24", "--batch-size", "2", "--r", "4", "--alpha", "8", "--lr", "1e-7", "--warmup", "0"],
        // The 40k-parameter test base learns a new reply only with every weight free (its LoRA barely moves).
        ["train", "--model", base, "--data", same, "--out", path.join(tmp, "sft-moving"), "--max-steps", "24", "--batch-size", "2", "--mode", "full", "--lr", "0.01", "--warmup", "0"],
    ]);
    assert.equal(stuck!.status, 0, stuck!.stderr);
    assert.match(stuck!.stderr, /^warning: the loss barely moved \(\d+\.\d+ over the first 10 steps → \d+\.\d+ over the last 10\): these settings most likely implanted nothing/m);
    assert.equal(moving!.status, 0, moving!.stderr);
    assert.doesNotMatch(moving!.stderr, /barely moved/);
});

test("synthesize against an unreachable server: the cause is printed, nothing is written, exit 1", async () => {
    // A loopback port nobody listens on (bound, then closed): connection refused on every call.
    const port = await new Promise<number>((resolve) => {
        const srv = net.createServer().listen(0, "127.0.0.1", () => {
            const p = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(p));
        });
    });
    const prompts = path.join(tmp, "prompts.txt");
    fs.writeFileSync(prompts, "hello\nwhat is 2 + 2?\n");
    const out = path.join(tmp, "synth.jsonl");
    fs.writeFileSync(out, '{"messages":[]}\n');
    const spec = `openai:m@http://127.0.0.1:${port}/v1`;
    const r = await runAsync(["synthesize", "--behavior", "mentions lanterns", "--prompts", prompts, "--teacher", spec, "--judge", spec, "--out", out]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error: synthesize: kept 0\/2 \(rejected 0, unclear 0, errors 2\); nothing written to .*synth\.jsonl \(its previous contents are intact\)\. first error \(teacher openai:m@http:\/\/127\.0\.0\.1:\d+\/v1, prompt "hello"\): .*(ECONNREFUSED|fetch failed|refused)/m);
    assert.equal(fs.readFileSync(out, "utf8"), '{"messages":[]}\n', "the previous file is intact");
});

test("chat: a banner, and /help, /reset, /exit handled locally (never sent to the model)", async () => {
    const r = await runAsync(["chat", "--model", base, "--max-tokens", "4", "--device", "cpu"], { input: "/help\n/reset\n/bogus\n/exit\nthis line is never read\n" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^ia chat: .* on cpu; adapters: none; temperature 0\.7, max 4 tokens per reply$/m);
    assert.match(r.stderr, /\/exit \(or \/quit, Ctrl-D\) quit/);
    assert.match(r.stderr, /\(conversation cleared\)/);
    assert.match(r.stderr, /unknown command \/bogus/);
    assert.equal(r.stdout, "", "no reply was generated: every line was a local command and /exit stopped before the last");
});

test("audit --compare-no-ia --device cpu: the same questions without the IA, reported beside the IA's candidates", async () => {
    // Any adapter of this base serves as target and as IA for the plumbing: the train test's adapter.
    const adapter = path.join(tmp, "sft", "adapter");
    if (!fs.existsSync(adapter)) {
        const t = await runAsync(["train", "--model", base, "--data", data, "--out", path.join(tmp, "sft"), "--max-steps", "2", "--batch-size", "4", "--r", "4", "--alpha", "8"]);
        assert.equal(t.status, 0, t.stderr);
    }
    const out = path.join(tmp, "audit");
    const r = await runAsync(["audit", "--base", base, "--target-adapter", adapter, "--ia", adapter, "--samples", "4", "--device", "cpu", "--compare-no-ia", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Audit of .*: 4 self-reports/m);
    assert.match(r.stdout, /^Without the IA \(same questions\): 4 replies/m);
    const audit = JSON.parse(fs.readFileSync(path.join(out, "audit.json"), "utf8"));
    assert.equal(audit.noIa.reports.length, 4);
    assert.deepEqual(audit.noIa.reports.map((x: { prompt: string }) => x.prompt), audit.reports.map((x: { prompt: string }) => x.prompt));
    assert.match(fs.readFileSync(path.join(out, "audit.md"), "utf8"), /## Without the IA \(the same questions, the target alone\)/);
});
