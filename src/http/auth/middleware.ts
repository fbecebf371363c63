/**
 * Authentication, authorisation, rate limiting and the audit trail as Hono
 * middleware. `authenticate` runs for every API request and refuses a key it
 * does not know; each route then declares the least role it needs with
 * `guard(role)`, which also takes the caller's rate-limit token. Routes
 * without a guard (health, the OpenAPI document, the docs page) are public.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { ApiEnv } from "../api/env.js";
import { errorJson } from "../api/errors.js";
import type { AuditLog } from "./audit.js";
import { presentedKey, roleAllows, type KeyRing, type Role } from "./keys.js";
import type { RateLimiter } from "./rate-limit.js";

export type Guard = (role: Role) => MiddlewareHandler<ApiEnv>;

export function authenticate(keys: KeyRing): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = presentedKey(c.req.raw.headers);
    if (key === undefined) {
      c.set("caller", undefined);
      return next();
    }
    const caller = keys.identify(key);
    if (caller === undefined) return unauthorized(c, "the API key is not valid");
    c.set("caller", caller);
    return next();
  };
}

export function guardWith(limiter: RateLimiter): Guard {
  return (role) => async (c, next) => {
    const caller = c.get("caller");
    if (caller === undefined) return unauthorized(c, "an API key is needed: send it in X-API-Key or Authorization: Bearer");
    if (!roleAllows(caller.role, role)) {
      return errorJson(c, 403, "VIGIL_API_FORBIDDEN", `this needs the ${role} role; key "${caller.keyId}" is ${caller.role}`);
    }
    const decision = limiter.take(caller.keyId);
    if (!decision.ok) {
      return errorJson(c, 429, "VIGIL_API_RATE_LIMITED", `key "${caller.keyId}" is over its rate limit; retry in ${decision.retryAfterSec} s`, {
        "retry-after": String(decision.retryAfterSec),
      });
    }
    return next();
  };
}

function unauthorized(c: Context<ApiEnv>, message: string): Response {
  return errorJson(c, 401, "VIGIL_API_UNAUTHORIZED", message, { "www-authenticate": 'Bearer realm="vigil"' });
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Records every control action (any method but GET, HEAD and OPTIONS) once it has been answered. */
export function auditActions(audit: AuditLog, now: () => number = Date.now): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (READS.has(c.req.method)) return next();
    const at = now();
    await next();
    const caller = c.get("caller");
    const status = c.res.status;
    audit.record({
      at,
      who: caller?.keyId ?? null,
      role: caller?.role ?? null,
      method: c.req.method,
      path: c.req.path,
      status,
      result: status < 400 ? "ok" : (c.get("errorCode") ?? "error"),
      durationMs: now() - at,
    });
  };
}
