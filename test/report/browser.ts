/**
 * Headless Chromium for the report tests: the system's Debian `chromium` (scripts/setup.sh installs it) driven over
 * CDP by puppeteer-core; no browser is downloaded. A page is opened from file:// while every console message, page
 * error, request and failed request is recorded, so a test can assert that a report loads nothing from anywhere.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** Overridable for machines whose Chromium lives elsewhere. */
export const CHROMIUM = process.env.IA_CHROMIUM ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM}: no Chromium there; run scripts/setup.sh (Debian package chromium) or set IA_CHROMIUM`);
    return puppeteer.launch({
        executablePath: CHROMIUM,
        // headless: true is Chromium's new headless mode (--headless=new). No sandbox: the tests run as root in CI.
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"],
        timeout: 30_000,
    });
}

export interface PageLog {
    /** Console messages of type error or warning, and uncaught page errors. */
    errors: string[];
    /** Every URL the page requested (the page itself included). */
    requests: string[];
    /** Requests that failed, with the reason. */
    failed: string[];
}

export async function openReport(browser: Browser, file: string): Promise<{ page: Page; log: PageLog }> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const log: PageLog = { errors: [], requests: [], failed: [] };
    page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") log.errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => log.errors.push(`pageerror: ${(e as Error).message ?? String(e)}`));
    page.on("request", (r) => log.requests.push(r.url()));
    page.on("requestfailed", (r) => log.failed.push(`${r.url()}: ${r.failure()?.errorText ?? "failed"}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load", timeout: 30_000 });
    return { page, log };
}

/** Asserts-friendly summary: requests that are not the file itself or another file:// URL. */
export function externalRequests(log: PageLog): string[] {
    return log.requests.filter((u) => !u.startsWith("file://"));
}

/** A screenshot of the page's top under the OS temp dir, one fixed folder (a rerun overwrites, nothing piles up); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
    const dir = path.join(os.tmpdir(), "ia-report-screenshots");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: false });
    return file;
}

/** Every data-metric element: key, recorded value, unit and shown text. */
export async function pageMetrics(page: Page): Promise<{ key: string; value: string; unit: string; text: string }[]> {
    // One evaluate, not $$eval: puppeteer's $$eval hands elements over one by one (seconds for thousands).
    return page.evaluate(() => [...document.querySelectorAll("[data-metric]")].map((e) => ({
        key: e.getAttribute("data-metric") ?? "", value: e.getAttribute("data-value") ?? "", unit: e.getAttribute("data-unit") ?? "", text: (e.textContent ?? "").trim(),
    })));
}

/**
 * Checks that `text` shows `value` in `unit` (metric.ts): pct to one decimal of a percent, millions to two decimals,
 * counts exactly, booleans as yes/no, missing values (JSON null) as n/a. Returns a complaint or null.
 */
export function shownMatches(value: unknown, unit: string, text: string): string | null {
    if (unit === "bool") return (value === true && text === "yes") || (value === false && text === "no") ? null : `shows ${text} for ${String(value)}`;
    if (typeof value !== "number") return text === "n/a" ? null : `shows ${text} for missing value`;
    const m = /^-?\d+(?:\.\d+)?/.exec(text);
    if (!m) return `shows no number (${text})`;
    const shown = Number(m[0]);
    const ok = unit === "pct" ? Math.abs(shown / 100 - value) <= 0.0005 + 1e-12
        : unit === "millions" ? Math.abs(shown * 1e6 - value) <= 0.005e6 + 1e-6
        : unit === "count" ? shown === value && Number.isInteger(value)
        : unit === "raw" ? m[0] === JSON.stringify(value) || shown === value : false;
    return ok ? null : `shows ${text} (${unit}) for ${value}`;
}

/** The cells' sort keys of column `col` of visible rows, as the page's script reads them. */
export async function columnKeys(page: Page, tableId: string, col: number): Promise<string[]> {
    return page.evaluate((id, c) => [...document.querySelectorAll<HTMLTableRowElement>(`#${id} tbody tr:not([hidden])`)].map((r) => {
        const td = r.cells[c];
        if (!td) return "";
        if (td.hasAttribute("data-sort")) return td.getAttribute("data-sort") ?? "";
        const num = td.querySelector("[data-value]");
        return num ? num.getAttribute("data-value") ?? "" : (td.textContent ?? "").trim();
    }), tableId, col);
}

/** Clicks the header `name` of a table. */
export async function clickHeader(page: Page, tableId: string, name: string): Promise<void> {
    const heads = await page.$$(`#${tableId} thead th`);
    for (const h of heads) {
        if ((await h.evaluate((e) => e.textContent?.trim())) === name) {
            await h.click();
            return;
        }
    }
    throw new Error(`table #${tableId} has no header "${name}"`);
}

/** Types into a table's filter box (replacing what was there) and returns the visible rows' text. */
export async function filterTable(page: Page, tableId: string, text: string): Promise<{ visible: string[]; hidden: number; shown: string }> {
    const input = `input.table-filter[data-table="${tableId}"]`;
    await page.$eval(input, (e) => { (e as HTMLInputElement).value = ""; });
    await page.type(input, text);
    // An empty query fires no keystroke: tell the script the box changed.
    if (text === "") await page.$eval(input, (e) => e.dispatchEvent(new Event("input")));
    return page.evaluate((id) => {
        const rows = [...document.querySelectorAll<HTMLTableRowElement>(`#${id} tbody tr`)];
        return {
            visible: rows.filter((r) => !r.hidden).map((r) => r.textContent ?? ""),
            hidden: rows.filter((r) => r.hidden).length,
            shown: document.querySelector(`output.shown[data-table="${id}"]`)?.textContent ?? "",
        };
    }, tableId);
}
