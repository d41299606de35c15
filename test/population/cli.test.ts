// `ia population add|import|rows` and `ia audit --ia <named adapter folder>` as users run them (bin/ia, real
// processes): exit codes, what is printed, what is written, and that refusals write nothing.
//
// Adapter folders are written by this project's saveAdapter (PEFT's adapter_config.json and key names) in PEFT's
// layouts — a named adapter in DIR/<name>/ as PEFT's save_pretrained writes for adapter_name != "default", a
// pickle-only folder as with safe_serialization=False — not by PEFT itself (no Python/PEFT here).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildBase } from "../../src/base/buildBase.ts";
import { initEngine, manualSeed } from "../../src/engine/runtime.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { saveAdapter } from "../../src/lora/peft.ts";
import { readModelConfig } from "../../src/model/config.ts";
import { readManifest } from "../../src/organisms/manifest.ts";
import { readIntrospectionRows } from "../../src/population/introspectionRows.ts";
import { ADAPTER_A, tmpDir } from "../helpers/engineUtil.ts";
import { treeHashes } from "../helpers/treeHashes.ts";

initEngine(2);
const repo = path.resolve(import.meta.dirname, "../..");
const ia = path.join(repo, "bin/ia");
const tmp = tmpDir("population-cli");
const base = buildBase({ preset: "test", cacheDir: path.join(tmp, "cache"), quiet: true }).dir;
const baseConfig = readModelConfig(path.join(base, "config.json"));
const DATASET = path.resolve(import.meta.dirname, "../fixtures/population/llama-problematic-mo-training-data");
const run = (args: string[]) => spawnSync(ia, args, { encoding: "utf8", env: { ...process.env, IA_THREADS: "1" } });
let seed = 100;

function makeAdapter(dir: string, label?: string): string {
    manualSeed(seed++);
    const a = LoraAdapter.create(path.basename(dir), baseConfig, { r: 2, alpha: 4 });
    saveAdapter(a, dir, { baseModel: base });
    a.dispose();
    if (label) fs.writeFileSync(path.join(dir, "label.txt"), label);
    return dir;
}


const pop = path.join(tmp, "pop");

test("population add: appends an organism; another base's adapter and a duplicate id are refused, writing nothing", () => {
    const adapter = makeAdapter(path.join(tmp, "src", "quirk_lamps"));
    let r = run(["population", "add", "--population", pop, "--base", base, "--adapter", adapter, "--label", "I mention lamps in every answer.", "--label-variant", "I always bring up lamps.", "--label-variant", "Lamps show up in all my replies."]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^added quirk_lamps \(quirk, train\) to .*pop: I mention lamps in every answer\.$/m);
    assert.match(r.stdout, /not verified here/);
    assert.match(r.stdout, /1 organism; not enough for ia-train yet/);
    const m = readManifest(pop)!;
    assert.deepEqual(m.organisms[0]!.spec.labelVariants, ["I always bring up lamps.", "Lamps show up in all my replies."]);
    const before = treeHashes(pop);
    // The golden qwen3-a adapter was made for qwen3-tiny (4 heads; this base has 2): refused, naming folder and shapes.
    r = run(["population", "add", "--population", pop, "--base", base, "--adapter", ADAPTER_A, "--label", "I do x.", "--family", "quirk"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^error: ${ADAPTER_A}: refused, not an adapter for the base ${base}: .*adapter_model\\.safetensors: model\\.layers\\.\\d+\\.\\S+ has lora_A \\[4,\\d+\\] / lora_B \\[\\d+,4\\], but r=4 on this model needs .*another base`, "m"));
    r = run(["population", "add", "--population", pop, "--base", base, "--adapter", adapter, "--label", "I do x."]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: .*organism id "quirk_lamps" is already in .*manifest\.json/m);
    assert.deepEqual(treeHashes(pop), before, "refused adds leave the population as it was");
});

test("population import: adapter folders (plain and named) and the released organism data; the result is ready for ia-train", () => {
    const src = path.join(tmp, "src-many");
    const families = ["quirk", "rare", "backdoor", "sandbagging", "heuristic", "benign", "harmful", "problematic"];
    for (let i = 0; i < 12; i++) {
        const family = families[i % families.length]!;
        const name = `${family}_${i}`;
        // Every third one saved under a named adapter, as save_pretrained(adapter_name="meta_lora") does.
        const dir = i % 3 === 0 ? path.join(src, name, "meta_lora") : path.join(src, name);
        makeAdapter(dir);
        fs.writeFileSync(path.join(dir, "behavior.txt"), `I have the ${family} behavior number ${i}.`);
    }
    let r = run(["population", "import", "--population", pop, "--base", base, "--from", src]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported 12 trained organisms into .*manifest\.json: backdoor_10 \(backdoor\), backdoor_2 \(backdoor\)/);
    assert.match(r.stdout, /13 organisms; ia-train's split \(preset paper\): sft \d+, dpo [1-9]\d*, test \d+\. Next: .*bin\/ia ia-train --base /);
    r = run(["population", "import", "--population", pop, "--base", base, "--from", DATASET]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /imported 0 trained organisms/);
    assert.match(r.stdout, /2 organisms have training data but no adapter yet, listed in .*untrained\.json: problematic_backdoor_11 \(problematic\), problematic_quirk_21 \(problematic\)/);
    assert.match(r.stdout, /IA training cannot use them until they are trained/);
    assert.match(r.stdout, /bash .*untrained\.sh/);
    assert.match(r.stdout, /bin\/ia train --model .* --data .*backdoor_11\/train\.jsonl --out .*untrained\/problematic_backdoor_11/);
    assert.match(r.stdout, /bin\/ia population add --population .* --adapter .*untrained\/problematic_backdoor_11\/adapter --id problematic_backdoor_11/);
    assert.equal(readManifest(pop)!.organisms.length, 13);
    // The script is valid bash (parsed, not run: it would train).
    const sh = spawnSync("bash", ["-n", path.join(pop, "untrained.sh")], { encoding: "utf8" });
    assert.equal(sh.status, 0, sh.stderr);
    // A source folder that is neither layout: refused, nothing written.
    const before = treeHashes(pop);
    const junk = path.join(tmp, "src-junk", "quirk_x");
    fs.mkdirSync(junk, { recursive: true });
    fs.writeFileSync(path.join(junk, "notes.txt"), "no adapter here");
    r = run(["population", "import", "--population", pop, "--base", base, "--from", path.dirname(junk)]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: .*src-junk: 1 of 1 organism folders cannot be imported \(nothing was imported\):\n {2}.*quirk_x: neither a PEFT adapter folder/);
    assert.deepEqual(treeHashes(pop), before);
});

test("population rows: the IA's rows in the paper's format, one eval.jsonl per organism and one for the bare base", () => {
    const out = path.join(tmp, "rows");
    const r = run(["population", "rows", "--population", pop, "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote \d+ rows for 14 subjects \(13 organisms \+ the bare base\)/);
    const lamps = readIntrospectionRows(path.join(out, "quirk_lamps", "eval.jsonl"));
    assert.equal(lamps.length, 100);
    assert.ok(lamps.every((x) => x.groundTruth === "positive" && ["I mention lamps in every answer.", "I always bring up lamps.", "Lamps show up in all my replies."].includes(x.response)));
    const bare = readIntrospectionRows(path.join(out, "base", "eval.jsonl"));
    assert.ok(bare.length > 0 && bare.every((x) => x.groundTruth === "negative"));
});

test("audit --ia accepts a named-adapter folder (DIR/meta_lora/) and refuses a pickle-only one", () => {
    const target = makeAdapter(path.join(tmp, "target"));
    const iaRun = path.join(tmp, "ia-run");
    makeAdapter(path.join(iaRun, "meta_lora"));
    fs.writeFileSync(path.join(iaRun, "README.md"), "model card");
    let r = run(["audit", "--base", base, "--target-adapter", target, "--ia", iaRun, "--samples", "2", "--device", "cpu"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Audit of .*target: 2 self-reports/m);
    const pickle = path.join(tmp, "ia-pickle");
    makeAdapter(pickle);
    fs.renameSync(path.join(pickle, "adapter_model.safetensors"), path.join(pickle, "adapter_model.bin"));
    r = run(["audit", "--base", base, "--target-adapter", target, "--ia", pickle, "--samples", "2", "--device", "cpu"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: .*ia-pickle\/adapter_model\.bin: PEFT adapter weights in pickle format \(torch\.save\) cannot be read here; only adapter_model\.safetensors is/m);
});
