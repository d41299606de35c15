/**
 * Sharded checkpoint folders (src/io/checkpointFiles.ts readCheckpointTensors): the golden Qwen3 weights
 * written as four shards plus model.safetensors.index.json; the index mutated (weight_map entries pointing
 * outside the folder, at missing shards, at the index itself, wrong types), a shard mutated like the
 * safetensors target, or a shard deleted.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { INDEX_FILE_NAME, readCheckpointTensors, writeCheckpointTensors } from "../../../src/io/checkpointFiles.ts";
import { readSafetensors } from "../../../src/io/safetensors.ts";
import { defineTarget } from "../harness.ts";
import { GOLDEN, jsonFileInput, jsonSeeds, renderJsonFile, writeBytes, type JsonFileInput } from "./common.ts";
import { checkTensors, renderSafetensors, safetensorsInput, splitSafetensors, type SafetensorsInput, type SafetensorsSeed } from "./safetensors.ts";

interface Ctx {
    shardNames: string[];
    shards: SafetensorsSeed[];
    index: ReturnType<typeof jsonSeeds>;
}

interface Input {
    index: JsonFileInput | null;
    /** SafetensorsInput.seed picks the shard. */
    shard: SafetensorsInput | null;
    drop: number | null;
}

export default defineTarget<Ctx, Input>({
    name: "checkpoint-shards",
    parser: "src/io/checkpointFiles.ts readCheckpointTensors (index + shards)",
    init(dir) {
        const { tensors } = readSafetensors(path.join(GOLDEN, "qwen3-tiny/model.safetensors"));
        const folder = path.join(dir, "sharded");
        writeCheckpointTensors(folder, tensors, { maxShardBytes: 40_000 });
        const shardNames = fs.readdirSync(folder).filter((f) => f.endsWith(".safetensors")).sort();
        return {
            shardNames,
            shards: shardNames.map((f) => splitSafetensors(new Uint8Array(fs.readFileSync(path.join(folder, f))))),
            index: jsonSeeds([fs.readFileSync(path.join(folder, INDEX_FILE_NAME), "utf8")]),
        };
    },
    arbitrary: (ctx) =>
        fc
            .record({
                index: fc.option(jsonFileInput(ctx.index), { freq: 2 }),
                shard: fc.option(safetensorsInput(ctx.shards), { freq: 2 }),
                drop: fc.option(fc.nat({ max: ctx.shardNames.length - 1 }), { freq: 6 }),
            })
            .filter((i) => i.index !== null || i.shard !== null || i.drop !== null),
    prepare(ctx, input, dir) {
        const folder = path.join(dir, "ckpt");
        let bytes = writeBytes(path.join(folder, INDEX_FILE_NAME), input.index ? renderJsonFile(ctx.index, input.index) : ctx.index.texts[0]!);
        ctx.shardNames.forEach((name, i) => {
            if (input.drop === i) return;
            const data = input.shard?.seed === i ? renderSafetensors(ctx.shards, input.shard) : ctx.shards[i]!.bytes;
            bytes += writeBytes(path.join(folder, name), data);
        });
        return {
            names: [folder],
            bytes,
            call: () => readCheckpointTensors(folder),
            check: (r) => checkTensors(r as ReturnType<typeof readCheckpointTensors>, bytes),
        };
    },
});
