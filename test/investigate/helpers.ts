// Shared by the investigator tests: a small catalogue of behavior specs and a tool box over a simulated target.
import { buildCatalogue } from "../../src/behaviors/catalogue.ts";
import type { BehaviorSpec } from "../../src/behaviors/types.ts";
import { Budget } from "../../src/investigate/budget.ts";
import { InvestigationLog } from "../../src/investigate/callLog.ts";
import { SimulatedTarget, type SimulatedTargetOptions } from "../../src/investigate/simulatedTarget.ts";
import { ToolBox } from "../../src/investigate/tools.ts";
import { TOOL_SETS, type ToolName } from "../../src/investigate/types.ts";

export const SPECS: BehaviorSpec[] = buildCatalogue({
    seed: 1, heldOutFraction: 0.15, examples: 8,
    perFamily: { quirk: 2, rare: 2, backdoor: 2, sandbagging: 2, heuristic: 2, benign: 1, harmful: 1, problematic: 2, null: 1, decoy: 1 },
});

export function specOf(family: string, i = 0): BehaviorSpec {
    const s = SPECS.filter((x) => x.family === family)[i];
    if (!s) throw new Error(`no ${family} spec`);
    return s;
}

export function simBox(spec: BehaviorSpec, o: { tools?: readonly ToolName[]; samples?: number; seed?: number; outDir?: string | null; sim?: SimulatedTargetOptions } = {}): ToolBox {
    return new ToolBox({
        responder: new SimulatedTarget(spec, o.sim),
        granted: o.tools ?? TOOL_SETS["ia+compare"]!,
        budget: new Budget({ samples: o.samples ?? 256 }),
        log: new InvestigationLog(o.outDir ?? null, spec.id),
        seed: o.seed ?? 1,
    });
}
