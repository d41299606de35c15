/** Every fuzz target, in report order. */
import type { AnyTarget } from "../harness.ts";
import adapter from "./adapter.ts";
import baseCache from "./baseCache.ts";
import { behaviorSpecTarget, selfReportTarget } from "./behaviors.ts";
import { manifestTarget, reportCacheTarget, responseCacheTarget, trainCheckpointTarget } from "./caches.ts";
import chatJsonl from "./chatJsonl.ts";
import checkpoint from "./checkpoint.ts";
import modelConfig from "./modelConfig.ts";
import modelFolder from "./modelFolder.ts";
import { anthropicResponseTarget, openaiResponseTarget, providerHttpTarget } from "./providers.ts";
import safetensors from "./safetensors.ts";
import tokenizer from "./tokenizer.ts";

export const TARGETS: readonly AnyTarget[] = [
    safetensors,
    checkpoint,
    modelConfig,
    modelFolder,
    adapter,
    tokenizer,
    behaviorSpecTarget,
    selfReportTarget,
    chatJsonl,
    manifestTarget,
    reportCacheTarget,
    responseCacheTarget,
    trainCheckpointTarget,
    baseCache,
    openaiResponseTarget,
    anthropicResponseTarget,
    providerHttpTarget,
];

export function targetByName(name: string): AnyTarget {
    const t = TARGETS.find((x) => x.name === name);
    if (!t) throw new Error(`unknown fuzz target ${JSON.stringify(name)} (targets: ${TARGETS.map((x) => x.name).join(", ")})`);
    return t;
}
