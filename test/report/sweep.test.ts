// sweep.html from sweep.json fixtures (a family sweep with 3 seeds, one missing figure, and a base-size sweep): the
// sweep's own sweep.svg is inlined when it is a plain SVG, else the curve is drawn from sweep.json; opened in headless
// Chromium: nothing loaded, every figure equals the JSON's, the table sorts and filters.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import { curveSvg } from "../../src/plots/curve.ts";
import { writeSweepHtml } from "../../src/report/sweepHtml.ts";
import type { SweepFile } from "../../src/report/readReport.ts";
import { launchBrowser, openReport } from "./browser.ts";
import { assertCleanLoad, assertFilters, assertMetricsMatch, assertScreenshot, assertSorts, assertUniqueIds } from "./checks.ts";
import { tempDir } from "../helpers/tempDir.ts";

const FIXTURES = path.join(import.meta.dirname, "..", "fixtures", "report");
const tmp = tempDir("ia-report-sweep");
let browser: Browser;

/** The sweep.json value a data-metric key names (sweepHtml.ts documents the keys); throws on an unknown key. */
function resolver(s: SweepFile): (key: string) => unknown {
    return (key) => {
        const [kind, index, what, a, b] = key.split(":");
        const p = s.points[Number(index)];
        if (kind !== "point" || !p) throw new Error("unknown key");
        if (what === "x" || what === "sftOrganisms") return p[what];
        if (what === "base") return p.base![a as keyof NonNullable<typeof p.base>];
        if (what === "figure") {
            if (!(a! in p.figures)) throw new Error(`no figure ${a}`);
            return p.figures[a!]?.[b as "mean" | "half" | "seeds" | "reports"] ?? null;
        }
        throw new Error("unknown key");
    };
}

function sweepDir(fixture: string): { dir: string; s: SweepFile } {
    const dir = fs.mkdtempSync(path.join(tmp, "sweep-"));
    fs.copyFileSync(path.join(FIXTURES, fixture), path.join(dir, "sweep.json"));
    return { dir, s: JSON.parse(fs.readFileSync(path.join(dir, "sweep.json"), "utf8")) as SweepFile };
}

before(async () => {
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
});

test("a family sweep with its sweep.svg: the curve inlined, every figure equals sweep.json's, the table sorts and filters", async () => {
    const { dir, s } = sweepDir("sweep-families.json");
    // The sweep writes its curve beside sweep.json; ids clash with nothing once inlined.
    const svg = await curveSvg({ title: "Held-out family (heuristic) vs families in IA training", xTitle: "behavior families in IA training", yTitle: "verbalization", points: [{ series: "IA (SFT only)", x: 1, y: 0.1, lo: 0, hi: 0.2 }, { series: "IA (SFT only)", x: 7, y: 0.3, lo: 0.2, hi: 0.4 }] });
    fs.writeFileSync(path.join(dir, "sweep.svg"), svg);
    const file = await writeSweepHtml(dir);
    assert.equal(file, path.join(dir, "sweep.html"));
    const { page, log } = await openReport(browser, file);
    assertCleanLoad(log, file);
    const keys = await assertMetricsMatch(page, resolver(s));
    s.points.forEach((p, i) => {
        for (const [k, f] of Object.entries(p.figures)) assert.ok(keys.has(`point:${i}:figure:${k}:mean`) || f === null, `point ${i} ${k}`);
    });
    assert.match(await page.$eval("figcaption", (e) => e.textContent ?? ""), /sweep\.svg/);
    assert.equal(await page.evaluate(() => document.querySelectorAll("figure svg").length), 1);
    await assertUniqueIds(page);
    assert.equal(await page.evaluate(() => document.querySelectorAll("#points tbody tr").length), s.points.length);
    await assertSorts(page, "points", "IA (SFT+DPO): test category");
    await assertFilters(page, "points", "sandbagging");
    await assertScreenshot(page, "sweep");
});

test("a base sweep without sweep.svg: the curve drawn from sweep.json, base columns shown", async () => {
    const { dir, s } = sweepDir("sweep-base.json");
    const file = await writeSweepHtml(dir);
    const { page, log } = await openReport(browser, file);
    assertCleanLoad(log, file);
    const keys = await assertMetricsMatch(page, resolver(s));
    for (const f of ["parameters", "accuracy", "verified", "trained"]) assert.ok(keys.has(`point:0:base:${f}`), f);
    const plot = await page.evaluate(() => ({ lines: document.querySelectorAll("figure svg g.mark-line path").length, caption: document.querySelector("figcaption")?.textContent ?? "" }));
    assert.equal(plot.lines, 3, "one line per condition");
    assert.match(plot.caption, /drawn from sweep\.json/);
});

test("a sweep.svg that could load or run something is not inlined", async () => {
    const { dir } = sweepDir("sweep-base.json");
    fs.writeFileSync(path.join(dir, "sweep.svg"), '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.org/x.png"/></svg>');
    const html = fs.readFileSync(await writeSweepHtml(dir), "utf8");
    assert.ok(!html.includes("example.org"));
    assert.match(html, /is not a plain SVG and was not inlined/);
});

test("a malformed sweep.json fails naming the file", async () => {
    const { dir } = sweepDir("sweep-base.json");
    const json = path.join(dir, "sweep.json");
    fs.writeFileSync(json, JSON.stringify({ sweep: "seeds", points: [] }));
    await assert.rejects(writeSweepHtml(dir), (e: Error) => e.message.includes(json) && /"sweep" should be/.test(e.message));
});
