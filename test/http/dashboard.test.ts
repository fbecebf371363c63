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

/** Readings drawn so far on each chart of the followed unit. */
function pointCounts(): Promise<Record<string, number>> {
  return page.evaluate(() => (globalThis as unknown as { vigil: { charts: { pointCounts(): Record<string, number> } } }).vigil.charts.pointCounts());
}

beforeAll(async () => {
  const executablePath = await ensureChromium();
  rig = await startApiRig({
    env: {
      VIGIL_SIMULATOR_ENABLED: "true",
      VIGIL_SIMULATOR_UNITS: String(UNITS),
      // The plant's units only: the tiles and charts counted below are theirs.
      VIGIL_SIMULATOR_SOLAR_DEVICES: "0",
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
    // A 1920×1080 wall layout in a 1440×810 image: small enough for docs/.
    deviceScaleFactor: 0.75,
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
    const first = await pointCounts();
    await expect.poll(async () => Object.entries(await pointCounts()).every(([sensor, n]) => n > (first[sensor] ?? 0)), { timeout: 20_000 }).toBe(true);
  });

  it("injects the scenario the operator clicks into the unit chosen, through the API", async () => {
    await page.selectOption("#sim-unit", "UNIT003");
    await page.click('#sim-buttons button[data-scenario="high_temperature"]');
    await expect.poll(() => page.locator(".toast.ok").first().textContent()).toContain("injected into UNIT003");
    const res = await rig.call("/api/v1/simulator/scenarios", { as: "viewer" });
    const { scenarios } = (await res.json()) as { scenarios: { unit: string; kind: string }[] };
    expect(scenarios).toContainEqual(expect.objectContaining({ unit: "UNIT003", kind: "high_temperature" }));
  });

  it("lists a raised alarm with its severity and unit", async () => {
    // A rule that holds at once on one unit: the alarm is raised by the next reading.
    await rig.node.alarms.putRule(
      { id: "test_dashboard", unit: "UNIT002", severity: "CRITICAL", category: "THERMAL", message: "Test alarm: {value}°C", condition: { type: "greater_than", sensor: "temperature", value: -1000 } },
      "test",
    );
    const row = page.locator('.alarm[data-alarm="UNIT002/test_dashboard/temperature"]');
    await expect.poll(() => row.getAttribute("data-state"), { timeout: 20_000 }).toBe("active_unacknowledged");
    expect(await row.getAttribute("data-severity")).toBe("CRITICAL");
    expect(await row.locator(".alarm-title").textContent()).toContain("UNIT002");
  });

  it("acknowledges the alarm the operator clicks Ack on, and the API then reports it acknowledged by the page's key", async () => {
    const alarmId = "UNIT002/test_dashboard/temperature";
    const row = page.locator(`.alarm[data-alarm="${alarmId}"]`);
    await row.getByRole("button", { name: "Ack" }).click();
    await expect.poll(() => row.getAttribute("data-state"), { timeout: 20_000 }).toBe("active_acknowledged");
    const res = await rig.call("/api/v1/alarms?unit=UNIT002", { as: "viewer" });
    const { alarms } = (await res.json()) as { alarms: { id: string; state: string; acknowledgedBy: string | null }[] };
    expect(alarms.find((a) => a.id === alarmId)).toMatchObject({ state: "active_acknowledged", acknowledgedBy: "operator-key" });
  });

  it("follows the unit the operator clicks: its sensors' charts replace the previous unit's", async () => {
    await page.click('.tile[data-unit="UNIT003"]');
    expect(await page.locator("#chart-unit").textContent()).toBe("UNIT003");
    await expect.poll(() => page.locator('.tile.selected').getAttribute("data-unit")).toBe("UNIT003");
    await expect.poll(async () => Object.values(await pointCounts()).filter((n) => n > 1).length, { timeout: 20_000 }).toBe(5);
  });

  it("takes a screenshot of the live page once the injected fault shows", async () => {
    // high_temperature ramps up over SCENARIO_RAMP_MS (30 s): the unit's state moves away from running normally.
    const tile = page.locator('.tile[data-unit="UNIT003"]');
    await expect.poll(() => tile.getAttribute("data-state"), { timeout: 60_000, interval: 1000 }).toMatch(/DEGRADED|OVERLOAD|FAULT/);
    // …and once over 50 °C for 3 s, the shipped temperature_critical rule raises its alarm.
    const alarm = page.locator('.alarm[data-alarm="UNIT003/temperature_critical/temperature"]');
    await expect.poll(() => alarm.getAttribute("data-state"), { timeout: 60_000, interval: 1000 }).toBe("active_unacknowledged");
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const png = await page.screenshot({ path: join(OUTPUT_DIR, "overview.png") });
    expect(png.length).toBeGreaterThan(10_000);
  }, 150_000); // the fault ramps up over 30 s before its alarm

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
