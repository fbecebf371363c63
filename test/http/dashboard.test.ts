/**
 * The dashboard in a real browser: Debian's chromium driven by
 * playwright-core against a real node (simulator on, in-process transport,
 * fast readings) serving the page, the API and the feeds on one port.
 * A screenshot of the live page goes to tmp/test-output/dashboard/.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONAL_STATES } from "../../src/actors/readings/index.js";
import { ensureChromium } from "../harness/binaries.js";
import { startApiRig, type ApiRig } from "./rig.js";

const UNITS = 3;
const OUTPUT_DIR = join(process.cwd(), "tmp", "test-output", "dashboard");
const BROWSER_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let rig: ApiRig;
let context: BrowserContext;
let profile: string;
let page: Page;

/** Opens the dashboard in a new tab (its own sessionStorage), with the key in the link as `vigil start` prints it. */
async function openDashboard(key?: string): Promise<Page> {
  const tab = await context.newPage();
  await tab.goto(key === undefined ? rig.url : `${rig.url}/#key=${encodeURIComponent(key)}`);
  return tab;
}

beforeAll(async () => {
  const executablePath = await ensureChromium();
  rig = await startApiRig({
    env: {
      VIGIL_SIMULATOR_ENABLED: "true",
      VIGIL_SIMULATOR_UNITS: String(UNITS),
      VIGIL_SIMULATOR_INTERVAL_MS: "200",
      VIGIL_SIMULATOR_SCENARIO_EVERY_MS: "0",
    },
  });
  profile = mkdtempSync(join(tmpdir(), "vigil-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: BROWSER_ARGS,
    viewport: { width: 1920, height: 1080 },
  });
  page = await openDashboard(rig.keys.operator);
});

afterAll(async () => {
  await context?.close();
  await rig?.stop();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

describe("the dashboard", () => {
  it("shows a tile for every simulated unit with its operational state and health", async () => {
    const tiles = page.locator(".tile[data-state]");
    await expect.poll(() => tiles.count(), { timeout: 20_000 }).toBe(UNITS);
    for (const tile of await tiles.all()) {
      expect(OPERATIONAL_STATES).toContain(await tile.getAttribute("data-state"));
      await expect.poll(() => tile.locator(".health b").textContent()).toMatch(/^\d+%$/);
    }
    expect(await page.locator(".link").getAttribute("data-state")).toBe("live");
  });

  it("draws every sensor of the followed unit on a live chart that keeps receiving points", async () => {
    const charts = page.locator(".chart canvas");
    await expect.poll(() => charts.count(), { timeout: 20_000 }).toBe(5);
    const points = (): Promise<Record<string, number>> => page.evaluate(() => (globalThis as unknown as { vigil: { charts: { pointCounts(): Record<string, number> } } }).vigil.charts.pointCounts());
    const first = await points();
    await expect.poll(async () => Object.entries(await points()).every(([sensor, n]) => n > (first[sensor] ?? 0)), { timeout: 20_000 }).toBe(true);
  });

  it("takes a screenshot of the live page", async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = join(OUTPUT_DIR, "overview.png");
    const png = await page.screenshot({ path: file });
    expect(png.length).toBeGreaterThan(10_000);
  });

  it("asks for a key when it has none, and says so when the node refuses the one entered", async () => {
    const tab = await openDashboard();
    try {
      const dialog = tab.locator("#key-dialog");
      await expect.poll(() => dialog.isVisible()).toBe(true);
      await tab.fill("#key-input", "vgk_not-a-key");
      await tab.click("#key-form button[type=submit]");
      await expect.poll(() => tab.locator("#key-message").textContent()).toContain("refused");
      await tab.fill("#key-input", rig.keys.viewer);
      await tab.click("#key-form button[type=submit]");
      await expect.poll(() => dialog.isVisible()).toBe(false);
      await expect.poll(() => tab.locator(".link").getAttribute("data-state"), { timeout: 20_000 }).toBe("live");
    } finally {
      await tab.close();
    }
  });
});
