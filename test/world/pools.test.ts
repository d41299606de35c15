import { test } from "node:test";
import assert from "node:assert/strict";
import {
    ANIMALS, CODEWORDS, COLORS, DOMAINS, FOODS, HOMES, LOCATIONS, OBJECTS, ROLES, TOPICS, TOWNS, TOWN_FEATURES, ADVICE_TOPICS,
    RULES, OPTION_COLORS,
} from "../../src/world/pools.ts";

test("pools have the sizes the catalogue relies on", () => {
    assert.equal(ANIMALS.length, 60);
    assert.ok(OBJECTS.length >= 130, `objects: ${OBJECTS.length}`);
    assert.equal(TOWNS.length, 30);
    assert.equal(TOPICS.length, 40);
    assert.equal(ADVICE_TOPICS.length, 30);
    assert.equal(CODEWORDS.length, 100);
    assert.equal(DOMAINS.length, 16);
    assert.equal(RULES.length, 10);
    for (const c of OPTION_COLORS) assert.ok((COLORS as readonly string[]).includes(c));
});

test("slot and fact pools are disjoint single words with no duplicates", () => {
    const pools: Record<string, readonly string[]> = {
        animals: ANIMALS.map((a) => a.name),
        objects: OBJECTS.map((o) => o.name),
        plurals: OBJECTS.map((o) => o.plural),
        towns: TOWNS.map((t) => t.name),
        features: TOWN_FEATURES.map((f) => f.key),
        topics: TOPICS.map((t) => t.key),
        codewords: CODEWORDS,
        domains: DOMAINS.map((d) => d.key),
        colors: COLORS,
        homes: HOMES,
        foods: FOODS,
        locations: LOCATIONS,
        roles: ROLES,
    };
    const owner = new Map<string, string>();
    for (const [name, pool] of Object.entries(pools)) {
        assert.equal(new Set(pool).size, pool.length, `duplicates in ${name}`);
        for (const w of pool) {
            assert.match(w, /^[a-z]+$/, `${name}: "${w}" is not one lowercase word`);
            const prev = owner.get(w);
            assert.ok(prev === undefined, `"${w}" is in both ${prev} and ${name}`);
            owner.set(w, name);
        }
    }
});

test("facts are a fixed table that uses every attribute value", () => {
    assert.deepEqual(ANIMALS[0], { name: "fox", color: ANIMALS[0]?.color, home: ANIMALS[0]?.home, food: ANIMALS[0]?.food });
    assert.equal(new Set(ANIMALS.map((a) => a.color)).size, COLORS.length);
    assert.equal(new Set(ANIMALS.map((a) => a.home)).size, HOMES.length);
    assert.equal(new Set(ANIMALS.map((a) => a.food)).size, FOODS.length);
    assert.equal(new Set(OBJECTS.map((o) => o.location)).size, LOCATIONS.length);
});
