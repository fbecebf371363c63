/**
 * The control API as one OpenAPIHono app: CORS, the body bound, the audit
 * trail and authentication around every route, JSON errors (400 for invalid
 * input, 404 and 405 too), and the OpenAPI document generated from the same
 * zod schemas that validate. Each area (health, units, alarms, …) is a route
 * module — a function that registers its routes on the app — so later areas
 * add a module and touch nothing else.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import type { Logger } from "../../runtime/log.js";
import type { AuditLog } from "../auth/audit.js";
import type { KeyRing } from "../auth/keys.js";
import { auditActions, authenticate, guardWith, type Guard } from "../auth/middleware.js";
import type { RateLimiter } from "../auth/rate-limit.js";
import { API_PREFIX, type ApiEnv } from "./env.js";
import { errorAnswer, errorJson } from "./errors.js";
import { methodsAllowedFor } from "./methods.js";

export type ApiApp = OpenAPIHono<ApiEnv>;

/** Registers one area's routes; `guard(role)` is the middleware a route needs for its least role. */
export type RouteModule = (app: ApiApp, guard: Guard) => void;

export interface ApiAppOptions {
  readonly keys: KeyRing;
  readonly limiter: RateLimiter;
  readonly audit: AuditLog;
  readonly maxBodyBytes: number;
  /** Allowed browser origins; empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  readonly routes: readonly RouteModule[];
  readonly version: string;
  readonly log: Logger;
}

export function createApiApp(o: ApiAppOptions): ApiApp {
  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorJson(c, 400, "VIGIL_API_BAD_REQUEST", describeInvalid(result.target, result.error));
      return undefined;
    },
  });
  if (o.corsOrigins.length > 0) {
    app.use(
      "*",
      cors({
        origin: o.corsOrigins.includes("*") ? "*" : [...o.corsOrigins],
        allowHeaders: ["Content-Type", "X-API-Key", "Authorization"],
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        exposeHeaders: ["Retry-After"],
        maxAge: 600,
      }),
    );
  }
  // The server bounds bodies too; this keeps the app bounded on any server (the bench's node-server baseline).
  app.use(
    "*",
    bodyLimit({
      maxSize: o.maxBodyBytes,
      onError: (c) => errorJson(c as Context<ApiEnv>, 413, "VIGIL_API_PAYLOAD_TOO_LARGE", `the body is larger than ${o.maxBodyBytes} bytes`),
    }),
  );
  app.use(`${API_PREFIX}/*`, auditActions(o.audit), authenticate(o.keys));
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", { type: "apiKey", in: "header", name: "X-API-Key" });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

  const guard = guardWith(o.limiter);
  for (const register of o.routes) register(app, guard);

  app.get(`${API_PREFIX}/openapi.json`, (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: { title: "Vigil control API", version: o.version, description: "Keys go in X-API-Key or Authorization: Bearer. Roles: viewer < operator < admin." },
        security: [{ apiKey: [] }, { bearer: [] }],
      }),
    ),
  );

  app.notFound((c) => {
    const allowed = methodsAllowedFor(app, c.req.path);
    if (allowed.length > 0) {
      return errorJson(c, 405, "VIGIL_API_METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allowed.join(", ")}`, { allow: allowed.join(", ") });
    }
    return errorJson(c, 404, "VIGIL_API_NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`);
  });
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      // Hono's own refusals (e.g. a body that is not JSON): client errors with their message.
      const status = err.status >= 500 ? 500 : err.status === 413 ? 413 : 400;
      return errorJson(c, status, status === 413 ? "VIGIL_API_PAYLOAD_TOO_LARGE" : status === 400 ? "VIGIL_API_BAD_REQUEST" : "VIGIL_API_INTERNAL", err.message);
    }
    const answer = errorAnswer(err);
    if (answer.internal) o.log.error({ err, method: c.req.method, path: c.req.path }, "an API request failed");
    c.set("errorCode", answer.body.error.code);
    return c.json(answer.body, answer.status);
  });
  return app;
}

function describeInvalid(target: string, error: ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return `the ${target} is invalid`;
  const where = issue.path.length > 0 ? `${target}.${issue.path.join(".")}` : target;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  return `${where}: ${issue.message}${more}`;
}
