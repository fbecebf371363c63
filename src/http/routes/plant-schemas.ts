/** The OpenAPI shapes of the pipeline's output as the API serves it: a unit's state and a processed reading. */
import { z } from "@hono/zod-openapi";
import { CATEGORIES, INGEST_SOURCES, OPERATIONAL_STATES, QUALITIES, SCORING_METHODS, SEVERITIES, UNIT_STATUSES } from "../../actors/readings/index.js";

const severity = z.enum(SEVERITIES).nullable();
const category = z.enum(CATEGORIES).nullable();

export const processedReadingSchema = z
  .object({
    unit: z.string(),
    sensor: z.string(),
    ts: z.number().openapi({ description: "when it was measured, epoch ms" }),
    value: z.number(),
    quality: z.enum(QUALITIES),
    source: z.enum(INGEST_SOURCES),
    anomaly: z.boolean(),
    score: z.number(),
    severity,
    category,
    method: z.enum(SCORING_METHODS),
    model_version: z.string().nullable(),
    reasons: z.array(z.string()),
    receivedAt: z.number(),
    processedAt: z.number(),
  })
  .openapi("ProcessedReading");

export const unitStateSchema = z
  .object({
    unit: z.string(),
    status: z.enum(UNIT_STATUSES),
    operationalState: z.enum(OPERATIONAL_STATES),
    severity,
    category,
    health: z.number().openapi({ description: "0 (failed) .. 1 (healthy)" }),
    method: z.enum(SCORING_METHODS),
    sensors: z.record(z.string(), z.object({ value: z.number(), ts: z.number(), quality: z.enum(QUALITIES), anomaly: z.boolean(), score: z.number() })),
    lastReadingAt: z.number().nullable(),
    updatedAt: z.number(),
    probabilities: z.record(z.string(), z.number()).optional(),
    rul_hours: z.number().optional(),
    model_version: z.string().optional(),
  })
  .openapi("UnitState");

export const unitStatusSchema = unitStateSchema.pick({ unit: true, status: true, operationalState: true, severity: true, category: true, health: true, updatedAt: true }).openapi("UnitStatus");
