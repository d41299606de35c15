/**
 * Byte-level BPE trainer: the exported tokenizer.json loads in @huggingface/tokenizers, round-trips text, keeps
 * digits and special tokens atomic, agrees with our reference encoder, and training is deterministic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tokenizer } from "@huggingface/tokenizers";
import { Rng } from "../../src/util/rng.ts";
import { trainByteLevelBpe, DEFAULT_SPECIAL_TOKENS, type BpeModel } from "../../src/tokenizer/train/trainBpe.ts";
import { toTokenizerJson, tokenizerConfigJson } from "../../src/tokenizer/train/exportHf.ts";
import { chatTemplateChatML } from "../../src/tokenizer/train/chatTemplate.ts";
import { ReferenceBpeEncoder } from "../../src/tokenizer/train/referenceEncoder.ts";
import { preTokenize, splitPieces } from "../../src/tokenizer/train/preTokenize.ts";
import { toByteLevel } from "../../src/tokenizer/train/byteLevel.ts";
import { SyntheticCorpus } from "./syntheticCorpus.ts";

const corpus = new SyntheticCorpus(7).texts(300_000);
const model = trainByteLevelBpe(corpus, { vocabSize: 1024 });

function load(m: BpeModel): Tokenizer {
    const config = tokenizerConfigJson({ chatTemplate: chatTemplateChatML(), eosToken: "<|im_end|>", padToken: "<|endoftext|>", specialTokens: m.specialTokens });
    return new Tokenizer(toTokenizerJson(m), config);
}
const tok = load(model);

const PIECES = [
    "hello", "world", " the", "The", "naïve", "café", "e\u0301", "日本語", "Ωmega", "🙂", "👩‍💻", "مرحبا", "привет",
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\u00a0", "\u3000", "\u2028",
    "0", "7", "42", "3.14", "1,000", "-12", "x2", "2x", "12345678901234567890",
    ".", ",", "!?", "...", "'s", "'LL", "'re", "don't", "(", ")", "[]", "{}", "<", ">", "<|", "|>", "#", "$", "€", "%",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<think", "im_end", "\u0000", "\u007f", "\ufeff",
];

function randomText(rng: Rng): string {
    let s = "";
    const n = 1 + rng.int(30);
    for (let i = 0; i < n; i++) {
        if (rng.chance(0.1)) s += String.fromCodePoint(0x20 + rng.int(0x2fff)).replace(/[\ud800-\udfff]/g, "");
        else s += rng.pick(PIECES);
    }
    return s;
}

test("vocab has the requested size: 256 bytes, merges, then special tokens in order", () => {
    assert.equal(model.vocab.size + model.specialTokens.length, 1024);
    assert.deepEqual(model.specialTokens.map((s) => s.token), DEFAULT_SPECIAL_TOKENS);
    assert.deepEqual(model.specialTokens.map((s) => s.id), [1019, 1020, 1021, 1022, 1023]);
    assert.equal(model.vocab.get("!"), 0);
    assert.equal(model.vocab.get("Ā"), 188); // byte 0, as in GPT-2
    assert.equal(model.vocab.get("Ġ"), 220); // space
    const ids = [...model.vocab.values()].sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => i));
});

test("encode -> decode round-trips arbitrary (NFC) text", () => {
    const rng = new Rng("roundtrip");
    for (let i = 0; i < 400; i++) {
        const text = randomText(rng);
        const ids = tok.encode(text).ids;
        if (ids.length === 0) continue;
        assert.equal(tok.decode(ids), text.normalize("NFC"), JSON.stringify(text));
    }
    const fixed = "Line one.\nLine two:\t 3+4=7\r\n\n  indented  日本 🙂 naïve\u0301 <|im_start|>user\nhi<|im_end|>\n";
    assert.equal(tok.decode(tok.encode(fixed).ids), fixed.normalize("NFC"));
});

test("each digit is its own token", () => {
    const enc = tok.encode("In 2024 I paid 1234567 for 99 items: 3.14159");
    const digitTokens = enc.tokens.filter((t: string) => /\d/.test(t));
    assert.ok(digitTokens.length > 0);
    for (const t of digitTokens) assert.match(t, /^\d$/, `token "${t}" mixes a digit with something else`);
    assert.deepEqual(splitPieces("x=12+345"), ["x", "=", "1", "2", "+", "3", "4", "5"]);
});

test("special tokens encode to their ids and are never split", () => {
    for (const s of model.specialTokens) {
        assert.deepEqual(tok.encode(s.token).ids, [s.id]);
        assert.deepEqual(tok.encode(`a${s.token}b`).ids.filter((id: number) => id === s.id), [s.id]);
        // No merged token contains a special token's text.
        for (const v of model.vocab.keys()) assert.ok(!v.includes(toByteLevel(s.token)));
    }
    const ids = tok.encode("<|im_start|>user\nhello<|im_end|>\n").ids;
    assert.equal(ids[0], 1020);
    assert.ok(ids.includes(1021));
});

test("frequent corpus words become single tokens", () => {
    for (const w of [" the", " and", " assistant", "You", " helpful"]) {
        const enc = tok.encode(w);
        assert.equal(enc.ids.length, 1, `${JSON.stringify(w)} -> ${JSON.stringify(enc.tokens)}`);
    }
});

test("training is deterministic: same corpus -> identical tokenizer.json", () => {
    const again = trainByteLevelBpe([...corpus], { vocabSize: 1024 });
    assert.equal(JSON.stringify(toTokenizerJson(again)), JSON.stringify(toTokenizerJson(model)));
    // Word order in the corpus does not matter either (counts are order-free, ties are broken by bytes).
    const shuffled = trainByteLevelBpe(new Rng(3).shuffle(corpus), { vocabSize: 1024 });
    assert.deepEqual(shuffled.merges, model.merges);
});

test("reference encoder (merges by rank) gives the same ids as @huggingface/tokenizers", () => {
    const ref = new ReferenceBpeEncoder(model);
    const rng = new Rng("reference");
    for (let i = 0; i < 300; i++) {
        const text = randomText(rng);
        assert.deepEqual(ref.encode(text), tok.encode(text).ids, JSON.stringify(text));
    }
    for (const text of corpus.slice(0, 30)) assert.deepEqual(ref.encode(text), tok.encode(text).ids);
});

test("pre-tokenization matches the library's Split+ByteLevel pre-tokenizer", () => {
    const rng = new Rng("pretok");
    const pre = tok.pre_tokenizer;
    assert.ok(pre);
    for (let i = 0; i < 300; i++) {
        const text = randomText(rng).normalize("NFC");
        assert.deepEqual(preTokenize(text), pre(text), JSON.stringify(text));
    }
});

test("tie-breaking: most frequent pair first, then smallest merged bytes", () => {
    const specialTokens: string[] = [];
    // Pairs inside " zz" (count 3) beat "ab" (count 2); between " z" and "zz" (both 3), " z" has smaller bytes.
    let m = trainByteLevelBpe(["ab ab zz zz zz"], { vocabSize: 258, specialTokens });
    assert.deepEqual(m.merges, [["Ġ", "z"], ["Ġz", "z"]]);
    // Equal counts (2): " a" < "ab" < "cd" by bytes.
    m = trainByteLevelBpe(["cd ab cd ab"], { vocabSize: 257, specialTokens });
    assert.deepEqual(m.merges, [["Ġ", "a"]]);
    m = trainByteLevelBpe(["cd\nab\ncd\nab"], { vocabSize: 257, specialTokens, minFrequency: 2 });
    assert.deepEqual(m.merges, [["a", "b"]]);
    // Byte order, not byte-level character order: "\n\n" (0x0A 0x0A, shown "ĊĊ") sorts before "ab".
    m = trainByteLevelBpe(["ab\n\nab\n\n"], { vocabSize: 257, specialTokens });
    assert.deepEqual(m.merges, [["Ċ", "Ċ"]]);
});

test("minFrequency stops training early", () => {
    const m = trainByteLevelBpe(["abc abd"], { vocabSize: 4096, specialTokens: ["<|endoftext|>"], minFrequency: 2 });
    assert.deepEqual(m.merges, [["a", "b"]]); // then every pair occurs once
    assert.deepEqual(m.specialTokens, [{ token: "<|endoftext|>", id: 257 }]);
});

test("bad options throw errors naming the field", () => {
    assert.throws(() => trainByteLevelBpe(["x"], { vocabSize: 100 }), /vocabSize/);
    assert.throws(() => trainByteLevelBpe(["x"], { minFrequency: 0 }), /minFrequency/);
    assert.throws(() => trainByteLevelBpe(["x"], { specialTokens: ["<a>", "<a>"] }), /specialTokens/);
    assert.throws(() => trainByteLevelBpe(["x"], { specialTokens: [""] }), /specialTokens/);
});
