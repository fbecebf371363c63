/**
 * A guarded API route as route modules declare it: the path under
 * API_PREFIX, the least role it needs (its guard: authentication, role,
 * rate limit), and the refusals that come with them documented once here —
 * 401 and 429 on every guarded route, 403 above viewer, 400 with any
 * parameter, query or body to validate, 413 with a body. A route lists only
 * its own answers (200, 404, 409, …).
 *
 * @example
 * app.openapi(guarded(guard, "viewer", { method: "get", path: "/units", tags, summary, responses: { 200: json(schema, "units") } }), handler);
 */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { Role } from "../auth/keys.js";
import type { Guard } from "../auth/middleware.js";
import type { MiddlewareHandler } from "hono";
import { API_PREFIX, type ApiEnv } from "./env.js";
import { errorResponses } from "./responses.js";

type GuardedConfig = Omit<RouteConfig, "path" | "middleware">;

/** What createRoute makes of `R` under API_PREFIX with a guard (the refusals added here are the document's, not the handler's). */
type GuardedRoute<P extends string, R extends GuardedConfig> = ReturnType<typeof createRoute<`${typeof API_PREFIX}${P}`, Omit<R, "path"> & { path: `${typeof API_PREFIX}${P}`; middleware: MiddlewareHandler<ApiEnv> }>>;

export function guarded<P extends string, R extends GuardedConfig & { path: P }>(guard: Guard, role: Role, route: R): GuardedRoute<P, R> {
  const request = route.request;
  const refusals = errorResponses(
    401,
    429,
    ...(role === "viewer" ? [] : [403 as const]),
    ...(request === undefined ? [] : [400 as const]),
    ...(request?.body === undefined ? [] : [413 as const]),
  );
  const config = { ...route, path: `${API_PREFIX}${route.path}`, middleware: guard(role), responses: { ...refusals, ...route.responses } };
  return createRoute(config) as unknown as GuardedRoute<P, R>;
}
