import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CarrierHealthSnapshot } from "../../src/manager/carrier-health.js";
import { startHarness, type Harness } from "../support/harness.js";

const CHROMIUM = "/usr/bin/chromium";
const CARRIERS = ["twilio", "bandwidth", "telnyx", "vonage", "plivo"];
/**
 * Where the screenshot goes: test-results/ (ignored by git) on every run; the README's picture in docs/ only when
 * asked for (UPDATE_SCREENSHOTS=1 npx vitest run test/server/status-page-browser.test.ts), so a test run never
 * changes the working tree.
 */
const SCREENSHOT = fileURLToPath(new URL(process.env["UPDATE_SCREENSHOTS"] === "1" ? "../../docs/status-page.png" : "../../test-results/status-page.png", import.meta.url));

describe.skipIf(!existsSync(CHROMIUM))("status page in a browser (needs chromium)", () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    harness = await startHarness({
      // A small breaker window: two failed calls open telnyx's breaker (unhealthy).
      PROVIDER_BREAKER_WINDOW: "4",
      PROVIDER_BREAKER_MIN_CALLS: "2",
      PROVIDER_BREAKER_FAILURE_RATE: "50",
      PROVIDER_MAX_RETRIES: "0",
    });
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--headless=new"] });
    page = await browser.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it("loads, shows all five carriers, and shows a carrier turning unhealthy within a second", async () => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => {
      // A CSP violation would show here (an inline script or style the policy does not allow).
      if (message.type() === "error" && !(message.location().url ?? "").endsWith("/favicon.ico")) errors.push(`${message.text()} ${message.location().url ?? ""}`);
    });
    await page.setViewport({ width: 1280, height: 900 });
    // Some traffic first, so the charts have something to draw.
    for (let index = 0; index < 5; index += 1) await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", limit: 5 });
    await page.goto(`${harness.app.http.publicUrl}/`, { waitUntil: "domcontentloaded" });
    // Page-side conditions are strings: this project's TypeScript has no DOM library.
    await page.waitForFunction(`document.querySelectorAll("[data-carrier]").length === ${CARRIERS.length} && document.body.dataset.connection === "live"`, { timeout: 5_000 });
    const shown = await page.$$eval("[data-carrier]", (cards) => cards.map((card) => [card.getAttribute("data-carrier"), card.getAttribute("data-status")]));
    expect(shown.map(([carrier]) => carrier).sort()).toEqual([...CARRIERS].sort());
    expect(shown.every(([, status]) => status === "healthy")).toBe(true);

    let unhealthyAt: number | undefined;
    const listener = (snapshot: CarrierHealthSnapshot): void => {
      if (snapshot.carrierId === "telnyx" && snapshot.status === "unhealthy") unhealthyAt ??= performance.now();
    };
    harness.app.manager.health.on("change", listener);
    harness.sandbox.telnyx.faults.inject({ kind: "status", status: 500 });
    try {
      for (let attempt = 0; attempt < 4 && unhealthyAt === undefined; attempt += 1) {
        await harness.client.searchNumbers({ countryCode: "US", areaCode: "212", providerIds: ["telnyx"], limit: 1 }).catch(() => undefined);
      }
      expect(unhealthyAt).toBeDefined();
      await page.waitForFunction(`document.querySelector('[data-carrier="telnyx"]')?.getAttribute("data-status") === "unhealthy"`, { timeout: 1_000, polling: "mutation" });
      const flipMs = performance.now() - (unhealthyAt ?? 0);
      console.log(`status page showed telnyx unhealthy ${flipMs.toFixed(0)} ms after the HealthMonitor change`);
      expect(flipMs).toBeLessThan(1_000);
      expect(await page.$eval('[data-carrier="telnyx"] .pill', (pill) => pill.textContent)).toBe("unhealthy");
      expect(await page.$eval('[data-carrier="telnyx"] [data-field="breaker"]', (field) => field.textContent)).toBe("open");

      // The next periodic sample (every 5 s) draws telnyx's failed calls; then the screenshot the README shows.
      await page.waitForFunction(`/^100% \\(\\d+ calls\\)$/.test(document.querySelector('[data-carrier="telnyx"] [data-field="errors"]')?.textContent ?? "")`, { timeout: 12_000 });
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });

      // Readable on a phone: nothing wider than the screen.
      await page.setViewport({ width: 390, height: 844, isMobile: true });
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    } finally {
      harness.app.manager.health.off("change", listener);
      harness.sandbox.telnyx.faults.clear();
    }

    expect(errors).toEqual([]);

    // The stream drops (numbergate's HTTP port goes away): the page says so.
    await harness.app.http.close();
    await page.waitForFunction(`document.body.dataset.connection === "down" && document.getElementById("connection")?.textContent === "disconnected, retrying"`, { timeout: 5_000 });
  }, 60_000);
});
