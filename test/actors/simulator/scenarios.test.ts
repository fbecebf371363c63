/**
 * Injected scenarios: each changes the right unit and sensor in the expected
 * direction, is marked in the ground truth, and ends after its duration.
 * Every case compares a plant with the scenario against the same seed
 * without it, over 40 simulated minutes with the scenario from minute 10 to 20.
 */
import { describe, expect, it } from "vitest";
import { isVigilError } from "../../../src/runtime/index.js";
import { Plant, SCENARIO_RAMP_MS, type ScenarioRequest, type SimulatedReading } from "../../../src/actors/simulator/index.js";
import { MINUTE, T0, during, mean, of, simulate, values } from "./helpers.js";

const START = T0 + 10 * MINUTE;
const END = START + 10 * MINUTE;
const UNTIL = T0 + 40 * MINUTE;
const OTHER_SENSORS = (sensor: string) => ["temperature", "pressure", "flow_rate", "power", "vibration"].filter((s) => s !== sensor);

function plant(): Plant {
  // No spontaneous trips: a case must see only its own scenario.
  return new Plant({ seed: 11, behaviour: { tripsPerDay: 0 } });
}

/** The readings with `request` injected at START, and the same plant's readings without it. */
function withAndWithout(request: Omit<ScenarioRequest, "unit" | "durationMs"> & Partial<ScenarioRequest>) {
  const baseline = simulate(plant(), T0, UNTIL);
  const subject = plant();
  const scenario = subject.inject({ unit: "UNIT002", durationMs: END - START, ...request }, START);
  return { baseline, readings: simulate(subject, T0, UNTIL), scenario, truth: subject.truth };
}

function valuesOf(readings: readonly SimulatedReading[], unit: string, sensor: string, from: number, until: number): number[] {
  return values(during(of(readings, unit, sensor), from, until));
}

describe("Scenarios", () => {
  it.each([
    { kind: "high_temperature", sensor: "temperature", beyond: (v: number) => v > 40 },
    { kind: "pressure_drop", sensor: "pressure", beyond: (v: number) => v < 0.5 },
  ] as const)("$kind drives UNIT002's $sensor out of its band, marks it anomalous and the unit FAULT, and touches nothing else", ({ kind, sensor, beyond }) => {
    const { baseline, readings } = withAndWithout({ kind });
    const affected = during(of(readings, "UNIT002", sensor), START + SCENARIO_RAMP_MS, END);
    expect(affected.length).toBeGreaterThan(500);
    expect(affected.every((r) => beyond(r.value))).toBe(true);
    expect(during(of(readings, "UNIT002"), START, END).every((r) => r.state === "FAULT")).toBe(true);
    expect(during(of(readings, "UNIT002", sensor), START, END).every((r) => r.anomalous && r.scenario === kind)).toBe(true);
    for (const other of OTHER_SENSORS(sensor)) {
      expect(of(readings, "UNIT002", other).map((r) => [r.value, r.anomalous])).toEqual(of(baseline, "UNIT002", other).map((r) => [r.value, false]));
    }
    for (const unit of ["UNIT001", "UNIT003", "UNIT004", "UNIT005"]) expect(of(readings, unit)).toEqual(of(baseline, unit));
  });

  it.each(["high_temperature", "pressure_drop", "sensor_stuck", "degradation"] as const)(
    "%s ends after its duration: from then on UNIT002 reads exactly as it would have without it",
    (kind) => {
      const { baseline, readings } = withAndWithout({ kind });
      const after = during(of(readings, "UNIT002"), END, UNTIL + 1);
      expect(after.length).toBe(5 * 20 * 60 + 5);
      expect(after.map((r) => [r.sensor, r.value, r.quality, r.anomalous])).toEqual(during(of(baseline, "UNIT002"), END, UNTIL + 1).map((r) => [r.sensor, r.value, r.quality, false]));
      expect(after.some((r) => r.state === "FAULT" || r.scenario !== null)).toBe(false);
    },
  );

  it("a stronger magnitude drives the value further: high_temperature at magnitude 2 settles near 70 °C rather than 55 °C", () => {
    const settled = (magnitude: number) => mean(valuesOf(withAndWithout({ kind: "high_temperature", magnitude }).readings, "UNIT002", "temperature", START + SCENARIO_RAMP_MS, END));
    expect(settled(1)).toBeCloseTo(55, 5);
    expect(settled(2)).toBeCloseTo(70, 5);
  });

  it("sensor_stuck flat-lines the chosen sensor at the value it last showed, quality still GOOD, while the others keep moving", () => {
    const { readings } = withAndWithout({ kind: "sensor_stuck", sensor: "pressure" });
    const last = during(of(readings, "UNIT002", "pressure"), T0, START).at(-1)!;
    const stuck = during(of(readings, "UNIT002", "pressure"), START, END);
    expect(stuck.length).toBe(600);
    expect(new Set(values(stuck))).toEqual(new Set([last.value]));
    expect(stuck.every((r) => r.quality === "GOOD" && r.anomalous && r.scenario === "sensor_stuck")).toBe(true);
    expect(new Set(valuesOf(readings, "UNIT002", "flow_rate", START, END)).size).toBeGreaterThan(100);
    expect(during(of(readings, "UNIT002", "flow_rate"), START, END).some((r) => r.anomalous)).toBe(false);
  });

  it("sensor_stuck without a sensor flat-lines temperature", () => {
    const { readings, scenario } = withAndWithout({ kind: "sensor_stuck" });
    expect(scenario.sensors).toEqual(["temperature"]);
    expect(new Set(valuesOf(readings, "UNIT002", "temperature", START, END)).size).toBe(1);
  });

  it("bad_quality makes every reading of UNIT002 BAD and anomalous while it lasts, and GOOD again after", () => {
    const { readings } = withAndWithout({ kind: "bad_quality" });
    const inside = during(of(readings, "UNIT002"), START, END);
    expect(inside.length).toBe(3000);
    expect(inside.every((r) => r.quality === "BAD" && r.anomalous && r.scenario === "bad_quality")).toBe(true);
    expect(during(of(readings, "UNIT002"), END, UNTIL + 1).every((r) => r.quality === "GOOD" && !r.anomalous)).toBe(true);
  });

  it("bad_quality on one sensor affects only that sensor", () => {
    const { readings } = withAndWithout({ kind: "bad_quality", sensor: "flow_rate" });
    const inside = during(of(readings, "UNIT002"), START, END);
    expect(new Set(inside.filter((r) => r.quality === "BAD").map((r) => r.sensor))).toEqual(new Set(["flow_rate"]));
    expect(inside.filter((r) => r.anomalous).length).toBe(600);
  });

  it("unit_offline: UNIT002 publishes nothing while it lasts, then comes back through STARTUP, and the other units carry on", () => {
    const { baseline, readings, truth } = withAndWithout({ kind: "unit_offline" });
    expect(during(of(readings, "UNIT002"), START, END)).toEqual([]);
    const back = during(of(readings, "UNIT002"), END, UNTIL + 1);
    expect(back[0]).toMatchObject({ timestamp: END, state: "STARTUP", anomalous: false });
    expect(truth.at("UNIT002", "temperature", START + MINUTE)).toMatchObject({ status: "offline", state: "SHUTDOWN", anomalous: true, scenarios: ["unit_offline"] });
    for (const unit of ["UNIT001", "UNIT003", "UNIT004", "UNIT005"]) expect(of(readings, unit)).toEqual(of(baseline, unit));
  });

  it("degradation drifts every sensor of UNIT002 in its wear direction, growing over the scenario, with the unit DEGRADED", () => {
    const { baseline, readings } = withAndWithout({ kind: "degradation" });
    const drift = (sensor: string, from: number, until: number) =>
      mean(valuesOf(readings, "UNIT002", sensor, from, until)) - mean(valuesOf(baseline, "UNIT002", sensor, from, until));
    const early = (sensor: string) => drift(sensor, START, START + MINUTE);
    const late = (sensor: string) => drift(sensor, END - MINUTE, END);
    for (const sensor of ["temperature", "power", "vibration"]) {
      expect(late(sensor), sensor).toBeGreaterThan(0);
      expect(late(sensor), sensor).toBeGreaterThan(5 * early(sensor));
    }
    for (const sensor of ["pressure", "flow_rate"]) {
      expect(late(sensor), sensor).toBeLessThan(0);
      expect(late(sensor), sensor).toBeLessThan(5 * early(sensor));
    }
    const inside = during(of(readings, "UNIT002"), START, END);
    expect(inside.every((r) => r.state === "DEGRADED" && r.anomalous && r.scenario === "degradation")).toBe(true);
  });

  it("records each scenario in the ground truth with its unit, kind, sensors, start and end", () => {
    const { truth, scenario } = withAndWithout({ kind: "pressure_drop" });
    expect(truth.scenarios()).toEqual([{ ...scenario, clearedEarly: false }]);
    expect(scenario).toMatchObject({ unit: "UNIT002", kind: "pressure_drop", sensors: ["pressure"], startedAt: START, endsAt: END, magnitude: 1 });
    expect(truth.at("UNIT002", "pressure", START)).toMatchObject({ anomalous: true, scenarios: ["pressure_drop"], state: "FAULT" });
    expect(truth.at("UNIT002", "pressure", END)?.anomalous).toBe(false);
    expect(truth.at("UNIT002", "flow_rate", START + MINUTE)?.anomalous).toBe(false);
  });

  it("clearing a scenario ends it at once, and the ground truth says it ended early", () => {
    const p = plant();
    const scenario = p.inject({ unit: "UNIT003", kind: "high_temperature", durationMs: 60 * MINUTE }, START);
    simulate(p, T0, START + 5 * MINUTE);
    expect(p.clear({ unit: "UNIT003", kind: "high_temperature" }, START + 5 * MINUTE)).toBe(1);
    const after = simulate(p, START + 5 * MINUTE + 1000, START + 10 * MINUTE);
    expect(of(after, "UNIT003").some((r) => r.anomalous || r.state === "FAULT")).toBe(false);
    expect(p.activeScenarios(START + 6 * MINUTE)).toEqual([]);
    expect(p.truth.scenarios()).toEqual([{ ...scenario, endsAt: START + 5 * MINUTE + 1, clearedEarly: true }]);
  });

  it("refuses an unknown unit with VIGIL_SIMULATOR_UNKNOWN_UNIT and a bad request with VIGIL_SIMULATOR_BAD_SCENARIO naming the field", () => {
    const p = plant();
    expect(() => p.inject({ unit: "UNIT999", kind: "high_temperature", durationMs: MINUTE }, T0)).toThrow(
      expect.objectContaining({ code: "VIGIL_SIMULATOR_UNKNOWN_UNIT" }),
    );
    const bad = [
      { unit: "UNIT001", kind: "meltdown", durationMs: MINUTE },
      { unit: "UNIT001", kind: "high_temperature", durationMs: -5 },
      { unit: "UNIT001", kind: "sensor_stuck", durationMs: MINUTE, sensor: "humidity" },
      { unit: "UNIT001", kind: "degradation", durationMs: MINUTE, magnitude: 3 },
    ];
    for (const request of bad) {
      let caught: unknown;
      try {
        p.inject(request as ScenarioRequest, T0);
      } catch (err) {
        caught = err;
      }
      expect(isVigilError(caught, "VIGIL_SIMULATOR_BAD_SCENARIO"), JSON.stringify(request)).toBe(true);
      const field = Object.keys(request).find((k) => k !== "unit" && (caught as Error).message.includes(k));
      expect(field, (caught as Error).message).toBeDefined();
    }
  });
});
