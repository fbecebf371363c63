/**
 * Units and sensors: the list and each unit's state, status, remaining
 * useful life and latest sensor values (viewer, from the live state — see
 * live-plant.ts: the unit actor's latest published output), sensor
 * history raw or downsampled (viewer, from the history store), and
 * maintenance mode (operator: the unit actor's maintenance command, asked
 * as a message; its answer is the unit's new state).
 */
import { z } from "@hono/zod-openapi";
import type { Context, TypedResponse } from "hono";
import type { ProcessedReading, UnitState } from "../../actors/readings/index.js";
import type { MaintenanceCommand } from "../../actors/unit/index.js";
import { unitAddress } from "../../actors/readings/index.js";
import { UNIT_RUL_MODEL } from "../../actors/models/index.js";
import { VigilError, type ActorSystem } from "../../runtime/index.js";
import type { HistoryStore } from "../../store/index.js";
import type { RouteModule } from "../api/app.js";
import { errorResponses, json, jsonBody, sensorId, unitId } from "../api/responses.js";
import { guarded } from "../api/route.js";
import type { LivePlant } from "./live-plant.js";
import { processedReadingSchema, unitStateSchema, unitStatusSchema } from "./plant-schemas.js";

export interface UnitRouteDeps {
  readonly plant: LivePlant;
  readonly system: Pick<ActorSystem, "ask">;
  /** Absent when history is disabled: the history route answers 503 VIGIL_HISTORY_DISABLED. */
  readonly history: Pick<HistoryStore, "rawRange" | "downsampled"> | undefined;
  readonly now?: () => number;
}

const HOUR_MS = 3_600_000;
const unitParams = z.object({ unit: unitId });
const sensorParams = z.object({ unit: unitId, sensor: sensorId });
const epochMs = z.coerce.number().int().min(0);

const historyQuery = z
  .object({
    from: epochMs.optional().openapi({ description: "epoch ms, inclusive; default: an hour before `to`" }),
    to: epochMs.optional().openapi({ description: "epoch ms, exclusive; default: now" }),
    bucketMs: z.coerce.number().int().min(1000).max(31 * 24 * HOUR_MS).optional().openapi({ description: "downsample into buckets of this many ms (avg, min, max, count); absent: raw readings" }),
    limit: z.coerce.number().int().min(1).max(100_000).optional().openapi({ description: "raw readings at most (default 10,000), oldest first" }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: "from must be before to", path: ["from"] });

const rulSchema = z
  .object({
    unit: z.string(),
    rul_hours: z.number().nullable().openapi({ description: "remaining useful life from the unit_rul model; null when no model scored the unit" }),
    health: z.number().openapi({ description: "0 (failed) .. 1 (healthy): from RUL with the model, else the rules' assessment" }),
    method: z.enum(["MODEL", "RULES"]),
    model_version: z.string().nullable().openapi({ example: "unit_rul@1" }),
    updatedAt: z.number(),
  })
  .openapi("UnitRul");

const rawSchema = z.object({ unit: z.string(), sensor: z.string(), ts: z.number(), value: z.number(), quality: z.string(), source: z.string(), receivedAt: z.number() });
const bucketSchema = z.object({ bucket: z.number(), avg: z.number(), min: z.number(), max: z.number(), count: z.number() });
const historySchema = z
  .object({
    unit: z.string(),
    sensor: z.string(),
    from: z.number(),
    to: z.number(),
    bucketMs: z.number().nullable(),
    readings: z.array(rawSchema).optional(),
    buckets: z.array(bucketSchema).optional(),
  })
  .openapi("SensorHistory");

export function unitRoutes(deps: UnitRouteDeps): RouteModule {
  const { plant } = deps;
  const now = deps.now ?? Date.now;
  const unitOr404 = (unit: string): UnitState => {
    const state = plant.unit(unit);
    if (state === undefined) throw unitNotFound(unit);
    return state;
  };
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/units",
        tags: ["units"],
        summary: "Every unit's latest state",
        responses: { 200: json(z.object({ units: z.array(unitStateSchema) }), "units by id") },
      }),
      (c) => memoised<{ units: UnitState[] }>(c, plant.unitsJson()),
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/units/{unit}",
        tags: ["units"],
        summary: "A unit's latest state with its sensors' latest processed readings",
        request: { params: unitParams },
        responses: { 200: json(unitStateSchema.extend({ latest: z.array(processedReadingSchema) }), "the unit"), ...errorResponses(404) },
      }),
      async (c) => {
        const { unit } = c.req.valid("param");
        const json = await plant.unitBody(unit);
        if (json === undefined) throw unitNotFound(unit);
        return memoised<UnitState & { latest: ProcessedReading[] }>(c, json);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/units/{unit}/status",
        tags: ["units"],
        summary: "A unit's status (online, offline, maintenance), operational state and health",
        request: { params: unitParams },
        responses: { 200: json(unitStatusSchema, "the status"), ...errorResponses(404) },
      }),
      (c) => {
        const s = unitOr404(c.req.valid("param").unit);
        return c.json({ unit: s.unit, status: s.status, operationalState: s.operationalState, severity: s.severity, category: s.category, health: s.health, updatedAt: s.updatedAt }, 200);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/units/{unit}/rul",
        tags: ["units"],
        summary: "A unit's remaining useful life and health from its latest assessment, with the method and the unit_rul version",
        request: { params: unitParams },
        responses: { 200: json(rulSchema, "the remaining useful life"), ...errorResponses(404) },
      }),
      (c) => c.json(rulOf(unitOr404(c.req.valid("param").unit)), 200),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "put",
        path: "/units/{unit}/maintenance",
        tags: ["units"],
        summary: "Put a unit into maintenance (its alarms are suppressed) or take it out",
        request: { params: unitParams, body: jsonBody(z.strictObject({ on: z.boolean() })) },
        responses: { 200: json(unitStateSchema, "the unit's new state"), ...errorResponses(404) },
      }),
      async (c) => {
        const { unit } = c.req.valid("param");
        unitOr404(unit); // asking an unknown unit would start an actor for it
        const command: MaintenanceCommand = { type: "maintenance", on: c.req.valid("json").on, by: c.get("caller")?.keyId ?? "api" };
        return c.json(await deps.system.ask<UnitState>(unitAddress(unit), command), 200);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/units/{unit}/sensors",
        tags: ["units"],
        summary: "The latest processed reading of each of a unit's sensors",
        request: { params: unitParams },
        responses: { 200: json(z.object({ sensors: z.array(processedReadingSchema) }), "by sensor id"), ...errorResponses(404) },
      }),
      async (c) => {
        const { unit } = c.req.valid("param");
        let json = await plant.sensorsBody(unit);
        if (json === undefined) {
          unitOr404(unit); // a unit that has reported but has no sensor readings yet lists none
          json = NO_SENSORS;
        }
        return memoised<{ sensors: ProcessedReading[] }>(c, json);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/units/{unit}/sensors/{sensor}",
        tags: ["units"],
        summary: "A sensor's latest processed reading",
        request: { params: sensorParams },
        responses: { 200: json(processedReadingSchema, "the latest reading"), ...errorResponses(404) },
      }),
      async (c) => {
        const { unit, sensor } = c.req.valid("param");
        const latest = await plant.latest(unit, sensor);
        if (latest === undefined) throw new VigilError("VIGIL_SENSOR_NOT_FOUND", `no reading of ${unit}/${sensor} yet`);
        return c.json(latest, 200);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/units/{unit}/sensors/{sensor}/history",
        tags: ["units"],
        summary: "A sensor's stored readings in a time range: raw, or downsampled with bucketMs",
        request: { params: sensorParams, query: historyQuery },
        responses: { 200: json(historySchema, "oldest first"), ...errorResponses(503) },
      }),
      async (c) => {
        const { unit, sensor } = c.req.valid("param");
        const q = c.req.valid("query");
        if (deps.history === undefined) throw new VigilError("VIGIL_HISTORY_DISABLED", "history is disabled on this node (history.enabled: false)");
        const to = q.to ?? now();
        const from = q.from ?? to - HOUR_MS;
        if (from >= to) throw new VigilError("VIGIL_API_BAD_REQUEST", "query.from: from must be before to");
        if (q.bucketMs === undefined) {
          const readings = await deps.history.rawRange({ unit, sensor, from, to, limit: q.limit ?? 10_000 });
          return c.json({ unit, sensor, from, to, bucketMs: null, readings }, 200);
        }
        const rows = await deps.history.downsampled({ unit, sensors: [sensor], bucketMs: q.bucketMs, from, to });
        const buckets = rows.map(({ bucket, avg, min, max, count }) => ({ bucket, avg, min, max, count }));
        return c.json({ unit, sensor, from, to, bucketMs: q.bucketMs, buckets }, 200);
      },
    );
  };
}

const NO_SENSORS = JSON.stringify({ sensors: [] });

const unitNotFound = (unit: string): VigilError => new VigilError("VIGIL_UNIT_NOT_FOUND", `no unit "${unit}" has reported`);

/**
 * A body LivePlant memoised as JSON, answered as is (writing it again per
 * request is what the memo saves); the route's schema documents it, `T`
 * is its type.
 */
function memoised<T>(c: Context, json: string): TypedResponse<T, 200, "json"> {
  return c.body(json, 200, { "content-type": "application/json" }) as unknown as TypedResponse<T, 200, "json">;
}

/** RUL as the unit actor last published it: by the model when its state carries rul_hours, else health by the rules. */
function rulOf(s: UnitState): z.infer<typeof rulSchema> {
  const byModel = s.rul_hours !== undefined;
  const version = byModel ? (s.model_version?.split(",").find((v) => v.startsWith(`${UNIT_RUL_MODEL}@`)) ?? null) : null;
  return { unit: s.unit, rul_hours: s.rul_hours ?? null, health: s.health, method: byModel ? "MODEL" : "RULES", model_version: version, updatedAt: s.updatedAt };
}
