/**
 * Child-process entry of the fuzz runner: runs one target and reports on stdout, one line per event, so the
 * parent still knows which input was running when this process dies (a native abort, a V8 out-of-memory) or
 * stops answering (a hang the in-process timer cannot interrupt):
 *   P <index>          an input is about to run (its files are in <work>/input)
 *   V <verdict>        that input's verdict
 *   F <json Failure>   a failure found in process
 *   R <json TargetResult>  the end
 *   O <index> <verdict> ...  with --only: the replayed input's outcome and the input itself
 * With --failures DIR, the files of the first failing inputs are copied to DIR/<index>-<verdict>/.
 * Usage: node --import tsx tools/fuzz/worker.ts --target NAME --runs N --seed S --work DIR [--from I] [--only I]
 *        [--hang-ms MS] [--failures DIR]
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { runTarget } from "./harness.ts";
import { targetByName } from "./targets/index.ts";

const { values } = parseArgs({
    options: {
        target: { type: "string" },
        runs: { type: "string", default: "10000" },
        seed: { type: "string", default: "1" },
        work: { type: "string" },
        from: { type: "string" },
        only: { type: "string" },
        "hang-ms": { type: "string", default: "2000" },
        failures: { type: "string" },
    },
});
if (!values.target || !values.work) throw new Error("worker: --target and --work are required");
const target = targetByName(values.target);

let liveTensors: (() => number) | undefined;
if (target.native) {
    // One thread: the runner may run two workers on a 2-core machine, and the tensors here are tiny.
    const rt = await import("../../src/engine/runtime.ts");
    rt.initEngine(1);
    liveTensors = rt.liveTensors;
}

let copied = 0;
const line = (s: string) => process.stdout.write(s + "\n");
const result = await runTarget(target, {
    runs: Number(values.runs),
    seed: Number(values.seed),
    workDir: values.work,
    hangMs: Number(values["hang-ms"]),
    ...(values.from !== undefined ? { from: Number(values.from) } : {}),
    ...(values.only !== undefined ? { only: Number(values.only) } : {}),
    ...(liveTensors ? { liveTensors } : {}),
    onInput: (i) => line(`P ${i}`),
    onOutcome: (i, verdict, detail, ms, input) => {
        line(`V ${verdict}`);
        if (values.only !== undefined) line(`O ${i} ${verdict} ${ms.toFixed(1)} ms ${detail}\n  input: ${fc.stringify(input).slice(0, 4000)}`);
    },
    onFailure: (f, inputDir) => {
        line(`F ${JSON.stringify(f)}`);
        if (values.failures && copied++ < 20) fs.cpSync(inputDir, path.join(values.failures, `${f.index}-${f.verdict}`), { recursive: true });
    },
});
line(`R ${JSON.stringify(result)}`);
