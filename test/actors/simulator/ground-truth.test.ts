/**
 * The ground truth: intervals of scenarios and unit states that label any
 * reading by (unit, sensor, instant), agreeing with the truth each generated
 * reading carries, and exportable as plain data for scoring detection.
 */
import { describe, expect, it } from "vitest";
import { GroundTruth, Plant, ReadingGenerator } from "../../../src/actors/simulator/index.js";
import { HOUR, MINUTE, T0, simulate } from "./helpers.js";

function eventfulPlant(): Plant {
  const plant = new Plant({ seed: 3, behaviour: { tripsPerDay: 12 } });
  plant.inject({ unit: "UNIT001", kind: "high_temperature", durationMs: 20 * MINUTE }, T0 + 30 * MINUTE);
  plant.inject({ unit: "UNIT002", kind: "sensor_stuck", sensor: "vibration", durationMs: 45 * MINUTE }, T0 + HOUR);
  plant.inject({ unit: "UNIT003", kind: "bad_quality", sensor: "power", durationMs: 10 * MINUTE }, T0 + 2 * HOUR);
  plant.inject({ unit: "UNIT004", kind: "unit_offline", durationMs: 15 * MINUTE }, T0 + 3 * HOUR);
  plant.inject({ unit: "UNIT005", kind: "degradation", durationMs: 2 * HOUR }, T0 + 3 * HOUR);
  plant.inject({ unit: "UNIT001", kind: "pressure_drop", durationMs: 5 * MINUTE }, T0 + 4 * HOUR);
  return plant;
}

describe("GroundTruth", () => {
  it("labels every generated reading exactly as the reading labels itself", () => {
    const plant = eventfulPlant();
    const readings = simulate(plant, T0, T0 + 6 * HOUR);
    expect(readings.filter((r) => r.anomalous).length).toBeGreaterThan(10_000);
    for (const r of readings) {
      const truth = plant.truth.at(r.unit, r.sensor, r.timestamp);
      if (truth?.anomalous !== r.anomalous || truth.state !== r.state || (truth.scenarios[0] ?? null) !== r.scenario) {
        expect({ reading: r, truth }).toBeUndefined(); // shows the first disagreement in full
      }
    }
  });

  it("records each unit's status and state changes, beginning with its first sample", () => {
    const plant = eventfulPlant();
    simulate(plant, T0, T0 + 6 * HOUR);
    for (const unit of plant.unitIds) {
      const changes = plant.truth.stateChanges(unit);
      expect(changes[0]?.ts).toBe(T0);
      for (let i = 1; i < changes.length; i++) {
        expect(changes[i]!.ts).toBeGreaterThan(changes[i - 1]!.ts);
        expect([changes[i]!.state, changes[i]!.status]).not.toEqual([changes[i - 1]!.state, changes[i - 1]!.status]);
      }
    }
    expect(plant.truth.stateChanges("UNIT004").filter((c) => c.status === "offline").map((c) => c.ts)).toContain(T0 + 3 * HOUR);
  });

  it("knows nothing about a unit before its first sample", () => {
    const plant = new Plant();
    simulate(plant, T0, T0 + MINUTE);
    expect(plant.truth.at("UNIT001", "temperature", T0 - 1)).toBeUndefined();
    expect(plant.truth.at("UNIT999", "temperature", T0)).toBeUndefined();
  });

  it("exports scenarios, state changes and lives as plain JSON that reads back the same", () => {
    const plant = eventfulPlant();
    simulate(plant, T0, T0 + 6 * HOUR);
    const exported = plant.truth.export();
    expect(exported.scenarios).toHaveLength(6);
    expect(exported.stateChanges.length).toBeGreaterThan(10);
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
  });

  it("prune forgets what ended before the cut-off but keeps each unit's state at it", () => {
    const plant = eventfulPlant();
    simulate(plant, T0, T0 + 6 * HOUR);
    const cut = T0 + 3.5 * HOUR;
    const before = plant.unitIds.map((u) => plant.truth.at(u, "temperature", cut + 1));
    plant.truth.prune(cut);
    expect(plant.unitIds.map((u) => plant.truth.at(u, "temperature", cut + 1))).toEqual(before);
    expect(plant.truth.scenarios().map((s) => s.kind).sort()).toEqual(["degradation", "pressure_drop"]);
    expect(plant.truth.stateChanges().every((c) => c.ts >= cut || plant.truth.stateChanges(c.unit)[0] === c)).toBe(true);
  });

  it("keeps nothing when recording is off, while readings still carry their truth", () => {
    const plant = new Plant({ recordTruth: false });
    plant.inject({ unit: "UNIT001", kind: "high_temperature", durationMs: MINUTE }, T0);
    const readings = new ReadingGenerator(plant, { startAt: T0 }).nextBatch(1000);
    expect(readings.some((r) => r.anomalous)).toBe(true);
    expect(plant.truth.export()).toEqual({ scenarios: [], stateChanges: [], lives: [] });
    expect(new GroundTruth().recording).toBe(true);
  });
});
