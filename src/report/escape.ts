/**
 * HTML escaping for text and attribute values. Every string a report page shows comes from a JSON file that a
 * model's self-reports flow into, so nothing is ever inserted unescaped.
 */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or a double- or single-quoted attribute value. */
export function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A tagged template that escapes every interpolated value except `Raw` ones (markup built by this module). */
export class Raw {
    constructor(readonly html: string) {}
    toString(): string {
        return this.html;
    }
}

export function raw(html: string): Raw {
    return new Raw(html);
}

type Part = string | number | boolean | null | undefined | Raw | readonly Part[];

function render(p: Part): string {
    if (p instanceof Raw) return p.html;
    if (Array.isArray(p)) return (p as readonly Part[]).map(render).join("");
    if (p === null || p === undefined || p === false) return "";
    return escapeHtml(String(p));
}

/** `html\`<td>${text}</td>\`` — interpolations are escaped; arrays are joined; null/undefined/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Raw {
    let out = strings[0] ?? "";
    values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? "")));
    return new Raw(out);
}
