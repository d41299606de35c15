/**
 * Structure-aware mutation of JSON documents, as fast-check arbitraries of plain data: walk a path into a valid
 * seed document and delete, replace or tweak what is there (type changes, huge / negative / fractional numbers,
 * "NaN" strings, lone surrogates, path-escaping strings, prototype keys, deep nesting, big arrays, numbers that
 * only raw JSON text can spell, like 1e400). Structure-aware mutations get past JSON.parse and reach the
 * validation code; the byte-level operators in bytes.ts cover the syntax errors.
 *
 * Values that JSON.stringify cannot produce (1e400, 100k-deep nesting) are "raw" texts spliced in after
 * stringifying, through a marker string.
 */
import fc from "fast-check";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A replacement value: a plain JSON value, or raw JSON text (a recipe, see expandRaw) spliced in verbatim. */
export type Special = { value: Json } | { raw: string };

export type JsonOp =
    /** Remove the member / element at the path (at the root: replace the document by `null`). */
    | { op: "delete"; path: number[] }
    | { op: "replace"; path: number[]; with: Special }
    /** A type-dependent change (see `tweak`), `k` picks which, `with`/`key` feed the ones that add something. */
    | { op: "tweak"; path: number[]; k: number; with: Special; key: string }
    /** Wrap the value in an array or an object. */
    | { op: "wrap"; path: number[]; inArray: boolean };

/**
 * Raw JSON texts, named by a short recipe (so a failing input prints short): numbers beyond double range,
 * nesting deeper than any recursive walker survives, big arrays, long strings, a "__proto__" member.
 */
const RAW_RECIPES: Record<string, (n: number) => string> = {
    number: () => "",
    "deep-array": (n) => "[".repeat(n) + "]".repeat(n),
    "deep-object": (n) => '{"a":'.repeat(n) + "1" + "}".repeat(n),
    zeros: (n) => `[${"0,".repeat(n - 1)}0]`,
    "long-string": (n) => JSON.stringify("a".repeat(n)),
    "proto-member": () => '{"__proto__":{"polluted":true}}',
};

export function expandRaw(raw: string): string {
    const [recipe, arg] = raw.split(":") as [string, string | undefined];
    const make = RAW_RECIPES[recipe];
    return make && recipe !== "number" ? make(Number(arg)) : (arg ?? raw);
}

const rawSpecial: fc.Arbitrary<Special> = fc.oneof(
    fc.constantFrom("1e400", "-1e400", "1e-400", "-0", "123456789012345678901234567890", "9007199254740993", "0.1e1", "1E+2").map((n) => ({ raw: `number:${n}` })),
    fc.constantFrom(10, 100, 1000, 5000, 20_000, 100_000).chain((d) => fc.constantFrom({ raw: `deep-array:${d}` }, { raw: `deep-object:${d}` })),
    fc.constantFrom(1000, 100_000).map((n) => ({ raw: `zeros:${n}` })),
    fc.constantFrom(10_000, 1_000_000).map((n) => ({ raw: `long-string:${n}` })),
    fc.constant({ raw: "proto-member" }),
);

/** Values that break validators: edge numbers, numbers as strings, odd strings, empty containers. */
const INTERESTING: readonly Json[] = [
    null, true, false, 0, 1, -1, 0.5, -0.5, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 1e12, 1e15, 1e300, -1e300,
    Number.MIN_VALUE, "NaN", "Infinity", "-Infinity", "1e12", "-1", "0", "", " ", "\u0000", "\ud800", "\udc00x", "💥", "é",
    "../../../etc/passwd", "/etc/passwd", "..", ".", "a/b", "__proto__", "constructor", "F32", "qwen3", "user", "assistant",
    [], {}, [null], [1, 2, 3], [-1], ["x"], { a: 1 }, { content: "x" },
];

const plainSpecial: fc.Arbitrary<Special> = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...INTERESTING).map((value) => ({ value })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ value: value as Json })) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }).map((value) => ({ value })) },
);

export const special: fc.Arbitrary<Special> = fc.oneof({ weight: 5, arbitrary: plainSpecial }, { weight: 1, arbitrary: rawSpecial });

const path = fc.array(fc.nat(), { maxLength: 8 });

/** Mutation operators; `keys` are member names worth adding (the seed's own keys plus prototype names). */
export function jsonOp(keys: readonly string[]): fc.Arbitrary<JsonOp> {
    const key = fc.oneof(
        fc.constantFrom(...keys, "__proto__", "constructor", "toString", "hasOwnProperty", ""),
        fc.string({ maxLength: 8 }),
    );
    return fc.oneof(
        { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), path }) },
        { weight: 4, arbitrary: fc.record({ op: fc.constant("replace" as const), path, with: special }) },
        { weight: 4, arbitrary: fc.record({ op: fc.constant("tweak" as const), path, k: fc.nat(), with: special, key }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constant("wrap" as const), path, inArray: fc.boolean() }) },
    );
}

export function jsonOps(keys: readonly string[]): fc.Arbitrary<JsonOp[]> {
    return fc.array(jsonOp(keys), { minLength: 1, maxLength: 4 });
}

/** Every member name in the documents (recursively), for `jsonOp`'s key choices. */
export function keysOf(...docs: Json[]): string[] {
    const out = new Set<string>();
    const walk = (v: Json): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                out.add(k);
                walk(x);
            }
        }
    };
    docs.forEach(walk);
    return [...out].slice(0, 200);
}

// ---------------------------------------------------------------- applying

const MARK = "\u0000raw:";

interface Doc {
    root: Json;
    raws: string[];
}

function materialize(s: Special, doc: Doc): Json {
    if ("value" in s) return structuredClone(s.value);
    doc.raws.push(s.raw);
    return `${MARK}${doc.raws.length - 1}`;
}

function children(v: Json): [string | number, Json][] {
    if (Array.isArray(v)) return v.map((x, i) => [i, x]);
    if (v !== null && typeof v === "object") return Object.entries(v);
    return [];
}

/** Follows `path` (each step picks child index mod the child count) until it runs out or hits a leaf. */
function locate(root: Json, path: readonly number[]): { parent: Json | undefined; key: string | number | undefined; node: Json } {
    let parent: Json | undefined, key: string | number | undefined, node = root;
    for (const step of path) {
        const kids = children(node);
        if (kids.length === 0) break;
        const [k, child] = kids[step % kids.length]!;
        parent = node;
        key = k;
        node = child;
    }
    return { parent, key, node };
}

function put(doc: Doc, parent: Json | undefined, key: string | number | undefined, value: Json): void {
    if (parent === undefined || key === undefined) doc.root = value;
    else if (Array.isArray(parent)) parent[key as number] = value;
    else (parent as Record<string, Json>)[key as string] = value;
}

function tweak(node: Json, k: number, extra: Json, key: string): Json {
    if (typeof node === "number") {
        const variants = [-node, node + 1, node - 1, node + 0.5, node * 2 ** (1 + (k % 64)), node * 1e9, String(node), 0, -1];
        return variants[k % variants.length]!;
    }
    if (typeof node === "string") {
        const variants: Json[] = ["", node + String(extra), Number(node), node.repeat(Math.max(1, Math.min(1 + (k % 1000), Math.floor(1e6 / (node.length + 1))))), node.toUpperCase(), `../${node}`, node.slice(0, node.length >> 1), [node], node + "\ud800"];
        return variants[k % variants.length]!;
    }
    if (typeof node === "boolean") return [!node, String(node), node ? 1 : 0][k % 3]!;
    if (node === null) return [0, "", {}, [], "null"][k % 5]!;
    if (Array.isArray(node)) {
        const variants: (() => Json)[] = [
            () => [...node, extra],
            () => node.slice(0, -1),
            () => [...node].reverse(),
            () => (node.length > 0 ? [node[0]!, ...node] : [extra]),
            () => [],
            () => node.concat(node),
        ];
        return variants[k % variants.length]!();
    }
    const variants: (() => Json)[] = [
        () => ({ ...node, [key]: extra }),
        () => ({}),
        () => Object.fromEntries(Object.entries(node).reverse()),
        () => Object.fromEntries(Object.entries(node).map(([name, v]) => [name, extra === null ? v : extra])),
    ];
    return variants[k % variants.length]!();
}

/** The document with `ops` applied, as JSON text (raw specials spliced in). The seed is not modified. */
export function mutateJson(seed: Json, ops: readonly JsonOp[]): string {
    const doc: Doc = { root: structuredClone(seed), raws: [] };
    for (const m of ops) {
        const { parent, key, node } = locate(doc.root, m.path);
        switch (m.op) {
            case "delete":
                if (parent === undefined || key === undefined) doc.root = null;
                else if (Array.isArray(parent)) parent.splice(key as number, 1);
                else delete (parent as Record<string, Json>)[key as string];
                break;
            case "replace":
                put(doc, parent, key, materialize(m.with, doc));
                break;
            case "tweak":
                put(doc, parent, key, tweak(node, m.k, materialize(m.with, doc), m.key));
                break;
            case "wrap":
                put(doc, parent, key, m.inArray ? [node] : { value: node });
                break;
        }
    }
    return serialize(doc);
}

function serialize(doc: Doc): string {
    const text = JSON.stringify(doc.root) ?? "null";
    if (doc.raws.length === 0) return text;
    return text.replace(/"\\u0000raw:(\d+)"/g, (_, i: string) => expandRaw(doc.raws[Number(i)] ?? "number:null"));
}
