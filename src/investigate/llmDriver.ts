/** Placeholder replaced below. */
import type { Prediction } from "./predictions.ts";
import type { ToolBox } from "./tools.ts";
export interface LlmDriverOptions { spec: string; workspace?: string | null }
export async function runLlmInvestigator(_tools: ToolBox, o: LlmDriverOptions): Promise<Prediction[]> {
    throw new Error(`driver ${o.spec}: not implemented yet`);
}
