/** GET /api/v1/audit (admin): the newest control actions, newest first. */
import { z } from "@hono/zod-openapi";
import type { RouteModule } from "../api/app.js";
import { guarded } from "../api/route.js";
import { errorBodySchema } from "../api/errors.js";
import type { AuditLog } from "../auth/audit.js";

const entrySchema = z
  .object({
    at: z.number().int(),
    who: z.string().nullable(),
    role: z.string().nullable(),
    method: z.string(),
    path: z.string(),
    status: z.number().int(),
    result: z.string(),
    durationMs: z.number(),
  })
  .openapi("AuditEntry");

export function auditRoutes(audit: AuditLog): RouteModule {
  return (app, guard) => {
    app.openapi(
      guarded(guard, "admin", {
        method: "get",
        path: "/audit",
        tags: ["security"],
        summary: "Recent control actions (who, what, when, result), newest first",
        request: { query: z.object({ limit: z.coerce.number().int().min(1).max(10_000).optional() }) },
        responses: {
          200: { description: "entries", content: { "application/json": { schema: z.object({ entries: z.array(entrySchema) }) } } },
          403: { description: "not an admin key", content: { "application/json": { schema: errorBodySchema } } },
        },
      }),
      (c) => c.json({ entries: audit.entries(c.req.valid("query").limit) }, 200),
    );
  };
}
