/** Every fuzz target, in report order. */
import type { AnyTarget } from "../harness.ts";
import safetensors from "./safetensors.ts";

export const TARGETS: readonly AnyTarget[] = [safetensors];

export function targetByName(name: string): AnyTarget {
    const t = TARGETS.find((x) => x.name === name);
    if (!t) throw new Error(`unknown fuzz target ${JSON.stringify(name)} (targets: ${TARGETS.map((x) => x.name).join(", ")})`);
    return t;
}
