/**
 * The connector's entry points for the composition root. node-opcua is
 * loaded here, on the first call, rather than when the connectors are
 * imported: importing it costs about a second and starts an RSA self-test
 * in the background, which a node that never speaks OPC UA should not pay
 * for. `OpcUaConnections` is what a node holds: the connector started at
 * once when endpoints are configured, else on the first endpoint added at
 * run time.
 */
import type { OpcUaConnector } from "./connector.js";
import type { BrowsedNode, NodeValue } from "./browse.js";
import type { OpcUaEndpointStatus } from "./endpoint.js";
import type { OpcUaConnectorOptions, OpcUaEndpointOptions, OpcUaNodeMapping } from "./options.js";
import { VigilError } from "../../../runtime/index.js";

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

/** The node's OPC UA side: the connector's operations, with the connector made when first needed. */
export class OpcUaConnections {
  private connector: OpcUaConnector | undefined;
  private starting: Promise<OpcUaConnector> | undefined;

  private constructor(private readonly options: OpcUaConnectorOptions) {}

  /** Starts the connector now when endpoints are configured (resolving after each one's first outcome). */
  static async start(options: OpcUaConnectorOptions): Promise<OpcUaConnections> {
    const connections = new OpcUaConnections(options);
    if (options.endpoints.length > 0) await connections.running();
    return connections;
  }

  /**
   * Makes the connector with the configured endpoints but connects none:
   * a cluster node connects an endpoint only while it holds its lease
   * (src/node/opcua-leases.ts), through `connect`.
   */
  static async standby(options: OpcUaConnectorOptions): Promise<OpcUaConnections> {
    const connections = new OpcUaConnections(options);
    connections.starting = import("./connector.js").then(({ OpcUaConnector }) => (connections.connector = new OpcUaConnector(options)));
    await connections.starting;
    return connections;
  }

  status(): OpcUaEndpointStatus[] {
    return this.connector?.status() ?? [];
  }

  browse(nodeId?: string, endpoint?: string): Promise<BrowsedNode[]> {
    return this.existing().browse(nodeId, endpoint);
  }

  read(nodeId: string, endpoint?: string): Promise<NodeValue> {
    return this.existing().read(nodeId, endpoint);
  }

  connect(endpoint?: string): Promise<OpcUaEndpointStatus> {
    return this.existing().connect(endpoint);
  }

  disconnect(endpoint?: string): Promise<OpcUaEndpointStatus> {
    return this.existing().disconnect(endpoint);
  }

  async addEndpoint(options: OpcUaEndpointOptions): Promise<OpcUaEndpointStatus> {
    return (await this.running()).addEndpoint(options);
  }

  subscribe(nodes: readonly OpcUaNodeMapping[], endpoint?: string): Promise<OpcUaEndpointStatus> {
    return this.existing().subscribe(nodes, endpoint);
  }

  unsubscribe(nodeId: string, endpoint?: string): Promise<OpcUaEndpointStatus> {
    return this.existing().unsubscribe(nodeId, endpoint);
  }

  async stop(): Promise<void> {
    const connector = await this.starting?.catch(() => undefined);
    await connector?.stop();
  }

  private running(): Promise<OpcUaConnector> {
    this.starting ??= startOpcUaConnector(this.options).then(({ connector }) => (this.connector = connector));
    return this.starting;
  }

  /** The connector, for an operation on an endpoint: with none made yet, there is no endpoint to name. */
  private existing(): OpcUaConnector {
    if (this.connector === undefined) throw new VigilError("VIGIL_OPCUA_UNKNOWN_ENDPOINT", "no OPC UA endpoint is configured or added on this node");
    return this.connector;
  }
}
