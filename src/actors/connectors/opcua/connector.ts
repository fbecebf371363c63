/**
 * The OPC UA connector: connects every configured endpoint, turns each data
 * change of a mapped node into a reading for the ingest gateway, and reports
 * each endpoint's connection state for the health endpoint. Browse and read
 * serve the control API.
 */
import type { OPCUACertificateManager } from "node-opcua";
import { VigilError } from "../../../runtime/index.js";
import type { BrowsedNode, NodeValue } from "./browse.js";
import { OBJECTS_FOLDER } from "./browse.js";
import { createCertificateManager, initializeCertificates, type PkiOptions } from "./certificates.js";
import { OpcUaEndpoint, type OpcUaEndpointStatus } from "./endpoint.js";
import { routeNodeOpcUaLogs } from "./node-opcua-log.js";
import {
  DEFAULT_APPLICATION_NAME,
  DEFAULT_MAX_PENDING_READINGS,
  DEFAULT_PKI_DIR,
  DEFAULT_RECONNECT,
  fillEndpoint,
  type OpcUaConnectorOptions,
} from "./options.js";

export type OpcUaStatusListener = (status: OpcUaEndpointStatus) => void;

export class OpcUaConnector {
  private readonly endpoints: ReadonlyMap<string, OpcUaEndpoint>;
  private readonly listeners = new Set<OpcUaStatusListener>();
  private readonly certificates: OPCUACertificateManager;
  private readonly pki: PkiOptions;
  private stopping: Promise<void> | undefined;

  constructor(options: OpcUaConnectorOptions) {
    routeNodeOpcUaLogs(options.log);
    const pkiDir = options.pkiDir ?? DEFAULT_PKI_DIR;
    this.pki = { dir: pkiDir, acceptUnknown: options.acceptUnknownServerCertificates ?? false, setting: "opcua.pkiDir" };
    this.certificates = createCertificateManager(this.pki);
    const context = {
      gateway: options.gateway,
      log: options.log,
      certificates: this.certificates,
      pkiDir,
      applicationName: options.applicationName ?? DEFAULT_APPLICATION_NAME,
      reconnect: options.reconnect ?? DEFAULT_RECONNECT,
      maxPendingReadings: options.maxPendingReadings ?? DEFAULT_MAX_PENDING_READINGS,
      now: options.now ?? Date.now,
      onStatus: (status: OpcUaEndpointStatus) => this.notify(status),
    };
    const endpoints = new Map<string, OpcUaEndpoint>();
    for (const e of options.endpoints) {
      const filled = fillEndpoint(e);
      if (endpoints.has(filled.name)) {
        throw new VigilError("VIGIL_CONFIG_INVALID", `OPC UA endpoint "${filled.name}" is configured twice; give each a distinct name`);
      }
      endpoints.set(filled.name, new OpcUaEndpoint(filled, context));
    }
    this.endpoints = endpoints;
  }

  /**
   * Connect every endpoint. Resolves once each has had its first outcome
   * (connected, refused with a typed error, or not reachable yet and
   * retrying in the background), with their statuses. An endpoint that is
   * down never holds up the others or the node.
   */
  async start(): Promise<OpcUaEndpointStatus[]> {
    // Creates Vigil's certificate on first use (about a second), then reuses it.
    await initializeCertificates(this.certificates, this.pki);
    return Promise.all([...this.endpoints.values()].map((e) => e.start()));
  }

  /** Close every session and wait until the readings already received have been taken. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all([...this.endpoints.values()].map((e) => e.stop()));
      await this.certificates.dispose();
    })();
    return this.stopping;
  }

  status(): OpcUaEndpointStatus[] {
    return [...this.endpoints.values()].map((e) => e.status());
  }

  /** Called on every status change of any endpoint; returns the unsubscribe function. */
  onStatus(listener: OpcUaStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The children of `nodeId` (default: the Objects folder) on `endpoint`
   * (which may be left out when only one is configured).
   */
  async browse(nodeId: string = OBJECTS_FOLDER, endpoint?: string): Promise<BrowsedNode[]> {
    return this.endpoint(endpoint).browse(nodeId);
  }

  /** The current value of `nodeId` on `endpoint`, straight from the server. */
  async read(nodeId: string, endpoint?: string): Promise<NodeValue> {
    return this.endpoint(endpoint).read(nodeId);
  }

  private endpoint(name: string | undefined): OpcUaEndpoint {
    if (name === undefined) {
      const [only, ...more] = this.endpoints.values();
      if (only !== undefined && more.length === 0) return only;
      throw new VigilError("VIGIL_OPCUA_UNKNOWN_ENDPOINT", `name the OPC UA endpoint: one of ${this.names()}`);
    }
    const found = this.endpoints.get(name);
    if (found === undefined) throw new VigilError("VIGIL_OPCUA_UNKNOWN_ENDPOINT", `no OPC UA endpoint named "${name}"; configured: ${this.names()}`);
    return found;
  }

  private names(): string {
    return [...this.endpoints.keys()].map((n) => JSON.stringify(n)).join(", ") || "none";
  }

  private notify(status: OpcUaEndpointStatus): void {
    for (const listener of this.listeners) listener(status);
  }
}
