/**
 * What a request asks for: a base model plus an ordered stack of adapters with scales. Named in the `model`
 * string (`base+organisms/quirk_3+ia`, `base+ia:0.5`) and/or in the extra field `adapters`
 * (`["ia:0.5"]` or `[{"name": "ia", "scale": 0.5}]`), which is appended after the adapters of the model string.
 * Only names are parsed here; where a name points is decided by AdapterRoots.
 */
import { ApiError, badRequest } from "./errors.ts";

export interface AdapterRef {
    name: string;
    scale: number;
}

export interface StackSpec {
    base: string;
    adapters: AdapterRef[];
}

/** At most this many adapters in one stack. */
export const MAX_STACK = 8;

function parseRef(text: string, param: string): AdapterRef {
    const m = /^([\s\S]*?)(?::(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?))?$/.exec(text)!;
    const name = m[1] as string;
    const scale = m[2] === undefined ? 1 : Number(m[2]);
    if (name === "") throw badRequest(`empty adapter name in ${JSON.stringify(text)}`, param, "invalid_adapter");
    if (!Number.isFinite(scale) || Math.abs(scale) > 100) throw badRequest(`adapter scale in ${JSON.stringify(text)} must be a finite number in [-100, 100]`, param, "invalid_adapter");
    return { name, scale };
}

export function parseStack(model: unknown, extra: unknown, baseId: string): StackSpec {
    if (typeof model !== "string" || model === "") throw badRequest("`model` must be a non-empty string", "model", "invalid_model");
    const [base, ...rest] = model.split("+");
    if (base !== baseId) throw new ApiError(404, `The model '${base}' does not exist; this server serves '${baseId}' (with adapters as '${baseId}+NAME[:SCALE]+...')`, "model_not_found", "model");
    const adapters = rest.map((r) => parseRef(r, "model"));
    if (extra !== undefined && extra !== null) {
        if (!Array.isArray(extra)) throw badRequest("`adapters` must be a list of \"NAME[:SCALE]\" strings or {name, scale} objects", "adapters", "invalid_adapter");
        for (const e of extra) {
            if (typeof e === "string") adapters.push(parseRef(e, "adapters"));
            else if (typeof e === "object" && e !== null && typeof (e as { name?: unknown }).name === "string") {
                const { name, scale } = e as { name: string; scale?: unknown };
                if (scale !== undefined && (typeof scale !== "number" || !Number.isFinite(scale) || Math.abs(scale) > 100)) {
                    throw badRequest(`adapter scale for '${name}' must be a finite number in [-100, 100]`, "adapters", "invalid_adapter");
                }
                adapters.push(parseRef(name, "adapters"));
                if (scale !== undefined) (adapters[adapters.length - 1] as AdapterRef).scale = scale as number;
            } else throw badRequest("`adapters` entries must be \"NAME[:SCALE]\" strings or {name, scale} objects", "adapters", "invalid_adapter");
        }
    }
    if (adapters.length > MAX_STACK) throw badRequest(`at most ${MAX_STACK} adapters per request, got ${adapters.length}`, "adapters", "too_many_adapters");
    return { base, adapters };
}

/** The canonical model string of a stack (echoed in responses). */
export function stackId(s: StackSpec): string {
    return [s.base, ...s.adapters.map((a) => (a.scale === 1 ? a.name : `${a.name}:${a.scale}`))].join("+");
}
