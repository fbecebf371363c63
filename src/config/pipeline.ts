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
  sensorTypes: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "a sensor type name" }), sensorTypeSchema, { error: "a map of sensor type name to its settings" }),
  sensor: section({
    windows: section({
      counts: z.array(wholeNumber(1), { error: "a list of window sizes in readings" }),
      durationsMs: z.array(durationMs(1), { error: "a list of window spans in milliseconds" }),
    }),
    ewmaAlpha: fraction("a number in (0, 1]", { value: 0, inclusive: false }, { value: 1, inclusive: true }),
    maxSamples: wholeNumber(2),
    baselineMs: durationMs(1),
    stuck: section({
      readings: wholeNumber(2),
      ms: durationMs(0),
      tolerance: z.number({ error: "a number >= 0" }).gte(0, { error: "a number >= 0" }),
    }),
    scoring: section({
      zCentre: positive("a number > 0"),
      zSteepness: positive("a number > 0"),
      minSamples: wholeNumber(3),
      anomalyThreshold: fraction("a number in (0, 1)", { value: 0, inclusive: false }, { value: 1, inclusive: false }),
      noiseAlpha: fraction("a number in (0, 1]", { value: 0, inclusive: false }, { value: 1, inclusive: true }),
    }),
    unitUpdateIntervalMs: durationMs(0),
    driftHorizonMs: durationMs(1),
    wearGap: positive("a number > 0"),
  }),
  unit: section({
    offlineAfterMs: durationMs(1),
    startupMs: durationMs(0),
    sustainedAnomalyMs: durationMs(0),
    faultBadQualitySensors: wholeNumber(1),
    wearGap: positive("a number > 0"),
    wearReleaseGap: positive("a number > 0"),
  }),
});
