/**
 * The plant model without scenarios: deterministic for a seed, five sensors
 * per unit inside their bands, daily trends, coupled sensors, wear with
 * maintenance, trips offline, and the operational states it reports.
 */
import { describe, expect, it } from "vitest";
import { OPERATIONAL_STATES } from "../../../src/actors/readings/index.js";
import { Plant, PLANT_SENSORS, ReadingGenerator, SENSOR_BANDS, type SimulatedPlant, type SimulatedReading } from "../../../src/actors/simulator/index.js";
import { DAY, HOUR, MINUTE, SECOND, T0, during, mean, of, simulate, values } from "./helpers.js";

describe("Plant", () => {
  it("has five units, UNIT001 to UNIT005, each with temperature, pressure, flow_rate, power and vibration", () => {
    const plant = new Plant();
    expect(plant.unitIds).toEqual(["UNIT001", "UNIT002", "UNIT003", "UNIT004", "UNIT005"]);
    expect(plant.sensorIds).toEqual(["temperature", "pressure", "flow_rate", "power", "vibration"]);
    const first = simulate(plant, T0, T0);
    expect(first.map((r) => `${r.unit}/${r.sensor}`)).toEqual(plant.unitIds.flatMap((u) => PLANT_SENSORS.map((s) => `${u}/${s}`)));
  });

  it("gives the same readings for the same seed", () => {
    const a = simulate(new Plant({ seed: 42 }), T0, T0 + HOUR);
    const b = simulate(new Plant({ seed: 42 }), T0, T0 + HOUR);
    expect(a.length).toBe(5 * 5 * 3601);
    expect(b).toEqual(a);
  });

  it("gives different readings for a different seed", () => {
    const a = values(simulate(new Plant({ seed: 1 }), T0, T0 + MINUTE));
    const b = values(simulate(new Plant({ seed: 2 }), T0, T0 + MINUTE));
    expect(b).not.toEqual(a);
  });

  it("gives a unit the same readings however many other units the plant has", () => {
    const small = of(simulate(new Plant({ units: 2, seed: 9 }), T0, T0 + HOUR, 10 * SECOND), "UNIT002");
    const large = of(simulate(new Plant({ units: 50, seed: 9 }), T0, T0 + HOUR, 10 * SECOND), "UNIT002");
    expect(small.length).toBe(5 * 361);
    expect(large).toEqual(small);
  });

  it.each([1, 2, 3])("keeps every value inside its sensor's band over a simulated day with no scenario (seed %i)", (seed) => {
    const day = ranges(new Plant({ seed }), T0, T0 + DAY);
    expect(day.count).toBeGreaterThan(2_000_000);
    for (const sensor of PLANT_SENSORS) {
      const { min, max } = day.of(sensor);
      expect(min, sensor).toBeGreaterThanOrEqual(SENSOR_BANDS[sensor].min);
      expect(max, sensor).toBeLessThanOrEqual(SENSOR_BANDS[sensor].max);
    }
    expect(day.allNormal).toBe(true);
  });

  it("keeps every value inside its sensor's band over a simulated week of units wearing out completely", () => {
    const plant = new Plant({ units: 20, seed: 5, behaviour: { maintenanceAtWear: 1, tripsPerDay: 2 } });
    const week = ranges(plant, T0, T0 + 7 * DAY, MINUTE);
    expect(week.states.has("DEGRADED")).toBe(true);
    for (const sensor of PLANT_SENSORS) {
      const { min, max } = week.of(sensor);
      expect(min, sensor).toBeGreaterThanOrEqual(SENSOR_BANDS[sensor].min);
      expect(max, sensor).toBeLessThanOrEqual(SENSOR_BANDS[sensor].max);
    }
  });

  it("follows a daily trend: temperatures are higher in the afternoon than before dawn", () => {
    const readings = simulate(new Plant({ behaviour: { tripsPerDay: 0 } }), T0, T0 + DAY, MINUTE);
    const temperature = readings.filter((r) => r.sensor === "temperature");
    const night = mean(values(during(temperature, T0 + 3 * HOUR, T0 + 5 * HOUR)));
    const afternoon = mean(values(during(temperature, T0 + 14 * HOUR, T0 + 16 * HOUR)));
    expect(afternoon - night).toBeGreaterThan(8);
  });

  it("couples power, flow and temperature through the unit's load: they rise and fall together", () => {
    const readings = simulate(new Plant({ behaviour: { tripsPerDay: 0 } }), T0, T0 + DAY, MINUTE);
    for (const unit of ["UNIT001", "UNIT004"]) {
      const power = values(of(readings, unit, "power"));
      expect(correlation(power, values(of(readings, unit, "flow_rate")))).toBeGreaterThan(0.8);
      expect(correlation(power, values(of(readings, unit, "temperature")))).toBeGreaterThan(0.5);
    }
  });

  it("reports only the seven operational states, and OPTIMAL, NORMAL and OVERLOAD in a day of normal running", () => {
    const readings = simulate(new Plant({ behaviour: { tripsPerDay: 0 } }), T0, T0 + DAY, 10 * SECOND);
    const seen = new Set(readings.map((r) => r.state));
    for (const state of seen) expect(OPERATIONAL_STATES).toContain(state);
    expect([...seen].sort()).toEqual(expect.arrayContaining(["NORMAL", "OPTIMAL", "OVERLOAD"]));
  });

  it("takes a worn unit into maintenance (UNCERTAIN quality, SHUTDOWN), then restarts it through STARTUP with its wear reset", () => {
    const plant = new Plant({ units: 1, behaviour: { tripsPerDay: 0, maintenanceAtWear: 0.35 } });
    const readings = simulate(plant, T0, T0 + 3 * DAY, 10 * SECOND);
    const changes = plant.truth.stateChanges("UNIT001");
    const maintenance = changes.findIndex((c) => c.status === "maintenance");
    expect(maintenance).toBeGreaterThan(0);
    const from = changes[maintenance]!.ts;
    const back = changes[maintenance + 1]!;
    expect(back).toMatchObject({ status: "online", state: "STARTUP" });
    expect(back.ts - from).toBeGreaterThanOrEqual(30 * MINUTE);
    const inMaintenance = during(readings, from, back.ts);
    expect(inMaintenance.length).toBeGreaterThan(0);
    expect(inMaintenance.every((r) => r.quality === "UNCERTAIN" && r.state === "SHUTDOWN")).toBe(true);
    // Wear shows in vibration: lower for the hour after the restart than for the hour before maintenance.
    const vibration = of(readings, "UNIT001", "vibration");
    const before = mean(values(during(vibration, from - HOUR, from)));
    const after = mean(values(during(vibration, back.ts + 10 * MINUTE, back.ts + 70 * MINUTE)));
    expect(after).toBeLessThan(before);
  });

  it("trips units offline now and then: a tripped unit publishes nothing until it starts up again", () => {
    const plant = new Plant({ behaviour: { tripsPerDay: 24 } });
    const readings = simulate(plant, T0, T0 + 6 * HOUR, 10 * SECOND);
    const trips = plant.truth.stateChanges().filter((c) => c.status === "offline");
    expect(trips.length).toBeGreaterThan(3);
    for (const trip of trips) {
      const changes = plant.truth.stateChanges(trip.unit);
      const next = changes[changes.indexOf(trip) + 1];
      const until = next?.ts ?? T0 + 6 * HOUR;
      expect(trip.state).toBe("SHUTDOWN");
      expect(of(during(readings, trip.ts, until), trip.unit)).toEqual([]);
      if (next !== undefined) expect(next).toMatchObject({ status: "online", state: "STARTUP" });
    }
  });
});

interface Ranges {
  /** Readings seen. */
  readonly count: number;
  /** Lowest and highest value of a sensor over all units. */
  of(sensor: string): { min: number; max: number };
  /** The operational states reported. */
  readonly states: ReadonlySet<string>;
  /** No reading was anomalous or under a scenario. */
  readonly allNormal: boolean;
}

/**
 * What the band specs check, over the same readings `simulate` returns, taken
 * batch by batch from the generator (cut however, the readings are the same:
 * generator.test.ts): a simulated day at 1 s is over two million readings,
 * and holding them all as objects cost the spec four times the CPU.
 */
function ranges(plant: SimulatedPlant, from: number, until: number, intervalMs = SECOND): Ranges {
  const perTick = plant.unitIds.length * plant.sensorIds.length;
  const generator = new ReadingGenerator(plant, { startAt: from, readingsPerSecond: (perTick * SECOND) / intervalMs });
  const bySensor = new Map<string, { min: number; max: number }>();
  const states = new Set<string>();
  let count = 0;
  let allNormal = true;
  const batch: SimulatedReading[] = [];
  for (;;) {
    batch.length = 0;
    generator.readingsUntil(until, batch, 10_000);
    if (batch.length === 0) break;
    count += batch.length;
    for (const r of batch) {
      let range = bySensor.get(r.sensor);
      if (range === undefined) bySensor.set(r.sensor, (range = { min: r.value, max: r.value }));
      if (r.value < range.min) range.min = r.value;
      if (r.value > range.max) range.max = r.value;
      states.add(r.state);
      if (r.anomalous || r.scenario !== null) allNormal = false;
    }
  }
  return { count, states, allNormal, of: (sensor) => bySensor.get(sensor) ?? { min: Number.NaN, max: Number.NaN } };
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return cov / Math.sqrt(va * vb);
}
