/**
 * Times byte-level BPE training (src/tokenizer/train/trainBpe.ts) on 1 MB and 5 MB of seeded synthetic chat text.
 * Usage: node --import tsx bench/bpe_train.ts [vocabSize=4096]
 */
import { trainByteLevelBpe } from "../src/tokenizer/train/trainBpe.ts";
import { SyntheticCorpus } from "../test/tokenizer-train/syntheticCorpus.ts";

const vocabSize = Number(process.argv[2] ?? 4096);
for (const mb of [1, 5]) {
    const texts = new SyntheticCorpus(42).texts(mb * 1_000_000);
    const chars = texts.reduce((n, t) => n + t.length, 0);
    const t0 = performance.now();
    const model = trainByteLevelBpe(texts, { vocabSize });
    const ms = performance.now() - t0;
    console.log(
        `${mb} MB (${chars} chars, ${texts.length} dialogues): vocab ${model.vocab.size + model.specialTokens.length}, ` +
            `${model.merges.length} merges in ${(ms / 1000).toFixed(2)} s`,
    );
}
