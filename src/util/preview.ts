/**
 * A short rendering of an untrusted value (parsed JSON from a file or a server) for error messages.
 * JSON.stringify cannot be used on such values: it recurses, so a value nested ~10,000 deep (a few kilobytes of
 * "[[[[...") throws "Maximum call stack size exceeded" instead of the parser's own error naming the file, and it
 * copies megabyte-long values into the message. Small values render exactly as JSON.stringify renders them.
 */

const MAX_DEPTH = 4;

/** JSON-like text of `value`, at most about `maxChars` characters; deeper or longer parts become "…". */
export function preview(value: unknown, maxChars = 200): string {
    const budget = { left: maxChars };
    const out = render(value, 0, budget);
    return out.length > maxChars + 1 ? `${out.slice(0, maxChars)}…` : out;
}

function render(v: unknown, depth: number, budget: { left: number }): string {
    if (budget.left <= 0) return "…";
    if (typeof v !== "object" || v === null) {
        const s = typeof v === "bigint" ? `${v}n` : (JSON.stringify(v) ?? String(v));
        const cut = s.length > budget.left ? `${s.slice(0, budget.left)}…` : s;
        budget.left -= cut.length;
        return cut;
    }
    if (depth >= MAX_DEPTH) {
        budget.left -= 3;
        return Array.isArray(v) ? "[…]" : "{…}";
    }
    const parts: string[] = [];
    const entries: [string | null, unknown][] = Array.isArray(v) ? v.map((x) => [null, x]) : Object.entries(v);
    for (const [k, x] of entries) {
        if (budget.left <= 0) {
            parts.push("…");
            break;
        }
        const key = k === null ? "" : `${JSON.stringify(k.length > 100 ? `${k.slice(0, 100)}…` : k)}:`;
        budget.left -= key.length + 1;
        parts.push(key + render(x, depth + 1, budget));
    }
    return Array.isArray(v) ? `[${parts.join(",")}]` : `{${parts.join(",")}}`;
}
