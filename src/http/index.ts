/**
 * src/http — the node's one HTTP server (uWebSockets.js, with the Hono
 * control API behind a fetch adapter), authentication, the audit trail,
 * health, the API's route modules, and the operator dashboard (./dashboard).
 *
 * Talks to the system only through the same messages an actor would send
 * (the runtime's public API) and the node's public services (alarm service,
 * history store, gateway); must not reach into actors' internals.
 */
export { createHttpServer } from "./server/server.js";
export type { HttpServer, HttpServerOptions } from "./server/server.js";
export type { FetchHandler } from "./server/adapter.js";
export { HealthRegistry, SUBSYSTEM_STATUSES } from "./health.js";
export type { HealthProbe, HealthReport, SubsystemHealth, SubsystemStatus } from "./health.js";
export { generateApiKey, hashApiKey, KeyRing, ROLES } from "./auth/keys.js";
export type { Caller, Role } from "./auth/keys.js";
