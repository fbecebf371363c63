/** GET /api/v1/health (public: for load balancers and probes) and /health/detailed (viewer). */
import { createRoute, z } from "@hono/zod-openapi";
import type { RouteModule } from "../api/app.js";
import { guarded } from "../api/route.js";
import { API_PREFIX } from "../api/env.js";
import { errorBodySchema } from "../api/errors.js";
import { SUBSYSTEM_STATUSES, type HealthRegistry } from "../health.js";

const overall = z.enum(["ok", "degraded", "down"]);
const subsystem = z.enum(SUBSYSTEM_STATUSES);

const healthSchema = z
  .object({
    status: overall,
    version: z.string(),
    node: z.string(),
    uptimeSec: z.number(),
    subsystems: z.record(z.string(), subsystem).openapi({ example: { transport: "ok", mqtt: "disabled", history: "ok" } }),
  })
  .openapi("Health");

const detailedSchema = healthSchema
  .extend({
    subsystems: z.record(z.string(), z.object({ status: subsystem, detail: z.record(z.string(), z.unknown()).optional() })),
  })
  .openapi("HealthDetailed");

export interface HealthRouteOptions {
  readonly health: HealthRegistry;
  readonly version: string;
  readonly nodeId: string;
  readonly startedAt: number;
}

export function healthRoutes(o: HealthRouteOptions): RouteModule {
  const base = (status: "ok" | "degraded" | "down") => ({ status, version: o.version, node: o.nodeId, uptimeSec: Math.round((Date.now() - o.startedAt) / 1000) });
  return (app, guard) => {
    app.openapi(
      createRoute({
        method: "get",
        path: `${API_PREFIX}/health`,
        tags: ["health"],
        summary: "Overall status and each subsystem's (503 when a critical one is down)",
        security: [],
        responses: {
          200: { description: "ok or degraded", content: { "application/json": { schema: healthSchema } } },
          503: { description: "a critical subsystem is down", content: { "application/json": { schema: healthSchema } } },
        },
      }),
      async (c) => {
        const report = await o.health.check();
        const subsystems = Object.fromEntries(Object.entries(report.subsystems).map(([name, h]) => [name, h.status]));
        return c.json({ ...base(report.status), subsystems }, report.status === "down" ? 503 : 200);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/health/detailed",
        tags: ["health"],
        summary: "Each subsystem's status with its figures",
        responses: {
          200: { description: "ok or degraded", content: { "application/json": { schema: detailedSchema } } },
          401: { description: "no key", content: { "application/json": { schema: errorBodySchema } } },
          503: { description: "a critical subsystem is down", content: { "application/json": { schema: detailedSchema } } },
        },
      }),
      async (c) => {
        const report = await o.health.check();
        return c.json({ ...base(report.status), subsystems: report.subsystems }, report.status === "down" ? 503 : 200);
      },
    );
  };
}
