/**
 * Checkpoint folders: single-file vs sharded writes (huggingface_hub shard planning), index contents,
 * round trips, cleanup of stale layouts, precedence, and malformed indexes.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { listCheckpointTensors, readCheckpointTensors, writeCheckpointTensors } from "../../src/io/checkpointFiles.ts";
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type RawTensor } from "../../src/io/safetensors.ts";
import { tmpDir } from "./ioTestUtil.ts";

const root = tmpDir("ckpt");
let counter = 0;
const freshDir = (stem: string) => {
    const d = path.join(root, `${stem}-${counter++}`);
    fs.mkdirSync(d);
    return d;
};

function u8(n: number, fill: number): RawTensor {
    return { dtype: "U8", shape: [n], data: Uint8Array.from({ length: n }, (_, i) => (fill * 31 + i) & 0xff) };
}

function assertSameTensors(got: Map<string, RawTensor>, want: Map<string, RawTensor>): void {
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [name, w] of want) {
        const g = got.get(name)!;
        assert.equal(g.dtype, w.dtype, name);
        assert.deepEqual(g.shape, w.shape, name);
        assert.deepEqual(Buffer.from(g.data), Buffer.from(w.data), name);
    }
}

const readIndex = (folder: string) =>
    JSON.parse(fs.readFileSync(path.join(folder, "model.safetensors.index.json"), "utf8")) as { metadata: { total_size: number }; weight_map: Record<string, string> };

/** a(40) b(40) big(100) c(8) d(8) e(30) with limit 64 -> [a] [big] [b c d] [e], as huggingface_hub splits. */
function shardingSample(): Map<string, RawTensor> {
    return new Map<string, RawTensor>([
        ["layers.0.a", u8(40, 1)],
        ["layers.0.b", { dtype: "F32", shape: [2, 5], data: u8(40, 2).data }],
        ["embed.big", { dtype: "BF16", shape: [50], data: u8(100, 3).data }],
        ["layers.1.c", { dtype: "I64", shape: [], data: u8(8, 4).data }],
        ["layers.1.d", u8(8, 5)],
        ["norm.e", { dtype: "F16", shape: [15], data: u8(30, 6).data }],
    ]);
}

test("small checkpoint: one model.safetensors with format=pt metadata", () => {
    const folder = freshDir("single");
    const tensors = shardingSample();
    writeCheckpointTensors(folder, tensors, { metadata: { note: "hi" } });
    assert.deepEqual(fs.readdirSync(folder).sort(), ["model.safetensors"]);
    assert.deepEqual(readSafetensors(path.join(folder, "model.safetensors")).metadata, { format: "pt", note: "hi" });
    assertSameTensors(readCheckpointTensors(folder), tensors);
    const listing = listCheckpointTensors(folder);
    assert.equal(listing.size, tensors.size);
    for (const { file } of listing.values()) assert.equal(file, path.join(folder, "model.safetensors"));
});

test("sharded write/read round trip with a small maxShardBytes", () => {
    const folder = freshDir("sharded");
    const tensors = shardingSample();
    writeCheckpointTensors(folder, tensors, { maxShardBytes: 64, metadata: { format: "pt", run: "x" } });
    const shardNames = [1, 2, 3, 4].map((k) => `model-0000${k}-of-00004.safetensors`);
    assert.deepEqual(fs.readdirSync(folder).sort(), [...shardNames, "model.safetensors.index.json"].sort());

    const index = readIndex(folder);
    assert.equal(index.metadata.total_size, 40 + 40 + 100 + 8 + 8 + 30);
    assert.deepEqual(Object.keys(index.weight_map), [...tensors.keys()].sort());
    assert.deepEqual(index.weight_map, {
        "layers.0.a": shardNames[0],
        "embed.big": shardNames[1],
        "layers.0.b": shardNames[2],
        "layers.1.c": shardNames[2],
        "layers.1.d": shardNames[2],
        "norm.e": shardNames[3],
    });
    for (const shard of shardNames) {
        const { tensors: inShard, metadata } = readSafetensors(path.join(folder, shard));
        assert.deepEqual(metadata, { format: "pt", run: "x" });
        const bytes = [...inShard.values()].reduce((s, t) => s + t.data.byteLength, 0);
        assert.ok(bytes <= 64 || inShard.size === 1, `${shard} holds ${bytes} bytes`);
    }

    assertSameTensors(readCheckpointTensors(folder), tensors);
    const subset = readCheckpointTensors(folder, ["norm.e", "layers.0.a", "layers.1.d"]);
    assert.deepEqual([...subset.keys()], ["norm.e", "layers.0.a", "layers.1.d"]);
    assertSameTensors(subset, new Map([...tensors].filter(([n]) => subset.has(n))));

    const listing = listCheckpointTensors(folder);
    const c = listing.get("layers.1.c")!;
    assert.equal(c.file, path.join(folder, shardNames[2]!));
    assert.deepEqual(c.entry, readSafetensorsHeader(c.file).entries.get("layers.1.c"));
    assert.throws(() => readCheckpointTensors(folder, ["nope"]), (err: Error) => err.message.includes(folder) && /no tensor named "nope"/.test(err.message));
});

test("rewriting a folder removes the stale layout", () => {
    const folder = freshDir("rewrite");
    const tensors = shardingSample();
    writeCheckpointTensors(folder, tensors, { maxShardBytes: 64 });
    fs.writeFileSync(path.join(folder, "config.json"), "{}");
    // Sharded (4) -> sharded (2): shards 3 and 4 of the old layout must go.
    writeCheckpointTensors(folder, tensors, { maxShardBytes: 150 });
    assert.deepEqual(fs.readdirSync(folder).sort(), ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"]);
    assertSameTensors(readCheckpointTensors(folder), tensors);
    // Sharded -> single.
    const smaller = new Map([...tensors].slice(0, 2));
    writeCheckpointTensors(folder, smaller);
    assert.deepEqual(fs.readdirSync(folder).sort(), ["config.json", "model.safetensors"]);
    assertSameTensors(readCheckpointTensors(folder), smaller);
    // Single -> sharded: the single file would otherwise shadow the index.
    writeCheckpointTensors(folder, tensors, { maxShardBytes: 64 });
    assert.equal(fs.existsSync(path.join(folder, "model.safetensors")), false);
    assertSameTensors(readCheckpointTensors(folder), tensors);
});

test("model.safetensors takes precedence over an index, as in transformers", () => {
    const folder = freshDir("precedence");
    writeCheckpointTensors(folder, shardingSample(), { maxShardBytes: 64 });
    writeSafetensors(path.join(folder, "model.safetensors"), { only: u8(3, 9) });
    assert.deepEqual([...listCheckpointTensors(folder).keys()], ["only"]);
});

test("index naming a missing shard file", () => {
    const folder = freshDir("missing-shard");
    writeCheckpointTensors(folder, shardingSample(), { maxShardBytes: 64 });
    fs.rmSync(path.join(folder, "model-00003-of-00004.safetensors"));
    const index = path.join(folder, "model.safetensors.index.json");
    for (const fn of [() => listCheckpointTensors(folder), () => readCheckpointTensors(folder)]) {
        assert.throws(fn, (err: Error) => err.message.includes(index) && /puts "layers\.0\.b" in model-00003-of-00004\.safetensors, but .* does not exist/.test(err.message));
    }
});

test("index naming a tensor that its shard does not contain", () => {
    const folder = freshDir("missing-tensor");
    writeCheckpointTensors(folder, shardingSample(), { maxShardBytes: 64 });
    const index = readIndex(folder);
    index.weight_map["layers.0.a"] = "model-00002-of-00004.safetensors";
    fs.writeFileSync(path.join(folder, "model.safetensors.index.json"), JSON.stringify(index));
    assert.throws(
        () => listCheckpointTensors(folder),
        (err: Error) => err.message.includes("model.safetensors.index.json") && /puts "layers\.0\.a" in .*model-00002-of-00004\.safetensors, but that file has no such tensor/.test(err.message),
    );
});

test("malformed index files and empty folders", () => {
    const indexOf = (folder: string) => path.join(folder, "model.safetensors.index.json");
    const cases: [string, RegExp][] = [
        ["{not json", /cannot read index/],
        [JSON.stringify({ metadata: {} }), /missing or invalid "weight_map"/],
        [JSON.stringify({ weight_map: {} }), /"weight_map" is empty/],
        [JSON.stringify({ weight_map: { a: 3 } }), /weight_map entry for "a" must be a file name, got 3/],
        [JSON.stringify({ weight_map: { a: "../escape.safetensors" } }), /points outside the folder/],
        [JSON.stringify({ weight_map: { a: "/etc/passwd" } }), /points outside the folder/],
    ];
    for (const [text, re] of cases) {
        const folder = freshDir("badindex");
        fs.writeFileSync(indexOf(folder), text);
        assert.throws(() => listCheckpointTensors(folder), (err: Error) => err.message.includes(indexOf(folder)) && re.test(err.message), String(re));
    }
    const empty = freshDir("empty");
    assert.throws(() => readCheckpointTensors(empty), (err: Error) => err.message.startsWith(empty) && /no model\.safetensors or model\.safetensors\.index\.json/.test(err.message));
    fs.writeFileSync(path.join(empty, "pytorch_model.bin"), "");
    assert.throws(() => listCheckpointTensors(empty), /only pytorch_model\.bin weights found/);
});

test("a corrupt shard is reported with the shard's path", () => {
    const folder = freshDir("corrupt-shard");
    writeCheckpointTensors(folder, shardingSample(), { maxShardBytes: 64 });
    const shard = path.join(folder, "model-00002-of-00004.safetensors");
    const full = fs.readFileSync(shard);
    fs.writeFileSync(shard, full.subarray(0, full.byteLength - 1));
    assert.throws(() => readCheckpointTensors(folder), (err: Error) => err.message.includes(shard) && /truncated/.test(err.message));
});

test("maxShardBytes must be a positive integer", () => {
    const folder = freshDir("badopt");
    for (const bad of [0, -5, 1.5, NaN]) {
        assert.throws(() => writeCheckpointTensors(folder, shardingSample(), { maxShardBytes: bad }), /maxShardBytes must be a positive integer/);
    }
    assert.deepEqual(fs.readdirSync(folder), []);
});
