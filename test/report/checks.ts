/**
 * Assertions shared by the report tests: a page loaded cleanly from file:// alone, its numbers equal the JSON's,
 * its tables sort and filter, and a screenshot of it was written.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import type { Page } from "puppeteer-core";
import { clickHeader, columnKeys, externalRequests, filterTable, pageMetrics, screenshot, shownMatches, type PageLog } from "./browser.ts";

export function assertCleanLoad(log: PageLog, file: string): void {
    assert.deepEqual(log.errors, [], "console errors or page errors");
    assert.deepEqual(log.failed, [], "failed requests");
    assert.deepEqual(externalRequests(log), [], "requests that leave file://");
    assert.ok(log.requests.some((u) => u.endsWith(file.split("/").pop()!)), `the page itself was requested: ${log.requests.join(", ")}`);
}

/**
 * Every data-metric element's data-value is the JSON value its key names (as JSON.stringify writes it; a missing
 * value as null) and its text shows that value. `resolve` throws on a key it does not know. Returns the keys seen.
 */
export async function assertMetricsMatch(page: Page, resolve: (key: string) => unknown): Promise<Set<string>> {
    const metrics = await pageMetrics(page);
    assert.ok(metrics.length > 0, "the page shows numbers with data-metric");
    const problems: string[] = [];
    for (const m of metrics) {
        let want: unknown;
        try {
            want = resolve(m.key);
        } catch (e) {
            problems.push(`${m.key}: ${(e as Error).message}`);
            continue;
        }
        if (m.value !== JSON.stringify(want ?? null)) problems.push(`${m.key}: page has ${m.value}, JSON has ${JSON.stringify(want)}`);
        const shown = shownMatches(want ?? null, m.unit, m.text);
        if (shown) problems.push(`${m.key}: ${shown}`);
    }
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} of ${metrics.length} numbers differ from the JSON`);
    return new Set(metrics.map((m) => m.key));
}

const MISSING = new Set(["", "null", "n/a", "\u2013"]);
const isNumber = (s: string) => !MISSING.has(s) && Number.isFinite(Number(s));
const kind = (s: string) => (MISSING.has(s) ? 2 : isNumber(s) ? 0 : 1);

/** Numbers, then text, then missing values; ascending (descending) within each — the order the page's script promises. */
function assertOrdered(keys: string[], dir: "ascending" | "descending", what: string): void {
    for (let i = 1; i < keys.length; i++) {
        const [a, b] = [keys[i - 1]!, keys[i]!];
        const c = kind(a) - kind(b) || (kind(a) === 0 ? Number(a) - Number(b) : kind(a) === 1 ? a.localeCompare(b, undefined, { numeric: true }) : 0) * (dir === "ascending" ? 1 : -1);
        assert.ok(c <= 0, `${what}: ${JSON.stringify(a)} before ${JSON.stringify(b)} (${dir})`);
    }
}

/** Clicking `header` sorts the column ascending, clicking again descending; the order really changes. */
export async function assertSorts(page: Page, tableId: string, header: string): Promise<void> {
    const col = await page.evaluate((id, h) => [...document.querySelectorAll(`#${id} thead th`)].findIndex((th) => th.textContent?.trim() === h), tableId, header);
    assert.ok(col >= 0, `#${tableId} has a header ${header}`);
    const before = await columnKeys(page, tableId, col);
    await clickHeader(page, tableId, header);
    const up = await columnKeys(page, tableId, col);
    assert.equal(await page.$eval(`#${tableId} thead th:nth-child(${col + 1})`, (th) => th.getAttribute("aria-sort")), "ascending");
    assertOrdered(up, "ascending", `#${tableId} by ${header}`);
    assert.deepEqual([...up].sort(), [...before].sort(), "sorting keeps every row");
    await clickHeader(page, tableId, header);
    const down = await columnKeys(page, tableId, col);
    assertOrdered(down, "descending", `#${tableId} by ${header}`);
    assert.notDeepEqual(up, before, `#${tableId} was already sorted by ${header}: the test shows nothing`);
    assert.notDeepEqual(down, up, "the second click reverses the order");
}

/** Typing `words` leaves visible exactly the rows containing every word (case-insensitive); clearing shows all. */
export async function assertFilters(page: Page, tableId: string, words: string): Promise<void> {
    const total = await page.evaluate((id) => document.querySelectorAll(`#${id} tbody tr`).length, tableId);
    const expected = await page.evaluate((id, w) => [...document.querySelectorAll(`#${id} tbody tr`)].filter((r) => w.toLowerCase().split(/\s+/).every((x) => (r.textContent ?? "").toLowerCase().includes(x))).length, tableId, words);
    const f = await filterTable(page, tableId, words);
    assert.ok(expected > 0 && expected < total, `the filter "${words}" should keep some of #${tableId}'s ${total} rows (keeps ${expected})`);
    assert.equal(f.visible.length, expected);
    assert.equal(f.hidden, total - expected);
    for (const row of f.visible) for (const w of words.toLowerCase().split(/\s+/)) assert.ok(row.toLowerCase().includes(w), `visible row lacks "${w}": ${row.slice(0, 80)}`);
    assert.equal(f.shown, `${expected} of ${total} rows`);
    const cleared = await filterTable(page, tableId, "");
    assert.equal(cleared.visible.length, total);
}

/** A screenshot under the OS temp dir: a PNG of more than trivial size. */
export async function assertScreenshot(page: Page, name: string): Promise<string> {
    const file = await screenshot(page, name);
    const png = fs.readFileSync(file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
    assert.ok(png.length > 20_000, `${file}: only ${png.length} bytes`);
    return file;
}

/** Element ids are unique on the page (inlined SVGs would otherwise clip each other). */
export async function assertUniqueIds(page: Page): Promise<void> {
    const ids = await page.evaluate(() => [...document.querySelectorAll("[id]")].map((e) => e.id));
    const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
    assert.deepEqual(dup, [], "duplicate ids");
}
