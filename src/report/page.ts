/**
 * The HTML skeleton of every report page: one self-contained file (inline CSS, inline SVG plots, one small inline
 * script), so a report can be mailed, archived or opened from a run folder with no network. A Content-Security-Policy
 * forbids every load that is not inline, so a stray external reference fails visibly instead of phoning home.
 */
import { html, raw, type Raw } from "./escape.ts";

export interface PageOptions {
    title: string;
    /** Shown under the title: what the page was made from. */
    subtitle?: string;
    body: Raw;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3; --head: #f3f5f7; --accent: #2457a6; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1600px; }
p, .filter { max-width: 75rem; }
h1 { font-size: 1.5rem; margin: 0 0 .2rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.subtitle, .note, caption { color: var(--muted); }
caption { text-align: left; padding: .3rem 0; caption-side: top; }
.headline { background: #eef4fc; border-left: 4px solid var(--accent); padding: .7rem 1rem; margin: 1rem 0; }
.plots { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
figure { margin: 0; } figcaption { color: var(--muted); font-size: 12px; max-width: 560px; }
svg { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1.2rem; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; cursor: pointer; user-select: none; white-space: nowrap; }
thead th:focus { outline: 2px solid var(--accent); outline-offset: -2px; }
thead th[aria-sort="ascending"]::after { content: " \\25B2"; } thead th[aria-sort="descending"]::after { content: " \\25BC"; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.ci { color: var(--muted); font-size: 12px; }
tr[hidden] { display: none; }
.filter { display: block; margin: .3rem 0; color: var(--muted); }
.filter input { font: inherit; padding: .2rem .4rem; width: 22rem; max-width: 100%; }
ol.candidates > li { margin-bottom: .8rem; }
details > summary { cursor: pointer; color: var(--accent); }
code { font-size: 12px; background: var(--head); padding: 0 .2rem; }
`;

/*
 * Sorting: a header click sorts its column ascending, a second click descending (numbers before text, missing values
 * — empty, null, "n/a", "–" — last either way). A cell sorts by its data-sort, else its first number's data-value, else its text. Filtering: a row stays
 * visible when its text contains every word typed, case-insensitively. Plain ES2017: no build step, no libraries.
 */
const SCRIPT = `
(function () {
  "use strict";
  function key(td) {
    if (!td) return "";
    if (td.hasAttribute("data-sort")) return td.getAttribute("data-sort");
    var num = td.querySelector("[data-value]");
    return num ? num.getAttribute("data-value") : td.textContent.trim();
  }
  // Numbers, then text, then missing values, whichever the direction; the direction orders within each kind.
  function kind(s) { return s === "" || s === "null" || s === "n/a" || s === "\u2013" ? 2 : isFinite(Number(s)) ? 0 : 1; }
  function compare(a, b, dir) {
    var ka = kind(a), kb = kind(b);
    if (ka !== kb) return ka - kb;
    var c = ka === 0 ? Number(a) - Number(b) : ka === 1 ? a.localeCompare(b, undefined, { numeric: true }) : 0;
    return dir === "ascending" ? c : -c;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r, s) { return compare(key(r.cells[col]), key(s.cells[col]), dir); });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        body.appendChild(frag);
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });
  document.querySelectorAll("input.table-filter").forEach(function (input) {
    var id = input.getAttribute("data-table");
    var table = document.getElementById(id);
    var shown = document.querySelector('output.shown[data-table="' + id + '"]');
    if (!table) return;
    var texts = new Map();  // row -> its lowercased text; rows never change, only their order
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var rows = Array.prototype.slice.call(table.tBodies[0].rows), visible = 0;
      rows.forEach(function (r) {
        if (!texts.has(r)) texts.set(r, r.textContent.toLowerCase());
        var text = texts.get(r);
        var hide = !words.every(function (w) { return text.indexOf(w) >= 0; });
        if (r.hidden !== hide) r.hidden = hide;
        if (!hide) visible++;
      });
      if (shown) shown.textContent = visible + " of " + rows.length + " rows";
    });
  });
})();
`;

export function htmlPage(o: PageOptions): string {
    return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<h1>${o.title}</h1>
${o.subtitle ? html`<p class="subtitle">${o.subtitle}</p>` : ""}
${o.body}
<script>${raw(SCRIPT)}</script>
</body>
</html>
`.html;
}

/** A plot with its caption. `svg` is trusted markup (rendered by vega here, or checked by inlineSvg). */
export function figure(svg: string, caption: string): Raw {
    return html`<figure>${raw(svg)}<figcaption>${caption}</figcaption></figure>`;
}
