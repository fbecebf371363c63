/**
 * NATS ingest: single-reading and batch subjects over the node's Transport
 * (in-process or NATS), shared by a queue group.
 */
export { DEFAULT_INGEST_QUEUE, startNatsIngest } from "./ingest.js";
export type { BatchError, NatsIngest, NatsIngestOptions } from "./ingest.js";
