/**
 * The simulator's solar devices: a real day's sun at the site, clouds that
 * move smoothly, power within the array's rating and lower when the module
 * is hot, a dark array that is not a flat line, the same readings for the
 * same seed, their ground truth, and their place in the paced runner.
 */
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../src/runtime/index.js";
import { Plant, SOLAR_SENSORS, SimulatorRunner, SolarFarm, type SimulatedReading } from "../../../src/actors/simulator/index.js";
import { collectingPublisher, DAY, HOUR, MINUTE, of, SECOND, simulate } from "./helpers.js";

/** Midsummer and midwinter midnights (UTC) at the default site (Golden, Colorado: local solar noon near 19:00 UTC). */
const SUMMER = Date.UTC(2026, 5, 21);
const WINTER = Date.UTC(2026, 11, 21);

function sensor(readings: readonly SimulatedReading[], unit: string, name: (typeof SOLAR_SENSORS)[number]): SimulatedReading[] {
  return of(readings, unit, name);
}

describe("a solar device", () => {
  const farm = new SolarFarm({ devices: 2, seed: 4 });
  const summer = simulate(farm, SUMMER, SUMMER + 3 * DAY - 1, MINUTE);

  it("reads irradiance only while the sun is up, highest around local solar noon", () => {
    const ghi = sensor(summer, "SOLAR001", "ghi");
    const night = ghi.filter((r) => new Date(r.timestamp).getUTCHours() >= 5 && new Date(r.timestamp).getUTCHours() < 11);
    expect(Math.max(...night.map((r) => r.value))).toBeLessThan(5);
    const brightest = ghi.reduce((a, b) => (b.value > a.value ? b : a));
    const hour = new Date(brightest.timestamp).getUTCHours() + new Date(brightest.timestamp).getUTCMinutes() / 60;
    expect(hour).toBeGreaterThan(16);
    expect(hour).toBeLessThan(22);
    expect(brightest.value).toBeGreaterThan(700);
    expect(brightest.value).toBeLessThan(1150);
  });

  it("makes less at midwinter noon than at midsummer noon", () => {
    const winter = simulate(new SolarFarm({ devices: 2, seed: 4 }), WINTER, WINTER + 3 * DAY - 1, MINUTE);
    const peak = (readings: SimulatedReading[]) => Math.max(...sensor(readings, "SOLAR001", "ac_power").map((r) => r.value));
    expect(peak(winter)).toBeLessThan(0.75 * peak(summer));
  });

  it("stays within its rating, and yields less per W/m² when its modules are hot", () => {
    const capacityKw = 5;
    const power = sensor(summer, "SOLAR002", "ac_power");
    expect(Math.max(...power.map((r) => r.value))).toBeLessThanOrEqual(capacityKw * 1.02);
    const hot = new SolarFarm({ devices: 1, seed: 1, capacityKw });
    // The same instant and so the same sun; a hotter module is the only way to a lower yield per W/m².
    const yields: { module: number; perGhi: number }[] = [];
    for (const ts of [SUMMER + 19 * HOUR, WINTER + 19 * HOUR]) {
      hot.advance(0, ts);
      const s = hot.sampleOf(0);
      yields.push({ module: s.moduleTemperature, perGhi: s.acPowerKw / s.trueGhi });
    }
    const [summerNoon, winterNoon] = yields as [{ module: number; perGhi: number }, { module: number; perGhi: number }];
    expect(summerNoon.module).toBeGreaterThan(winterNoon.module + 15);
    expect(summerNoon.perGhi).toBeLessThan(winterNoon.perGhi);
  });

  it("moves its irradiance smoothly from one second to the next, even under broken clouds", () => {
    const seconds = simulate(new SolarFarm({ devices: 2, seed: 4 }), SUMMER + 17 * HOUR, SUMMER + 19 * HOUR, SECOND);
    const ghi = sensor(seconds, "SOLAR001", "ghi").map((r) => r.value);
    let largest = 0;
    for (let i = 1; i < ghi.length; i++) largest = Math.max(largest, Math.abs((ghi[i] as number) - (ghi[i - 1] as number)));
    expect(largest).toBeLessThan(100);
  });

  it("is never a flat line at night: the pyranometer's offset and the inverter's standby draw are noisy", () => {
    for (const name of SOLAR_SENSORS) {
      const values = sensor(simulate(new SolarFarm({ devices: 1, seed: 2 }), SUMMER + 6 * HOUR, SUMMER + 7 * HOUR, SECOND), "SOLAR001", name).map((r) => r.value);
      let run = 1;
      let longest = 1;
      for (let i = 1; i < values.length; i++) longest = Math.max(longest, (run = values[i] === values[i - 1] ? run + 1 : 1));
      expect(longest, name).toBeLessThan(10);
    }
  });

  it("gives the same readings for the same seed, and other readings for another", () => {
    const again = simulate(new SolarFarm({ devices: 2, seed: 4 }), SUMMER, SUMMER + 3 * DAY - 1, MINUTE);
    expect(again).toEqual(summer);
    const other = simulate(new SolarFarm({ devices: 2, seed: 5 }), SUMMER, SUMMER + 3 * DAY - 1, MINUTE);
    expect(other.map((r) => r.value)).not.toEqual(summer.map((r) => r.value));
  });

  it("keeps its ground truth: feeding in (NORMAL) by day, standing by (SHUTDOWN) at night, never anomalous", () => {
    const changes = farm.truth.stateChanges("SOLAR001");
    // Midnight UTC is 18:00 at the site: the first day's sun is still up.
    expect(changes.map((c) => c.state)).toEqual(["NORMAL", "SHUTDOWN", "NORMAL", "SHUTDOWN", "NORMAL", "SHUTDOWN", "NORMAL"]);
    expect(changes.map((c) => new Date(c.ts).getUTCHours())).toEqual([0, 2, 11, 2, 11, 2, 11]);
    for (const r of summer) expect(farm.truth.at(r.unit, r.sensor, r.timestamp)).toMatchObject({ state: r.state, anomalous: false });
    expect(summer.every((r) => !r.anomalous && r.scenario === null)).toBe(true);
  });
});

describe("solar devices in the runner", () => {
  it("read at the plant's instants, each device's three sensors together, and are announced to the publishers after the plant", async () => {
    const clock = new SimulatedClock(SUMMER + 19 * HOUR);
    const plant = new Plant({ units: 2 });
    const publisher = collectingPublisher();
    const runner = new SimulatorRunner({ plant, publishers: [publisher], clock, solar: new SolarFarm({ devices: 2, truth: plant.truth }) });
    await runner.start();
    clock.advance(2 * SECOND);
    await runner.stop();
    expect(publisher.opened.map((o) => o.units)).toEqual([plant.unitIds, ["SOLAR001", "SOLAR002"]]);
    expect(runner.status()).toMatchObject({ units: 2, solarDevices: 2 });
    const solar = publisher.readings().filter((r) => r.unit.startsWith("SOLAR"));
    const instants = new Set(publisher.readings().filter((r) => r.unit === "UNIT001").map((r) => r.timestamp));
    expect(new Set(solar.map((r) => r.timestamp))).toEqual(instants);
    expect(solar.slice(0, 6).map((r) => `${r.unit}/${r.sensor}`)).toEqual([
      "SOLAR001/ghi",
      "SOLAR001/module_temperature",
      "SOLAR001/ac_power",
      "SOLAR002/ghi",
      "SOLAR002/module_temperature",
      "SOLAR002/ac_power",
    ]);
    expect(plant.truth.stateChanges("SOLAR001")).toEqual([expect.objectContaining({ state: "NORMAL" })]);
  });
});
