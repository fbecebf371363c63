/**
 * GET /metrics: the node's Prometheus registry on the API's port, public like
 * the separate metrics port (`metrics.port`), which stays for scrapers
 * configured against it and for nodes run with `http.enabled: false`.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Registry } from "prom-client";
import type { RouteModule } from "../api/app.js";

export function metricsRoutes(registry: Registry): RouteModule {
  return (app) => {
    app.openapi(
      createRoute({
        method: "get",
        path: "/metrics",
        tags: ["health"],
        summary: "Prometheus metrics (text exposition format)",
        security: [],
        responses: { 200: { description: "the metrics", content: { "text/plain": { schema: z.string() } } } },
      }),
      async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }),
    );
  };
}
