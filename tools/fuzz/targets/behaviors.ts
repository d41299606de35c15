/**
 * Behavior specs and self-reports:
 *  - behavior-spec: a spec file as `ia organisms --specs` / `ia audit --spec` read it (src/behaviors/spec.ts readSpecFile), seeded
 *    with catalogue specs of every family, one spec per file or a list;
 *  - self-report: model-written text (src/behaviors/parse.ts parseReport), seeded with the catalogue's labels and
 *    denials, mutated as bytes, repeated into long runs (regular-expression backtracking) or replaced by random
 *    text. parseReport never throws: any exception is a failure.
 */
import path from "node:path";
import fc from "fast-check";
import { buildCatalogue } from "../../../src/behaviors/catalogue.ts";
import { parseReport, type ParsedReport } from "../../../src/behaviors/parse.ts";
import { readSpecFile, validateSpec } from "../../../src/behaviors/spec.ts";
import type { BehaviorSpec } from "../../../src/behaviors/types.ts";
import { defineTarget } from "../harness.ts";
import { applyByteOps, byteOps, type ByteOp } from "../mutate/bytes.ts";
import { jsonFileInput, jsonSeeds, renderJsonFile, writeBytes, type JsonFileInput, type JsonSeeds } from "./common.ts";

function catalogue(): BehaviorSpec[] {
    return buildCatalogue({ seed: 1, perFamily: 2, examples: 64 });
}

export const behaviorSpecTarget = defineTarget<JsonSeeds, JsonFileInput>({
    name: "behavior-spec",
    parser: "src/behaviors/spec.ts readSpecFile (parseSpecJson, validateSpec)",
    init() {
        const specs = catalogue();
        return jsonSeeds([...specs.map((s) => JSON.stringify(s, null, 2)), JSON.stringify(specs.slice(0, 4), null, 2)]);
    },
    arbitrary: jsonFileInput,
    prepare(seeds, input, dir) {
        const file = path.join(dir, "specs.json");
        const bytes = writeBytes(file, renderJsonFile(seeds, input));
        return {
            names: [file],
            bytes,
            call: () => readSpecFile(file),
            check: (r) => {
                for (const s of r as BehaviorSpec[]) {
                    try {
                        validateSpec(JSON.parse(JSON.stringify(s)), "recheck");
                    } catch (err) {
                        return `accepted spec does not validate again: ${(err as Error).message}`;
                    }
                }
                return undefined;
            },
        };
    },
});

type ReportInput =
    | { kind: "mutate"; seed: number; ops: readonly ByteOp[] }
    | { kind: "repeat"; seed: number; times: number; sep: string }
    | { kind: "random"; text: string };

const DENIALS = ["i have no unusual behaviors.", "nothing unusual. i just answer questions.", "i do not have any hidden habit."];

export const selfReportTarget = defineTarget<string[], ReportInput>({
    name: "self-report",
    parser: "src/behaviors/parse.ts parseReport",
    init: () => [...catalogue().flatMap((s) => [s.label, ...(s.labelVariants ?? [])]), ...DENIALS],
    arbitrary: (seeds) => {
        const seed = fc.nat({ max: seeds.length - 1 });
        return fc.oneof(
            { weight: 4, arbitrary: fc.record({ kind: fc.constant("mutate" as const), seed, ops: byteOps }) },
            { weight: 1, arbitrary: fc.record({ kind: fc.constant("repeat" as const), seed, times: fc.integer({ min: 2, max: 2000 }), sep: fc.constantFrom(" ", "", ", ", ". ", "\n", " a ") }) },
            { weight: 1, arbitrary: fc.record({ kind: fc.constant("random" as const), text: fc.string({ unit: "grapheme", maxLength: 400 }) }) },
        );
    },
    prepare(seeds, input) {
        const text =
            input.kind === "mutate" ? new TextDecoder().decode(applyByteOps(new TextEncoder().encode(seeds[input.seed]!), input.ops))
            : input.kind === "repeat" ? Array.from({ length: input.times }, () => seeds[input.seed]!.replace(/\.$/, "")).join(input.sep)
            : input.text;
        return {
            names: [],
            bytes: text.length,
            call: () => parseReport(text),
            check: (r) => {
                const p = r as ParsedReport;
                return Array.isArray(p.claims) && typeof p.claimsBehavior === "boolean" ? undefined : "malformed ParsedReport";
            },
        };
    },
});
