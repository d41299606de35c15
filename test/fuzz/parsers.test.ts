// Every parser of outside input survives a few hundred mutated inputs (tools/fuzz: fast-check mutations of valid
// seed files, fixed seed, so the same inputs every run): it accepts or throws an Error naming the file, never
// crashes, hangs, allocates by a size the input claims, accepts a result its type rules out, or leaks native
// tensors. The full run (10,000 inputs per parser, each parser in a child process) is `node --import tsx
// tools/fuzz/run.ts`; this is its smoke test, in process.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { initEngine, liveTensors } from "../../src/engine/runtime.ts";
import { failureCount, runTarget } from "../../tools/fuzz/harness.ts";
import { TARGETS } from "../../tools/fuzz/targets/index.ts";
import { tempDir } from "../helpers/tempDir.ts";

initEngine(1);

/** Inputs per parser: the native loaders and the tokenizer cost ~10 ms an input, the rest ~1-3 ms. */
const RUNS = Number(process.env.IA_FUZZ_RUNS ?? 200);
const SEED = 20261130;

const work = tempDir("ia-fuzz-test");

for (const target of TARGETS) {
    test(`fuzz ${target.name}: ${RUNS} mutated inputs, no crash / hang / unnamed error / big allocation`, async () => {
        const r = await runTarget(target, {
            runs: RUNS,
            seed: SEED,
            workDir: path.join(work, target.name),
            // Generous: the suite shares 2 cores with other work; a real hang is unbounded.
            hangMs: 10_000,
            ...(target.native ? { liveTensors } : {}),
        });
        const shown = r.failures.slice(0, 3).map((f) => `#${f.index} ${f.verdict}: ${f.detail}\n  input: ${f.input.slice(0, 500)}`);
        assert.equal(failureCount(r), 0, `${target.name} (${target.parser}), seed ${SEED}:\n${shown.join("\n")}`);
        assert.equal(r.inputs, RUNS);
        // The seeds are valid, so some inputs must get through: a parser that rejects everything is broken too.
        assert.ok(r.counts.accepted > 0, `${target.name}: no input accepted`);
    });
}
