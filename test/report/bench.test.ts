// bench.html from a real bench.json (the demo preset's wider run, 3 IA seeds; examples trimmed): opened in headless
// Chromium, it loads nothing from anywhere, every number on it equals bench.json's, its plots are there, its tables
// sort and filter, and a screenshot of it is written.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import type { BenchReport, GroupName } from "../../src/ia/benchmark.ts";
import { writeBenchHtml } from "../../src/report/benchHtml.ts";
import { launchBrowser, openReport, type PageLog } from "./browser.ts";
import { assertCleanLoad, assertFilters, assertMetricsMatch, assertScreenshot, assertSorts, assertUniqueIds } from "./checks.ts";
import { tempDir } from "../helpers/tempDir.ts";

const FIXTURE = path.join(import.meta.dirname, "..", "fixtures", "report", "bench.json");
const fixture = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as BenchReport;
const report = fixture;
const dir = tempDir("ia-report-bench");
let browser: Browser;
let page: Page;
let log: PageLog;
let file: string;

/** The bench.json value a data-metric key names (benchHtml.ts documents the keys); throws on an unknown key. */
function resolve(key: string, report = fixture): unknown {
    const [kind, ...p] = key.split(":");
    const get = (x: unknown, k: string) => {
        if (typeof x !== "object" || x === null || !(k in x)) throw new Error(`no ${k}`);
        return (x as Record<string, unknown>)[k];
    };
    switch (kind) {
        case "summary": {
            const [cond, group, scope, metric, field = "mean"] = p;
            const s = report.summary.find((x) => x.condition === cond && x.group === group && x.scope === scope && x.metric === metric);
            if (!s || p.length > 5) throw new Error("no such summary figure");
            return get(s, field);
        }
        case "result": {
            const [seed, cond, group, scope, fam, metric, field] = p as [string, string, string, string, string, string, string?];
            const res = (get(get(get(report.results, seed), cond), group) as { scope: string }[]).find((x) => x.scope === scope);
            const agg = fam === "*" ? get(res, "overall") : get(get(res, "byFamily"), fam);
            if (field === undefined) return get(agg, metric);
            const rate = get(agg, metric);
            return field === "lo" ? (get(rate, "ci95") as number[])[0] : field === "hi" ? (get(rate, "ci95") as number[])[1] : get(rate, field);
        }
        case "prior": return get(report.prior, p[0]!);
        case "population": return get(report.population.find((x) => x.family === p[0]), p[1]!);
        case "groupSizes": return get(report.groupSizes, p[0]!);
        case "base": return get(report.base, p[0]!);
        case "temperature": return report.temperature;
        default: throw new Error("unknown kind of key");
    }
}

before(async () => {
    fs.copyFileSync(FIXTURE, path.join(dir, "bench.json"));
    file = await writeBenchHtml(dir);
    browser = await launchBrowser();
    ({ page, log } = await openReport(browser, file));
});

after(async () => {
    await browser?.close();
});

test("writeBenchHtml writes bench.html beside bench.json and returns its path", () => {
    assert.equal(file, path.join(dir, "bench.html"));
    assert.ok(fs.statSync(file).size > 10_000);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["bench.html", "bench.json"], "no temp file left behind");
});

test("the page loads in Chromium with no console errors, no failed requests and nothing outside file://", () => {
    assertCleanLoad(log, file);
    assert.equal(log.requests.length, 1, `only the page itself: ${log.requests.join(", ")}`);
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!/(?:src|href)\s*=\s*"(?!#)/i.test(text), "no src or href attributes pointing anywhere");
    assert.ok(!/@import|url\((?!#)/.test(text), "no CSS loads");
});

test("every number on the page equals bench.json's, and every summary figure and result cell is shown", async () => {
    const keys = await assertMetricsMatch(page, resolve);
    for (const s of report.summary) assert.ok(keys.has(`summary:${s.condition}:${s.group}:${s.scope}:${s.metric}`), `summary figure ${s.condition} ${s.group} ${s.scope} ${s.metric}`);
    let cells = 0;
    for (const [seed, conds] of Object.entries(report.results)) {
        for (const [cond, groups] of Object.entries(conds)) {
            for (const [g, list] of Object.entries(groups ?? {})) {
                for (const res of list ?? []) {
                    for (const fam of ["*", ...Object.keys(res.byFamily)]) {
                        for (const m of ["category", "strict", "coverage", "claims"]) {
                            assert.ok(keys.has(`result:${seed}:${cond}:${g}:${res.scope}:${fam}:${m}:rate`), `result ${seed} ${cond} ${g} ${res.scope} ${fam} ${m}`);
                            cells++;
                        }
                    }
                }
            }
        }
    }
    assert.ok(cells > 500, `${cells} result cells`);
});

test("the headline states the chosen IA, its test figures ± over seeds, no IA, the prior and false claims", async () => {
    assert.equal(report.chosen, "ia-sft");
    const headline = await page.$eval(".headline", (e) => ({ text: e.textContent ?? "", keys: [...e.querySelectorAll("[data-metric]")].map((x) => x.getAttribute("data-metric")) }));
    assert.match(headline.text, /IA \(SFT only\), chosen on the validation group/);
    for (const k of ["summary:ia-sft:test:generic:category", "summary:ia-sft:test:generic:category:half", "summary:ia-sft:test:generic:strict", "summary:no-ia:test:generic:category",
        "summary:no-ia:test:generic:strict", "prior:category", "prior:strict", "summary:ia-sft:negatives:generic:claims", "summary:ia-dpo:validation:generic:category"]) {
        assert.ok(headline.keys.includes(k), `headline shows ${k}`);
    }
    assert.match(headline.text, /mean over 3 seeds/);
});

test("the plots are inline SVG: verbalization, per family, coverage and false claims, with one bar per figure", async () => {
    const plots = await page.evaluate(() => [...document.querySelectorAll("figure")].map((f) => ({
        // Facet panels have titles of their own ("category"); the chart's title comes last.
        title: [...f.querySelectorAll("svg .role-title-text")].pop()?.textContent ?? "",
        bars: f.querySelectorAll("svg g.mark-rect path").length,
        rules: f.querySelectorAll("svg g.mark-rule line").length,
        caption: f.querySelector("figcaption")?.textContent ?? "",
    })));
    assert.deepEqual(plots.map((p) => p.title), [
        "Verbalization: does the report name the behavior?", "Per family, test organisms (IA (SFT only))",
        "Coverage: organisms with at least one correct report", "False claims: reports claiming a behavior that is not there",
    ]);
    const finite = (group: string[], metrics: string[]) => report.summary.filter((s) => s.scope === "generic" && group.includes(s.group) && metrics.includes(s.metric) && Number.isFinite(s.mean)).length;
    const verbal = ["validation", "test", "heldoutValues", "heldoutFamily"];
    // Bars: the summary figures of each plot (per family: one per seed, family and metric with reports).
    assert.equal(plots[0]!.bars, finite(verbal, ["category", "strict"]));
    assert.equal(plots[2]!.bars, finite(verbal, ["coverage"]));
    assert.equal(plots[3]!.bars, finite(["negatives", "base"], ["claims"]));
    const famBars = Object.values(report.results).flatMap((r) => Object.values(r["ia-sft"]?.test?.find((x) => x.scope === "generic")?.byFamily ?? {})).flatMap((a) => [a.category, a.strict]).filter((x) => Number.isFinite(x.rate)).length;
    assert.equal(plots[1]!.bars, famBars);
    for (const p of plots) assert.ok(p.rules > 0 && p.caption.includes("95%"), `${p.title}: intervals drawn and named`);
    await assertUniqueIds(page);
});

test("the results table sorts by a clicked header and filters by typed words", async () => {
    await assertSorts(page, "results", "category");
    await assertFilters(page, "results", "quirk sft");
    // A text column, on the smaller summary table (sorting the big one re-lays out hundreds of rows each time).
    await assertSorts(page, "summary", "metric");
    await assertFilters(page, "summary", "claims");
});

test("a screenshot of the page is written under the OS temp dir", async () => {
    const shot = await assertScreenshot(page, "bench");
    assert.ok(shot.startsWith(os.tmpdir()));
});

test("a one-seed report with no chosen IA: Wilson intervals, no ± and a headline that says no IA was chosen", async () => {
    // The fixture cut to its first seed, the summary recomputed from that seed alone (one seed: half-width 0).
    const one: BenchReport = structuredClone(fixture);
    one.results = { "1": fixture.results["1"]! };
    one.chosen = null;
    one.summary = one.summary.filter((x) => x.group !== "heldout").map((x) => {
        const res = one.results["1"]![x.condition]![x.group as GroupName]!.find((g) => g.scope === x.scope)!;
        return { ...x, mean: res.overall[x.metric as "category"].rate, half: 0, seeds: 1, reports: res.overall.reports };
    });
    const d = tempDir("ia-report-one");
    fs.writeFileSync(path.join(d, "bench.json"), JSON.stringify(one));
    const f = await writeBenchHtml(d);
    const opened = await openReport(browser, f);
    assertCleanLoad(opened.log, f);
    await assertMetricsMatch(opened.page, (k) => resolve(k, JSON.parse(fs.readFileSync(path.join(d, "bench.json"), "utf8")) as BenchReport));
    const text = await opened.page.evaluate(() => ({ headline: document.querySelector(".headline")?.textContent ?? "", captions: [...document.querySelectorAll("figcaption")].map((c) => c.textContent ?? "") }));
    assert.match(text.headline, /No IA chosen/);
    assert.ok(!text.headline.includes("±"));
    assert.ok(text.captions.every((c) => c.includes("Wilson")), text.captions.join("\n"));
    await opened.page.close();
});

test("a missing, unparsable or wrongly shaped bench.json fails naming the file", async () => {
    const bad = tempDir("ia-report-bad");
    const json = path.join(bad, "bench.json");
    await assert.rejects(writeBenchHtml(bad), (e: Error) => e.message.includes(json) && /missing/.test(e.message));
    fs.writeFileSync(json, "{\"preset\": ");
    await assert.rejects(writeBenchHtml(bad), (e: Error) => e.message.includes(json) && /unreadable/.test(e.message));
    fs.writeFileSync(json, JSON.stringify({ ...report, summary: "none" }));
    await assert.rejects(writeBenchHtml(bad), (e: Error) => e.message.includes(json) && /"summary" should be an array/.test(e.message));
    assert.ok(!fs.existsSync(path.join(bad, "bench.html")), "no page for a bad report");
});
