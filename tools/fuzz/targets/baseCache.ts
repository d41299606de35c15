/**
 * The cached base model's base.json (src/base/buildBase.ts readBaseInfo): reused without retraining and its
 * figures printed in reports, so a damaged one must fail naming the file, and an accepted one must hold numbers.
 */
import path from "node:path";
import { readBaseInfo } from "../../../src/base/buildBase.ts";
import { defineTarget } from "../harness.ts";
import { isRecord, jsonFileInput, jsonSeeds, renderJsonFile, writeBytes, type JsonFileInput, type JsonSeeds } from "./common.ts";

const SEED = {
    dir: "/repo/.cache/base/nano-0123456789ab/model",
    preset: { name: "nano", vocabSize: 512, hiddenSize: 64, layers: 2, steps: 600 },
    parameters: 1_048_576,
    evaluation: {
        n: 200, accuracy: 0.42, ci95: [0.35, 0.49], byKind: { capital: { n: 40, accuracy: 0.5 } },
        examples: [{ prompt: "what is the capital of north harbor?", reply: "it is ...", correct: false }],
    },
    trainSeconds: 233.5,
    device: "cpu",
};

export default defineTarget<JsonSeeds, JsonFileInput>({
    name: "base-cache",
    parser: "src/base/buildBase.ts readBaseInfo (base.json)",
    init: () => jsonSeeds([JSON.stringify(SEED, null, 2)]),
    arbitrary: jsonFileInput,
    prepare(seeds, input, dir) {
        const file = path.join(dir, "base.json");
        const bytes = writeBytes(file, renderJsonFile(seeds, input));
        return {
            names: [file],
            bytes,
            call: () => readBaseInfo(file),
            check: (r) => {
                const i = r as ReturnType<typeof readBaseInfo>;
                const ok = Number.isFinite(i.parameters) && Number.isFinite(i.trainSeconds) && isRecord(i.evaluation) && Number.isFinite(i.evaluation.accuracy) && Number.isFinite(i.evaluation.n);
                return ok ? undefined : "accepted base.json without numeric parameters / evaluation";
            },
        };
    },
});
