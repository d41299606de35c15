// The report pages' building blocks, without a browser: escaping, the data-metric numbers, SVG id scoping and the
// refusal to inline an SVG that could load or run anything, and the page skeleton's self-containment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeHtml, html, raw } from "../../src/report/escape.ts";
import { formatValue, metric } from "../../src/report/metric.ts";
import { htmlPage } from "../../src/report/page.ts";
import { inlineSvg, scopeSvgIds } from "../../src/report/svg.ts";
import { sortableTable } from "../../src/report/table.ts";

test("escaping: text and attributes, interpolations escaped unless built as markup", () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const label = "<script>alert(1)</script>";
    assert.equal(html`<td title="${label}">${label}${raw("<br>")}${null}${undefined}${false}${[1, "<", 2]}</td>`.html,
        "<td title=\"&lt;script&gt;alert(1)&lt;/script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;<br>1&lt;2</td>");
});

test("metric: data-value is the JSON text of the value, the shown text its rounding; missing values are n/a and null", () => {
    assert.equal(metric("k:a", 0.14583333333333334, "pct").html, '<span data-metric="k:a" data-value="0.14583333333333334" data-unit="pct">14.6%</span>');
    assert.equal(formatValue(0.0119527, "pct", { suffix: "" }), "1.2");
    assert.equal(formatValue(1051392, "millions"), "1.05M");
    assert.equal(formatValue(48, "count"), "48");
    assert.equal(formatValue(0.7, "raw"), "0.7");
    assert.equal(formatValue(true, "bool"), "yes");
    // NaN is written to JSON as null: both show n/a and record null.
    assert.match(metric("k", null, "pct").html, /data-value="null"[^>]*>n\/a</);
    assert.match(metric("k", undefined, "count").html, /data-value="null"[^>]*>n\/a</);
    assert.match(metric("k", NaN, "pct").html, /data-value="null"[^>]*>n\/a</);
});

test("scopeSvgIds prefixes ids and every reference to them", () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use href="#clip1" xlink:href="#clip1"/></g></svg>';
    assert.equal(scopeSvgIds(svg, "p"), '<svg><defs><clipPath id="p-clip1"><rect/></clipPath></defs><g clip-path="url(#p-clip1)"><use href="#p-clip1" xlink:href="#p-clip1"/></g></svg>');
});

test("inlineSvg takes a plain SVG file and refuses scripts, handlers, foreign content and outside references", () => {
    const plain = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><g id="a"/></svg>';
    assert.equal(inlineSvg(plain, "s"), '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><g id="s-a"/></svg>');
    for (const bad of [
        '<svg><script>alert(1)</script></svg>', '<svg><rect onclick="x()"/></svg>', '<svg><foreignObject/></svg>', '<svg><image href="a.png"/></svg>',
        '<svg><use href="other.svg#a"/></svg>', '<svg><rect style="fill: url(https://x.org/p)"/></svg>', '<svg><style>@import "x.css";</style></svg>',
        '<html><svg></svg></html>', '<svg>', "",
    ]) assert.equal(inlineSvg(bad, "s"), null, bad);
});

test("htmlPage: one self-contained document with a policy that forbids every non-inline load", () => {
    const page = htmlPage({ title: "T <1>", body: sortableTable({ id: "t", headers: ["a"], rows: [[1], [{ content: "x", sort: 2 }]] }) });
    assert.match(page, /^<!DOCTYPE html>/);
    assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
    assert.match(page, /<title>T &lt;1&gt;<\/title>/);
    assert.match(page, /<table class="sortable" id="t">/);
    assert.match(page, /<td class="n">1<\/td>/);
    assert.match(page, /<td data-sort="2">x<\/td>/);
    assert.match(page, /<input type="search" class="table-filter" data-table="t"/);
    assert.ok(!/(?:src|href)\s*=\s*"(?!#)|@import|https?:\/\//.test(page), "nothing to load");
});
