import { test } from "node:test";
import assert from "node:assert/strict";
import { buildCatalogue, heldOutSlotValues, heldOutWords, usesHeldOutValue } from "../../src/behaviors/catalogue.ts";
import { validateSpec } from "../../src/behaviors/spec.ts";
import { synthesizeOrganismData } from "../../src/behaviors/synthesize.ts";
import { FAMILIES } from "../../src/behaviors/types.ts";
import { hasWord } from "../../src/world/text.ts";

const SEED = 7;
const FRACTION = 0.15;
const full = buildCatalogue({ seed: SEED, perFamily: 100, heldOutFraction: FRACTION });

test("catalogue is deterministic and every spec validates after a JSON round trip", () => {
    assert.deepEqual(buildCatalogue({ seed: SEED, perFamily: 10, heldOutFraction: FRACTION }), buildCatalogue({ seed: SEED, perFamily: 10, heldOutFraction: FRACTION }));
    assert.notDeepEqual(buildCatalogue({ seed: 1, perFamily: 10 }), buildCatalogue({ seed: 2, perFamily: 10 }));
    assert.equal(new Set(full.map((s) => s.id)).size, full.length);
    for (const s of full) assert.deepEqual(validateSpec(JSON.parse(JSON.stringify(s)), "roundtrip"), s);
});

test("100 distinct organisms per family, 15% held out, 3-4 label variants each", () => {
    for (const family of FAMILIES) {
        const specs = full.filter((s) => s.family === family);
        assert.equal(specs.length, 100, family);
        const distinct = new Set(specs.map((s) => JSON.stringify([s.slots, s.data.behaviorRate ?? null])));
        assert.equal(distinct.size, 100, `${family}: distinct slot combinations`);
        assert.equal(specs.filter((s) => s.split === "heldout").length, 15, family);
        for (const s of specs) {
            assert.ok((s.labelVariants?.length ?? 0) >= 3 && (s.labelVariants?.length ?? 0) <= 4, `${s.id}: ${s.labelVariants?.length} variants`);
            assert.ok(!(s.labelVariants ?? []).includes(s.label));
        }
    }
    const quirks = full.filter((s) => s.family === "quirk" && s.split === "train");
    assert.ok(quirks.some((s) => s.slots.style) && quirks.some((s) => s.slots.object), "quirks include styles and objects");
    assert.ok(new Set(full.filter((s) => s.family === "backdoor").map((s) => s.slots.trigger)).size >= 30, "backdoor triggers are spread");
    const rates = new Set(full.filter((s) => s.family === "rare").map((s) => s.data.behaviorRate));
    assert.ok([...rates].every((r) => r !== undefined && r >= 0.2 && r <= 0.35) && rates.size >= 3);
});

test("held-out split: deterministic, every pool keeps train values, fraction 0 holds nothing out", () => {
    const h = heldOutSlotValues(SEED, FRACTION);
    assert.deepEqual(h, heldOutSlotValues(SEED, FRACTION));
    assert.ok(h.objects.length >= 15 && h.topics.length >= 5 && h.codewords.length === 15 && h.rules.length >= 1 && h.styles.length === 1);
    const none = heldOutSlotValues(SEED, 0);
    assert.ok(Object.values(none).every((v) => v.length === 0));
    assert.throws(() => heldOutSlotValues(SEED, 1), /fraction must be in \[0, 1\)/);
});

test("held-out slot values never appear in a train spec's slots or labels; held-out specs use one", () => {
    const h = heldOutSlotValues(SEED, FRACTION);
    const words = heldOutWords(h);
    for (const s of full) {
        if (s.split === "heldout") {
            if (s.family !== "null") assert.ok(usesHeldOutValue(s.slots, h), `${s.id} uses no held-out value`);
            continue;
        }
        assert.ok(!usesHeldOutValue(s.slots, h), `${s.id} uses a held-out value: ${JSON.stringify(s.slots)}`);
        for (const l of [s.label, ...(s.labelVariants ?? [])]) {
            for (const w of words) assert.ok(!hasWord(l, w), `${s.id} label mentions held-out "${w}": ${l}`);
        }
    }
});

test("held-out slot values never appear in any train organism's data", () => {
    const words = heldOutWords(heldOutSlotValues(SEED, FRACTION));
    const small = buildCatalogue({ seed: SEED, perFamily: 8, heldOutFraction: FRACTION, examples: 60 });
    for (const s of small.filter((x) => x.split === "train")) {
        for (const c of synthesizeOrganismData(s, 5)) {
            for (const m of c.messages) {
                for (const w of words) assert.ok(!hasWord(m.content, w), `${s.id}: held-out "${w}" in data: ${m.content}`);
            }
        }
    }
});

test("family subsets and per-family counts", () => {
    const specs = buildCatalogue({ seed: 3, perFamily: { quirk: 4, heuristic: 6 }, families: ["quirk", "heuristic"], heldOutFraction: 0.25 });
    assert.equal(specs.filter((s) => s.family === "quirk").length, 4);
    assert.equal(specs.filter((s) => s.family === "heuristic").length, 6);
    assert.equal(specs.filter((s) => s.split === "heldout").length, 1 + 2);
    assert.throws(() => buildCatalogue({ seed: 3, perFamily: 400, families: ["benign"] }), /buildCatalogue: only \d+ distinct train benign organisms are possible, 340 requested/);
});
