/**
 * Injectable scenarios: what can go wrong with a simulated unit, which of its
 * sensors each one affects, and the validation of a request to inject one
 * (the control API passes untrusted input straight through `parseScenarioRequest`).
 * How a scenario bends the values lives in plant-unit.ts.
 */
import { z } from "zod";
import { VigilError } from "../../runtime/index.js";
import { PLANT_SENSORS } from "./plant-sensors.js";

export const SCENARIO_KINDS = [
  "high_temperature", // temperature climbs to an overheat level above its band
  "pressure_drop", // pressure falls towards zero, below its band
  "sensor_stuck", // one sensor flat-lines at its last value, quality still GOOD
  "bad_quality", // readings arrive with quality BAD and erratic values
  "unit_offline", // the unit stops publishing
  "degradation", // slow drift across all sensors, growing over the scenario
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/** Scenarios that are a fault of the unit itself (its true state becomes FAULT), not of its instruments. */
export const UNIT_FAULT_SCENARIOS: ReadonlySet<ScenarioKind> = new Set(["high_temperature", "pressure_drop"]);

/** How long a value takes to reach a scenario's full effect: a fault develops, it does not jump. */
export const SCENARIO_RAMP_MS = 30 * 1000; // 30 seconds

export const MAX_MAGNITUDE = 2;

export interface ScenarioRequest {
  readonly unit: string;
  readonly kind: ScenarioKind;
  /** How long it lasts, from the moment it is injected. */
  readonly durationMs: number;
  /** sensor_stuck: the sensor that flat-lines (@default "temperature"); bad_quality: one sensor only (@default all). */
  readonly sensor?: string;
  /** Strength, 0 < magnitude <= 2. @default 1 */
  readonly magnitude?: number;
}

export interface ActiveScenario {
  /** Unique within one simulator, e.g. "sc-3". */
  readonly id: string;
  readonly unit: string;
  readonly kind: ScenarioKind;
  /** The sensors it affects (ground truth marks their readings anomalous). */
  readonly sensors: readonly string[];
  readonly magnitude: number;
  /** Epoch ms; the scenario affects readings with startedAt <= timestamp < endsAt. */
  readonly startedAt: number;
  readonly endsAt: number;
}

/** The request's schema, also the control API's body schema (one validation, one description). */
export const scenarioRequestSchema = z.strictObject({
  unit: z.string().min(1),
  kind: z.enum(SCENARIO_KINDS),
  durationMs: z.number().int().min(1),
  sensor: z.enum(PLANT_SENSORS).optional(),
  magnitude: z.number().gt(0).max(MAX_MAGNITUDE).optional(),
});

/** Validate an untrusted request; throws VIGIL_SIMULATOR_BAD_SCENARIO naming the field. */
export function parseScenarioRequest(input: unknown): ScenarioRequest {
  const parsed = scenarioRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "request";
  throw new VigilError("VIGIL_SIMULATOR_BAD_SCENARIO", `scenario ${field}: ${issue?.message ?? "invalid"}`);
}

/** The sensors a scenario affects, among the unit's `sensors`. */
export function affectedSensors(request: ScenarioRequest, sensors: readonly string[]): readonly string[] {
  switch (request.kind) {
    case "high_temperature":
      return ["temperature"];
    case "pressure_drop":
      return ["pressure"];
    case "sensor_stuck":
      return [request.sensor ?? "temperature"];
    case "bad_quality":
      return request.sensor === undefined ? sensors : [request.sensor];
    case "unit_offline":
    case "degradation":
      return sensors;
  }
}

/** 0 at the start of a scenario, rising linearly to 1 after SCENARIO_RAMP_MS. */
export function rampAt(scenario: ActiveScenario, ts: number): number {
  const ramp = Math.min(SCENARIO_RAMP_MS, scenario.endsAt - scenario.startedAt);
  return Math.min(1, Math.max(0, (ts - scenario.startedAt) / ramp));
}

/** How far through its duration a scenario is, 0..1. */
export function progressAt(scenario: ActiveScenario, ts: number): number {
  return Math.min(1, Math.max(0, (ts - scenario.startedAt) / (scenario.endsAt - scenario.startedAt)));
}
