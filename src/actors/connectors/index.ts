/**
 * src/actors/connectors — the protocol edge of the pipeline: MQTT and NATS
 * ingest (and OPC UA, ./opcua; HTTP ingest is a control API route,
 * src/http/routes/ingest.ts, reusing the batch decoding here). Each connector decodes its protocol into
 * raw readings and hands them to the IngestGateway (src/actors/ingest), which
 * validates them once, counts rejections by source and reason, and delivers
 * them to the sensor actors. Connectors acknowledge their peers only once the
 * gateway has accepted what they sent.
 *
 * Connectors run on the node's main thread. They may depend on the runtime's
 * public API, the transport, config and the ingest gateway; actor kinds must
 * never depend on connectors (no sockets inside actors).
 */
export { parseBatch, submitBatch } from "./batch.js";
export type { BatchAnswer, RejectedItem } from "./batch.js";
export { decodeReadingPayload } from "./decode.js";
export type { ReadingFields } from "./decode.js";
export { readingLimits } from "./limits.js";
export { mqttSettingsFor, startIngestConnectors } from "./start.js";
export type { IngestConnectors, IngestConnectorsOptions } from "./start.js";

export * from "./mqtt/index.js";
export * from "./nats/index.js";

// --- OPC UA (src/actors/connectors/opcua): its exports go below this line. ---
// Only the entry point and the types: node-opcua (about a second to import)
// loads on the first startOpcUaConnector call, not when connectors are imported.
export { OpcUaConnections, startOpcUaConnector } from "./opcua/start.js";
export type * from "./opcua/index.js";
