/**
 * Ingest: the gateway every connector submits readings through. Runs on the
 * main thread, next to the connectors; talks to actors only through the
 * runtime's public API.
 */
export { IngestGateway } from "./gateway.js";
export type { IndexedRejection, IngestGatewayOptions, ReadingRoute, RejectedReading, SubmitResult } from "./gateway.js";
