/**
 * HTTP batch ingest: the Hono routes (mountable in the control API's app)
 * and a server for them on their own port.
 */
export { createIngestRoutes, INGEST_READINGS_PATH } from "./routes.js";
export type { HttpError, IngestRoutesOptions } from "./routes.js";
export { serveIngestHttp } from "./server.js";
export type { IngestHttpOptions, IngestHttpServer } from "./server.js";
