/**
 * The OPC UA connector (node-opcua client): connects configured endpoints
 * with their security mode, policy and credentials, subscribes to the mapped
 * nodes, and hands every data change to the ingest gateway as a reading
 * (`value * scale + offset`, status code → quality, source timestamp).
 * Reports each endpoint's connection state; browses and reads for the API,
 * and takes run-time changes from it (connect, disconnect, add an endpoint,
 * map or unmap nodes).
 *
 * node-opcua is imported only inside this folder and the simulator's
 * `opcua-*` files. Importing it costs about a second (and node-opcua starts
 * an RSA self-test in the background), so src/actors/connectors/index.ts
 * re-exports only `startOpcUaConnector` (start.ts, which loads the rest on
 * its first call) and the types; importing this index loads node-opcua.
 *
 * Must not depend on: sockets or HTTP (src/http), the runtime's internals,
 * other connectors. It talks to the system only through the ingest gateway.
 */
export { OpcUaConnections, startOpcUaConnector } from "./start.js";
export type { StartedOpcUaConnector } from "./start.js";
export { OpcUaConnector } from "./connector.js";
export type { OpcUaStatusListener } from "./connector.js";
export { CONNECTION_STATES } from "./endpoint.js";
export type { BadNode, OpcUaConnectionState, OpcUaEndpointStatus } from "./endpoint.js";
export { OBJECTS_FOLDER } from "./browse.js";
export type { BrowsedNode, NodeValue } from "./browse.js";
export { SECURITY_MODES, SECURITY_POLICIES } from "./options.js";
export type {
  OpcUaConnectorOptions,
  OpcUaEndpointOptions,
  OpcUaNodeMapping,
  OpcUaSecurityMode,
  OpcUaSecurityPolicy,
  ReadingSink,
  ReconnectOptions,
} from "./options.js";
