/**
 * The one error type providers throw for failed HTTP calls, carrying what a user needs to act on it:
 * which provider, which URL, what status, what the server said, and how many attempts were made.
 * It never carries request headers, so API keys cannot leak into logs.
 */

/** Why a call failed: HTTP status, no connection, no answer in time, or a 2xx body we could not use. */
export type ProviderErrorKind = "http" | "network" | "timeout" | "garbage";

export interface ProviderErrorInit {
    provider: string;
    url: string;
    kind: ProviderErrorKind;
    /** What went wrong, in words. */
    detail: string;
    /** HTTP status, when a response arrived. */
    status?: number;
    /** The first characters of the response body, whitespace collapsed. */
    bodySnippet?: string;
    /** Attempts made so far, including this one. */
    attempts: number;
    cause?: unknown;
}

export class ProviderError extends Error {
    readonly provider: string;
    readonly url: string;
    readonly kind: ProviderErrorKind;
    readonly detail: string;
    readonly status: number | undefined;
    readonly bodySnippet: string | undefined;
    readonly attempts: number;

    constructor(init: ProviderErrorInit) {
        const status = init.status !== undefined ? ` HTTP ${init.status}` : "";
        const body = init.bodySnippet ? `; body: ${init.bodySnippet}` : "";
        const tries = `${init.attempts} attempt${init.attempts === 1 ? "" : "s"}`;
        super(`${init.provider}: POST ${init.url}${status}: ${init.detail}${body} (after ${tries})`, { cause: init.cause });
        this.name = "ProviderError";
        this.provider = init.provider;
        this.url = init.url;
        this.kind = init.kind;
        this.detail = init.detail;
        this.status = init.status;
        this.bodySnippet = init.bodySnippet;
        this.attempts = init.attempts;
    }
}

/** The first `max` characters of a body, whitespace collapsed, for error messages. */
export function snippet(body: string, max = 300): string {
    const flat = body.replace(/\s+/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
