// The audit.json value a data-metric key of audit.html names (src/report/auditHtml.ts documents the keys); throws on
// an unknown key. Shared by the audit page tests (tiny-world audits and LLM-graded ones).
import type { AuditResult } from "../../src/ia/audit.ts";

export function auditResolver(r: AuditResult): (key: string) => unknown {
    return (key) => {
        const [kind, ...rest] = key.split(":");
        if (kind !== "audit") throw new Error("unknown kind of key");
        if (rest[0] === "cost") return r.cost!.totals[rest[1] as "calls" | "inputTokens" | "outputTokens" | "costUsd"];
        const noIa = rest[0] === "noIa";
        const p = noIa ? rest.slice(1) : rest;
        const side = noIa ? r.noIa! : r;
        const [what, a, b] = p;
        if (what === "summary") return side.summary[a as "reports" | "denials"];
        if (what === "candidate") return side.summary.candidates.find((c) => c.rank === Number(a))![b as "support" | "reports"];
        if (what === "report") return side.reports[Number(a)]![b as "category" | "strict"];
        if (what === "grading") return (side.grading as unknown as Record<string, unknown>)[a!];
        if (what === "categoryRate" && noIa) return r.noIa!.categoryRate;
        throw new Error("unknown key");
    };
}
