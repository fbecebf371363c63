/**
 * Run-to-failure mode: a fleet of units wearing out C-MAPSS style, every
 * reading carrying the unit's true remaining useful life, units replaced
 * when they fail.
 */
import { describe, expect, it } from "vitest";
import { isVigilError } from "../../../src/runtime/index.js";
import { ReadingGenerator, RunToFailureFleet, TURBOFAN_SENSORS, type SimulatedReading } from "../../../src/actors/simulator/index.js";
import { T0, mean, of } from "./helpers.js";

/** `cycles` cycles of every unit: one tick per cycle. */
function run(fleet: RunToFailureFleet, cycles: number): SimulatedReading[] {
  return new ReadingGenerator(fleet, { startAt: T0 }).nextBatch(fleet.unitIds.length * fleet.sensorIds.length * cycles);
}

/** One reading per cycle of `unit` (its first sensor's). */
function cyclesOf(readings: readonly SimulatedReading[], unit: string): SimulatedReading[] {
  return of(readings, unit, "T24");
}

describe("RunToFailureFleet", () => {
  it("has 100 units ENG001..ENG100 by default, each with the 14 informative C-MAPSS sensors", () => {
    const fleet = new RunToFailureFleet();
    expect(fleet.unitIds).toHaveLength(100);
    expect([fleet.unitIds[0], fleet.unitIds[99]]).toEqual(["ENG001", "ENG100"]);
    expect(fleet.sensorIds).toEqual(TURBOFAN_SENSORS.map((s) => s.id));
    expect(fleet.sensorIds).toHaveLength(14);
  });

  it("gives the same readings for the same seed", () => {
    expect(run(new RunToFailureFleet({ units: 20, seed: 4 }), 50)).toEqual(run(new RunToFailureFleet({ units: 20, seed: 4 }), 50));
  });

  it("counts every unit's true RUL down by one cycle per cycle, in cycles and in hours, the same on all its sensors", () => {
    const fleet = new RunToFailureFleet({ units: 10, seed: 2, staggerStart: false });
    const readings = run(fleet, 80);
    for (const unit of fleet.unitIds) {
      const cycles = cyclesOf(readings, unit);
      const hoursPerCycle = fleet.truth.lives(unit)[0]!.hoursPerCycle;
      for (let i = 1; i < cycles.length; i++) expect(cycles[i]!.rulCycles).toBe(cycles[i - 1]!.rulCycles! - 1);
      for (const r of cycles) expect(r.rulHours).toBeCloseTo(r.rulCycles! * hoursPerCycle, 9);
      const first = of(readings, unit).filter((r) => r.timestamp === T0);
      expect(new Set(first.map((r) => r.rulCycles)).size).toBe(1);
    }
  });

  it("fails each unit at RUL 0 (state FAULT) and replaces it on the next cycle with a new unit (the slot's next life)", () => {
    const fleet = new RunToFailureFleet({ units: 50, seed: 8 });
    const readings = run(fleet, 300);
    let failures = 0;
    for (const unit of fleet.unitIds) {
      const cycles = cyclesOf(readings, unit);
      cycles.forEach((r, i) => {
        if (r.rulCycles !== 0) return;
        failures++;
        expect(r).toMatchObject({ state: "FAULT", anomalous: true });
        const next = cycles[i + 1];
        if (next === undefined) return; // failed on the run's last cycle
        expect(next.rulCycles).toBeGreaterThanOrEqual(99);
        expect(next.state).toBe("NORMAL");
      });
      const lives = fleet.truth.lives(unit);
      expect(lives.map((l) => l.life)).toEqual(lives.map((_, i) => i + 1));
      for (const life of lives.slice(1)) expect(life.firstCycle).toBe(1);
      for (const life of lives.slice(0, -1)) expect(life.failedAt).not.toBeNull();
    }
    expect(failures).toBeGreaterThan(50);
    expect(fleet.truth.lives().filter((l) => l.failedAt !== null)).toHaveLength(failures);
  });

  it("wears units monotonically, and their sensors drift towards failure on average over a life", () => {
    const fleet = new RunToFailureFleet({ units: 200, seed: 5, staggerStart: false });
    const wear: number[][] = fleet.unitIds.map(() => []);
    const generator = new ReadingGenerator(fleet, { startAt: T0 });
    const readings: SimulatedReading[] = [];
    for (let cycle = 0; cycle < 400; cycle++) {
      generator.nextBatch(fleet.unitIds.length * fleet.sensorIds.length, readings);
      fleet.unitIds.forEach((_, i) => wear[i]!.push(fleet.wear(i)));
    }
    // Hidden wear rises every cycle of a life (it drops only at a replacement, RUL 0 → new unit).
    for (const w of wear) for (let c = 1; c < w.length; c++) if (w[c]! < w[c - 1]!) expect(w[c - 1]).toBeCloseTo(1, 9);
    // Sensor means by tenth of life (first lives only): T50 and Ps30 rise, P30 and W31 fall, decile on decile.
    const series = new Map<string, SimulatedReading[]>();
    for (const r of readings) {
      const key = `${r.unit}/${r.sensor}`;
      const list = series.get(key);
      if (list === undefined) series.set(key, [r]);
      else list.push(r);
    }
    const decileMeans = (sensor: string) => {
      const byDecile: number[][] = Array.from({ length: 10 }, () => []);
      for (const unit of fleet.unitIds) {
        const life = fleet.truth.lives(unit)[0]!;
        for (const r of series.get(`${unit}/${sensor}`) ?? []) {
          const cycle = life.failureCycle - r.rulCycles!;
          if (r.timestamp > life.failedAt!) break;
          byDecile[Math.min(9, Math.floor((10 * (cycle - 1)) / life.failureCycle))]!.push(r.value);
        }
      }
      return byDecile.map(mean);
    };
    for (const sensor of ["T50", "Ps30"]) {
      const m = decileMeans(sensor);
      for (let d = 3; d < 10; d++) expect(m[d], `${sensor} decile ${d}`).toBeGreaterThan(m[d - 1]!);
    }
    for (const sensor of ["P30", "W31"]) {
      const m = decileMeans(sensor);
      for (let d = 3; d < 10; d++) expect(m[d], `${sensor} decile ${d}`).toBeLessThan(m[d - 1]!);
    }
  });

  it("gives lives about as long as C-MAPSS FD001's: at least 100 cycles, around 200 on average", () => {
    const fleet = new RunToFailureFleet({ units: 500, seed: 6, staggerStart: false });
    run(fleet, 1);
    const lengths = fleet.truth.lives().map((l) => l.failureCycle);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(100);
    expect(mean(lengths)).toBeGreaterThan(180);
    expect(mean(lengths)).toBeLessThan(230);
  });

  it("starts the fleet part-worn by default, so the first cycle already shows RULs across the range", () => {
    const fleet = new RunToFailureFleet({ units: 200, seed: 7 });
    const first = run(fleet, 1).filter((r) => r.sensor === "T24").map((r) => r.rulCycles!);
    expect(Math.min(...first)).toBeLessThan(100);
    expect(Math.max(...first)).toBeGreaterThan(150);
    expect(fleet.truth.lives().some((l) => l.firstCycle > 1)).toBe(true);
  });

  it("takes no scenarios: its units wear out on their own", () => {
    const fleet = new RunToFailureFleet({ units: 2 });
    let caught: unknown;
    try {
      fleet.inject({ unit: "ENG001", kind: "high_temperature", durationMs: 1000 }, T0);
    } catch (err) {
      caught = err;
    }
    expect(isVigilError(caught, "VIGIL_SIMULATOR_BAD_SCENARIO")).toBe(true);
    expect(fleet.activeScenarios(T0)).toEqual([]);
  });
});
