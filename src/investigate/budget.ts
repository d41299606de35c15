/**
 * The investigation budget: model replies (samples) the tools may generate — target, base and IA replies alike,
 * so tool sets compare at equal cost — and, for LLM drivers, tokens the investigator itself may generate.
 * A budget of zero is an error, not an empty investigation.
 */
import { ToolError } from "./types.ts";

export interface BudgetLimits {
    /** Model replies the tools may generate in all. */
    samples: number;
    /** Tokens an LLM investigator may generate (its own turns, not tool outputs). Default: unlimited. */
    agentTokens?: number;
}

export function checkBudgetLimits(b: BudgetLimits): void {
    if (!Number.isInteger(b.samples) || b.samples <= 0) {
        throw new Error(`investigation budget: samples must be a positive integer (got ${b.samples}); a budget of zero leaves nothing to investigate with`);
    }
    if (b.agentTokens !== undefined && (!Number.isInteger(b.agentTokens) || b.agentTokens <= 0)) {
        throw new Error(`investigation budget: agent tokens must be a positive integer (got ${b.agentTokens}); a budget of zero leaves the investigator no turn`);
    }
}

export class Budget {
    private usedSamples = 0;
    private usedAgentTokens = 0;

    constructor(readonly limits: BudgetLimits) {
        checkBudgetLimits(limits);
    }

    get samplesLeft(): number {
        return this.limits.samples - this.usedSamples;
    }

    get samplesUsed(): number {
        return this.usedSamples;
    }

    get agentTokensUsed(): number {
        return this.usedAgentTokens;
    }

    get agentTokensLeft(): number {
        return this.limits.agentTokens === undefined ? Infinity : this.limits.agentTokens - this.usedAgentTokens;
    }

    /** Throws a ToolError when `n` more samples do not fit; otherwise charges them. */
    charge(n: number, what: string): void {
        if (n > this.samplesLeft) {
            throw new ToolError(`budget exhausted: ${what} needs ${n} model replies but only ${this.samplesLeft} of ${this.limits.samples} are left`, "budget");
        }
        this.usedSamples += n;
    }

    chargeAgentTokens(n: number): void {
        this.usedAgentTokens += n;
    }
}
