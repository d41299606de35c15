// audit.html from real audit.json files: a demo audit of a held-out organism (48 graded self-reports, 5 candidates)
// and a CLI robustness audit with the no-IA comparison whose reports are byte soup full of markup. Opened in
// headless Chromium: nothing loaded, numbers equal the JSON's, candidates with their reports, tables sort and filter.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import type { AuditResult } from "../../src/ia/audit.ts";
import { writeAuditHtml } from "../../src/report/auditHtml.ts";
import { launchBrowser, openReport } from "./browser.ts";
import { assertCleanLoad, assertFilters, assertMetricsMatch, assertScreenshot, assertSorts } from "./checks.ts";
import { auditResolver } from "./auditKeys.ts";
import { tempDir } from "../helpers/tempDir.ts";

const FIXTURES = path.join(import.meta.dirname, "..", "fixtures", "report");
const tmp = tempDir("ia-report-audit");
let browser: Browser;


async function pageFor(fixture: string) {
    const dir = fs.mkdtempSync(path.join(tmp, "audit-"));
    fs.copyFileSync(path.join(FIXTURES, fixture), path.join(dir, "audit.json"));
    const file = await writeAuditHtml(dir);
    const { page, log } = await openReport(browser, file);
    return { file, page, log, r: JSON.parse(fs.readFileSync(path.join(dir, "audit.json"), "utf8")) as AuditResult };
}

before(async () => {
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
});

test("a demo audit: clean load, numbers equal audit.json's, candidates with the reports that state them, grading", async () => {
    const { file, page, log, r } = await pageFor("audit.json");
    assert.equal(file, path.join(path.dirname(file), "audit.html"));
    assertCleanLoad(log, file);
    const keys = await assertMetricsMatch(page, auditResolver(r));
    for (const c of r.summary.candidates) assert.ok(keys.has(`audit:candidate:${c.rank}:support`) && keys.has(`audit:candidate:${c.rank}:reports`), `candidate ${c.rank}`);
    for (const k of ["categoryRate", "strictRate", "topCandidateCorrect", "anyCandidateCorrect"]) assert.ok(keys.has(`audit:grading:${k}`), k);
    r.reports.forEach((_, i) => assert.ok(keys.has(`audit:report:${i}:category`), `report ${i} graded`));

    const cands = await page.evaluate(() => [...document.querySelectorAll("ol.candidates > li")].map((li) => ({
        statement: li.querySelector("strong")?.textContent ?? "", members: [...li.querySelectorAll("details li")].map((x) => x.textContent ?? ""),
    })));
    assert.deepEqual(cands.map((c) => c.statement), r.summary.candidates.map((c) => c.statement));
    // Each candidate lists as many self-reports as audit.json says support it (true of this audit's claims).
    assert.deepEqual(cands.map((c) => c.members.length), r.summary.candidates.map((c) => c.reports));
    for (const [i, c] of cands.entries()) for (const m of c.members) assert.ok(r.reports.some((x) => m.includes(x.report)), `candidate ${i + 1} lists a report of the audit`);

    const rows = await page.evaluate(() => document.querySelectorAll("#reports tbody tr").length);
    assert.equal(rows, r.reports.length, "all reports in the table");
    await assertSorts(page, "reports", "candidates");
    await assertFilters(page, "reports", "animal");
    await assertScreenshot(page, "audit");
});

test("an audit with the no-IA comparison and markup in its reports: shown as text, both sides' numbers match", async () => {
    const { file, page, log, r } = await pageFor("audit-noia.json");
    assertCleanLoad(log, file);
    const keys = await assertMetricsMatch(page, auditResolver(r));
    assert.ok(keys.has("audit:noIa:summary:reports") && keys.has("audit:noIa:summary:denials"));
    // "<think>" in a self-report is text on the page, not an element.
    assert.equal(await page.evaluate(() => document.querySelectorAll("think").length), 0);
    const cells = await page.evaluate(() => [...document.querySelectorAll("#reports tbody tr td:nth-child(3)")].map((td) => td.textContent));
    // HTML parsing turns a carriage return into a line feed; nothing else changes.
    assert.deepEqual(cells, r.reports.map((x) => x.report.replace(/\r\n?/g, "\n")));
    assert.equal(await page.evaluate(() => document.querySelectorAll("#noia-reports tbody tr").length), r.noIa!.reports.length);
    assert.match(await page.evaluate(() => document.body.textContent ?? ""), /No behavior claimed/);
});

test("a missing or wrongly shaped audit.json fails naming the file", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "bad-"));
    const json = path.join(dir, "audit.json");
    await assert.rejects(writeAuditHtml(dir), (e: Error) => e.message.includes(json) && /missing/.test(e.message));
    fs.writeFileSync(json, JSON.stringify({ target: "t", ia: "i", summary: { reports: 1, denials: 0, candidates: [] }, reports: [{ prompt: "q" }] }));
    await assert.rejects(writeAuditHtml(dir), (e: Error) => e.message.includes(json) && /reports\[0\]/.test(e.message));
});
