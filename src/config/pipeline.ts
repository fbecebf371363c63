/**
 * The `pipeline` section: how sensor and unit actors window, check and score
 * readings. The node hands it to the actor kinds as their kindConfig
 * (src/actors/kinds.ts `KindsConfig` has the same shape), so shard workers
 * build their kinds from exactly these values.
 *
 * `sensorTypes` holds overrides only (field by field over the built-in types
 * in src/actors/sensor/sensor-types.ts) and, being a map of objects, is set
 * in the config file only.
 */
import { z } from "zod";
import { durationMs, section, wholeNumber } from "./fields.js";

// Mirror of src/actors/readings CATEGORIES; config may not import actors.
const CATEGORIES = ["THERMAL", "PRESSURE", "FLOW", "MECHANICAL", "ELECTRICAL"] as const;

function fraction(description: string, min: { value: number; inclusive: boolean }, max: { value: number; inclusive: boolean }) {
  const error = description;
  let n = z.number({ error });
  n = min.inclusive ? n.gte(min.value, { error }) : n.gt(min.value, { error });
  n = max.inclusive ? n.lte(max.value, { error }) : n.lt(max.value, { error });
  return n;
}

function positive(description: string) {
  return z.number({ error: description }).gt(0, { error: description });
}

const band = z
  .tuple([z.number(), z.number()], { error: "[low, high]: two numbers" })
  .refine(([lo, hi]) => lo <= hi, { error: "[low, high] with low <= high" });

const sensorTypeSchema = z.strictObject(
  {
    category: z.enum(CATEGORIES, { error: `one of ${CATEGORIES.join(", ")}` }).nullable().optional(),
    unit: z.string().optional(),
    normal: band.optional(),
    limits: band.optional(),
    optimal: band.optional(),
    idleBelow: z.number().optional(),
    overloadAbove: z.number().optional(),
    noiseFloor: positive("a number > 0").optional(),
    wear: z.enum(["rise", "fall"], { error: '"rise" or "fall"' }).optional(),
  },
  { error: "a sensor type: {category, unit, normal, limits, optimal, idleBelow, overloadAbove, noiseFloor, wear}" },
);

export const pipelineSchema = section({
  sensorTypes: z
    .record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "a sensor type name" }), sensorTypeSchema, { error: "a map of sensor type name to its settings" })
    .describe("Overrides of the built-in sensor types, field by field: `{ <type>: {category, unit, normal, limits, optimal, idleBelow, overloadAbove, noiseFloor, wear} }` (README: Sensor actors)."),
  sensor: section({
    windows: section({
      counts: z.array(wholeNumber(1), { error: "a list of window sizes in readings" }).describe("Rolling windows by count, in readings."),
      durationsMs: z.array(durationMs(1), { error: "a list of window spans in milliseconds" }).describe("Rolling windows by time, in milliseconds."),
    }),
    ewmaAlpha: fraction("a number in (0, 1]", { value: 0, inclusive: false }, { value: 1, inclusive: true }).describe("Weight of the newest value in the sensor's EWMA."),
    maxSamples: wholeNumber(2).describe("Samples a sensor keeps at most, bounding its time windows at high rates."),
    baselineMs: durationMs(1).describe("Time constant of the slow baseline that wear gaps are measured from."),
    stuck: section({
      readings: wholeNumber(2).describe("A flat line (`stuck`): this many equal readings in a row…"),
      ms: durationMs(0).describe("…spanning at least this long (0: any span)."),
      tolerance: z.number({ error: "a number >= 0" }).gte(0, { error: "a number >= 0" }).describe("Changes up to this much count as equal."),
    }),
    scoring: section({
      zCentre: positive("a number > 0").describe("The |z| scored 0.5 by the z-score check's logistic."),
      zSteepness: positive("a number > 0").describe("Steepness of that logistic around `zCentre`."),
      minSamples: wholeNumber(3).describe("Readings in the baseline before z-scores count; a sensor's first readings, fewer than this, are scored by rules, not its anomaly model (`warming_up`), and are left out of training."),
      anomalyThreshold: fraction("a number in (0, 1)", { value: 0, inclusive: false }, { value: 1, inclusive: false }).describe("A reading is anomalous from this combined score."),
      noiseAlpha: fraction("a number in (0, 1]", { value: 0, inclusive: false }, { value: 1, inclusive: true }).describe("Weight of each normal reading in the sensor's learned noise scale."),
    }),
    unitUpdateIntervalMs: durationMs(0).describe("Routine updates to the unit actor at most this often; changes go at once."),
    driftHorizonMs: durationMs(1).describe("A trend that would leave the normal band within this is drift."),
    wearGap: positive("a number > 0").describe("While its unit sees wear, a reading is flagged `degradation` from this wear gap (in noise standard deviations)."),
  }).describe("Sensor actors: windows, checks and scoring."),
  unit: section({
    offlineAfterMs: durationMs(1).describe("A unit without a reading for this long is offline."),
    startupMs: durationMs(0).describe("Time in STARTUP after a unit comes online."),
    sustainedAnomalyMs: durationMs(0).describe("Unbroken anomaly for this long makes a unit DEGRADED."),
    faultBadQualitySensors: wholeNumber(1).describe("Sensors reading BAD quality that make a unit FAULT."),
    wearGap: positive("a number > 0").describe("The unit sees wear when a rising and a falling sensor each show this wear gap (noise standard deviations)…"),
    wearReleaseGap: positive("a number > 0").describe("…and stops seeing it when either side is back below this."),
  }).describe("Unit actors: status, operational state and health."),
}).describe("Sensor and unit actors: windows, checks, scoring, unit rules.");
