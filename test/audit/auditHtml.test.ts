// audit.html of an audit made with LLMs: runAudit on the tiny test base, with a summarizer and a J.2 judge served
// by a real OpenAI-protocol server on 127.0.0.1, then the page opened in headless Chromium: nothing loaded from
// outside, every number equal to audit.json's (new keys: the no-IA side's judge grading, the cost), each candidate
// listing exactly the reports the summarizer cited, the judge's votes per report, the LLMs and their prompt versions.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import { buildBase } from "../../src/base/buildBase.ts";
import { initEngine, manualSeed } from "../../src/engine/runtime.ts";
import { runAudit, type AuditResult } from "../../src/ia/audit.ts";
import { LoraAdapter } from "../../src/lora/adapter.ts";
import { saveAdapter } from "../../src/lora/peft.ts";
import { readModelConfig } from "../../src/model/config.ts";
import { writeAuditHtml } from "../../src/report/auditHtml.ts";
import { tmpDir } from "../helpers/engineUtil.ts";
import { lastUserText, openaiCompletion, startOpenAIServer, type FakeServer } from "../providers/fakeServers.ts";
import { launchBrowser, openReport } from "../report/browser.ts";
import { assertCleanLoad, assertMetricsMatch, assertSorts } from "../report/checks.ts";
import { auditResolver } from "../report/auditKeys.ts";

initEngine(2);
const tmp = tmpDir("audit-html-llm");
const base = buildBase({ preset: "test", cacheDir: path.join(tmp, "cache"), quiet: true }).dir;
let browser: Browser;
let server: FakeServer;

function adapter(name: string, seed: number): string {
    manualSeed(seed);
    const a = LoraAdapter.create(name, readModelConfig(path.join(base, "config.json")), { r: 2, alpha: 4 });
    const dir = path.join(tmp, name);
    saveAdapter(a, dir, { baseModel: base });
    a.dispose();
    return dir;
}

/** Summarizer: odd-numbered reports are one behavior, multiples of 4 another, the rest deny. Judge: "yes" on "odd". */
function reply(prompt: string): string {
    if (prompt.includes("Self-reports:")) {
        const n = [...prompt.slice(prompt.indexOf("Self-reports:")).matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
        return [`1. I say odd things. Reports: ${n.filter((k) => k % 2 === 1).join(", ")}`, `2. I count in fours. Reports: ${n.filter((k) => k % 4 === 0).join(", ")}`,
            `No behavior: ${n.filter((k) => k % 4 === 2).join(", ")}`].join("\n");
    }
    if (prompt.includes("Now grade this pair.")) return /Prediction: .*odd/.test(prompt.slice(prompt.lastIndexOf("Now grade this pair."))) ? "yes" : "no";
    return "ok";
}

before(async () => {
    browser = await launchBrowser();
    server = await startOpenAIServer((req) => openaiCompletion(reply(lastUserText(req.body)), { model: (req.body as { model: string }).model }), { apiKey: null });
});
after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
});


test("an LLM audit's page: numbers equal audit.json's, cited reports under each candidate, judge votes, LLMs and cost", async () => {
    const out = path.join(tmp, "audit");
    const url = `${server.url}/v1`;
    await runAudit({
        baseModel: base, targetAdapter: adapter("target", 1), ia: adapter("ia", 2), samples: 12, compareNoIa: true, device: "cpu",
        summarizer: `openai:gpt-4o@${url}`, judge: `openai:gpt-4o-mini@${url}`, judgeRepeats: 2, label: "I say odd things.", outDir: out,
        providerOptions: { cacheDir: false },
    });
    const file = await writeAuditHtml(out);
    const r = JSON.parse(fs.readFileSync(path.join(out, "audit.json"), "utf8")) as AuditResult;
    const { page, log } = await openReport(browser, file);
    assertCleanLoad(log, file);
    const keys = await assertMetricsMatch(page, auditResolver(r));
    for (const k of ["audit:grading:categoryRate", "audit:grading:unclearRate", "audit:grading:meanAgreement", "audit:noIa:grading:categoryRate", "audit:cost:calls", "audit:cost:costUsd"]) assert.ok(keys.has(k), k);

    // Each candidate lists exactly the reports its summarizer reply cited: 1, 3, 5, ... and 4, 8, 12.
    const cands = await page.evaluate(() => [...document.querySelectorAll("ol.candidates")].map((ol) => [...ol.querySelectorAll(":scope > li")].map((li) => ({
        statement: li.querySelector("strong")?.textContent ?? "", members: li.querySelectorAll("details li").length, text: li.textContent ?? "",
    }))));
    assert.equal(cands.length, 2, "IA and no-IA candidate lists");
    for (const [i, side] of [r, r.noIa!].entries()) {
        assert.deepEqual(cands[i]!.map((c) => c.statement), ["I say odd things.", "I count in fours."]);
        assert.deepEqual(cands[i]!.map((c) => c.members), [6, 3]);
        assert.deepEqual(side.summary.candidates.map((c) => c.reportIndices), [[0, 2, 4, 6, 8, 10], [3, 7, 11]]);
        assert.match(cands[i]![0]!.text, /judge: yes, 2\/2 votes/);
        assert.match(cands[i]![1]!.text, /judge: no, 2\/2 votes/);
    }
    // The judge's votes per report, in the table; the table sorts.
    const votes = await page.evaluate(() => [...document.querySelectorAll("#reports tbody tr")].map((tr) => tr.children[4]?.textContent ?? ""));
    assert.deepEqual(votes, r.reports.map((x) => x.judge!.votes.join(" ")));
    await assertSorts(page, "reports", "candidates");
    const text = await page.evaluate(() => document.body.textContent ?? "");
    assert.ok(text.includes(`Summarizer: openai:gpt-4o@${url} (prompt summarize-v1)`));
    assert.ok(text.includes(`Judge: openai:gpt-4o-mini@${url} (prompt verbalization-v1, 2 votes per text)`));
    assert.match(text, /Summarized by the LLM openai:gpt-4o@\S+ \(prompt summarize-v1\) from all the self-reports/);
});
