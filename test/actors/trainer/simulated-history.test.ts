/**
 * The simulated history the baselines and the trainer specs are made from:
 * its ground truth as labels up to the history's end (spans still open
 * there included), slices of a day at the live rate, and the default
 * simulator's random scenarios.
 */
import { describe, expect, it } from "vitest";
import { simulatedHistory, TruthLabeller } from "../../../src/actors/trainer/index.js";
import { Plant, ReadingGenerator } from "../../../src/actors/simulator/index.js";

const T0 = Date.UTC(2026, 2, 2);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe("the truth labeller, closed at the end of a history", () => {
  it("labels each unit's state from its first reading to the end, the span still open there included", () => {
    const end = T0 + 10 * MINUTE;
    const h = simulatedHistory({ mode: "plant", units: 3, seed: 1, startAt: T0, durationMs: 10 * MINUTE, intervalMs: 1000, tripsPerDay: 0 });
    for (const unit of h.units) {
      const spans = h.labels.filter((l) => l.unit === unit && l.label.startsWith("state:")).sort((a, b) => a.from - b.from);
      expect(spans[0]?.from).toBe(T0);
      expect(spans.at(-1)?.to).toBe(end);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.from).toBe(spans[i - 1]!.to);
    }
    // Without the open spans closed, a unit that kept its state over the whole window had no state label at all.
    const unchanged = h.units.filter((u) => h.labels.filter((l) => l.unit === u && l.label.startsWith("state:")).length === 1);
    expect(unchanged.length).toBeGreaterThan(0);
  });

  it("labels a scenario still running at the end up to the end, and takes nothing twice", () => {
    const plant = new Plant({ units: 1, seed: 1 });
    plant.inject({ unit: "UNIT001", kind: "high_temperature", durationMs: 10 * MINUTE }, T0 + MINUTE);
    new ReadingGenerator(plant, { startAt: T0 }).readingsUntil(T0 + 3 * MINUTE - 1);
    const labeller = new TruthLabeller(plant.truth, 1000);
    expect(labeller.take(T0 + 3 * MINUTE).filter((l) => l.label === "high_temperature")).toEqual([]);
    const closed = labeller.close(T0 + 3 * MINUTE);
    const scenario = closed.filter((l) => l.label === "high_temperature");
    expect(scenario.length).toBeGreaterThan(0);
    for (const l of scenario) expect([l.from, l.to]).toEqual([T0 + MINUTE, T0 + 3 * MINUTE]);
    expect(labeller.close(T0 + 3 * MINUTE)).toEqual([]);
  });
});

describe("a simulated day in slices", () => {
  it("keeps the first minutes of every hour at the live rate, the plant running on in between, with the default simulator's random scenarios", () => {
    const h = simulatedHistory({ mode: "plant", units: 2, seed: 1, startAt: T0, durationMs: 3 * HOUR, intervalMs: 1000, randomScenarioEveryMs: 2 * MINUTE, slices: { everyMs: HOUR, keepMs: 5 * MINUTE } });
    const hours = new Set(h.readings.map((r) => Math.floor((r.ts - T0) / HOUR)));
    expect([...hours]).toEqual([0, 1, 2]);
    for (const r of h.readings) expect((r.ts - T0) % HOUR).toBeLessThan(5 * MINUTE);
    // A random scenario every 2 minutes over 3 hours (the first after 10 s), each labelled.
    const scenarios = new Set(h.labels.filter((l) => !l.label.startsWith("state:")).map((l) => `${l.unit}@${l.from}`));
    expect(scenarios.size).toBeGreaterThanOrEqual(85);
  });

  it("injects its scheduled faults inside the kept minutes of each slice, on every unit and of every kind in turn", () => {
    const h = simulatedHistory({
      mode: "plant",
      units: 5,
      seed: 1,
      startAt: T0,
      durationMs: 6 * HOUR,
      intervalMs: 1000,
      tripsPerDay: 0,
      slices: { everyMs: HOUR, keepMs: 5 * MINUTE },
      faultEveryMs: 85_000,
      faultLeadMs: 30_000,
      faultMs: 80_000,
    });
    const faults = h.labels.filter((l) => !l.label.startsWith("state:"));
    const starts = [...new Set(faults.map((l) => l.from))].sort((a, b) => a - b);
    // Three a slice (at 30 s, 115 s and 200 s into it), none in the first, where the units start up.
    expect(starts.map((t) => (t - T0) % HOUR)).toEqual(Array.from({ length: 5 }, () => [30_000, 115_000, 200_000]).flat());
    for (const l of faults) expect((l.to - T0) % HOUR).toBeLessThanOrEqual(5 * MINUTE);
    expect(new Set(faults.map((l) => l.unit)).size).toBe(5);
    expect(new Set(faults.map((l) => l.label))).toEqual(new Set(["high_temperature", "pressure_drop", "degradation", "sensor_stuck"]));
  });
});
