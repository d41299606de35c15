/** Small checks shared by the providers: reading untrusted JSON from servers (each failure names the field) and base URLs. */

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function requireNumber(v: unknown, field: string): number {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`\`${field}\` is not a non-negative number`);
    return v;
}

/** Validates a base URL and strips trailing slashes so `${base}/path` never doubles them. */
export function normalizeBaseUrl(url: string, who: string): string {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new Error(`${who}: base URL ${JSON.stringify(url)} is not a valid URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw new Error(`${who}: base URL ${JSON.stringify(url)} must be http or https`);
    }
    return url.replace(/\/+$/, "");
}
