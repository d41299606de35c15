/**
 * Tables that the page's script (page.ts) makes sortable by clicking a header and filterable by a text box. A cell
 * may carry a sort key; without one the script sorts by the cell's first number's `data-value`, then by its text.
 */
import { html, raw, Raw } from "./escape.ts";

export interface Cell {
    content: Raw | string | number;
    /** Sort key when neither the first number nor the text sorts right (e.g. a seed "10" after "9"). */
    sort?: string | number;
    /** Right-align (numbers). Default: true for numbers and cells holding data-metric spans. */
    numeric?: boolean;
}

export interface TableOptions {
    /** Unique on the page: the filter box refers to the table by it. */
    id: string;
    caption?: string;
    headers: string[];
    rows: (Cell | Raw | string | number)[][];
    /** A filter box above the table. Default true. */
    filter?: boolean;
}

function cell(c: Cell | Raw | string | number): Raw {
    const x: Cell = c instanceof Raw || typeof c !== "object" ? { content: c } : c;
    const isNumeric = x.numeric ?? (typeof x.content === "number" || (typeof x.content === "object" && x.content.html.startsWith("<span data-metric=")));
    const sort = x.sort === undefined ? "" : html` data-sort="${String(x.sort)}"`;
    return html`<td${sort}${isNumeric ? raw(' class="n"') : ""}>${x.content}</td>`;
}

export function sortableTable(o: TableOptions): Raw {
    const filter = o.filter ?? true;
    return html`<div class="table-wrap">${filter
        ? html`<label class="filter">Filter <input type="search" class="table-filter" data-table="${o.id}" placeholder="words that every shown row contains" autocomplete="off"> <output class="shown" data-table="${o.id}">${o.rows.length} of ${o.rows.length} rows</output></label>`
        : ""}
<table class="sortable" id="${o.id}">${o.caption ? html`<caption>${o.caption}</caption>` : ""}
<thead><tr>${o.headers.map((h) => html`<th scope="col" tabindex="0" title="sort by ${h}">${h}</th>`)}</tr></thead>
<tbody>
${o.rows.map((r) => html`<tr>${r.map(cell)}</tr>\n`)}</tbody>
</table></div>`;
}
