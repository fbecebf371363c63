/**
 * The connector's entry point for the composition root. node-opcua is loaded
 * here, on the first call, rather than when the connectors are imported:
 * importing it costs about a second and starts an RSA self-test in the
 * background, which a node without OPC UA endpoints should not pay for.
 */
import type { OpcUaConnector } from "./connector.js";
import type { OpcUaEndpointStatus } from "./endpoint.js";
import type { OpcUaConnectorOptions } from "./options.js";

export interface StartedOpcUaConnector {
  readonly connector: OpcUaConnector;
  /** Each endpoint's status after its first attempt (see OpcUaConnector.start). */
  readonly statuses: OpcUaEndpointStatus[];
}

export async function startOpcUaConnector(options: OpcUaConnectorOptions): Promise<StartedOpcUaConnector> {
  const { OpcUaConnector } = await import("./connector.js");
  const connector = new OpcUaConnector(options);
  try {
    return { connector, statuses: await connector.start() };
  } catch (err) {
    await connector.stop();
    throw err;
  }
}
