/**
 * The OPC UA connector: connects every configured endpoint, turns each data
 * change of a mapped node into a reading for the ingest gateway, and reports
 * each endpoint's connection state for the health endpoint. Browse and read
 * serve the control API, and so do the run-time changes: disconnect an
 * endpoint and connect it again, add an endpoint, map nodes to readings or
 * stop monitoring one. What is changed at run time lasts until the process
 * ends: the config file is what a restart reads.
 */
import type { OPCUACertificateManager } from "node-opcua";
import { VigilError } from "../../../runtime/index.js";
import type { BrowsedNode, NodeValue } from "./browse.js";
import { OBJECTS_FOLDER } from "./browse.js";
import { createCertificateManager, initializeCertificates, type PkiOptions } from "./certificates.js";
import { OpcUaEndpoint, type EndpointContext, type OpcUaEndpointStatus } from "./endpoint.js";
import { routeNodeOpcUaLogs } from "./node-opcua-log.js";
import {
  DEFAULT_APPLICATION_NAME,
  DEFAULT_MAX_PENDING_READINGS,
  DEFAULT_PKI_DIR,
  DEFAULT_RECONNECT,
  fillEndpoint,
  fillNode,
  type OpcUaConnectorOptions,
  type OpcUaEndpointOptions,
  type OpcUaNodeMapping,
} from "./options.js";

export type OpcUaStatusListener = (status: OpcUaEndpointStatus) => void;

export class OpcUaConnector {
  /** By name; an endpoint connected again replaces its stopped one. */
  private readonly endpoints = new Map<string, OpcUaEndpoint>();
  private readonly listeners = new Set<OpcUaStatusListener>();
  private readonly certificates: OPCUACertificateManager;
  private readonly pki: PkiOptions;
  private readonly context: EndpointContext;
  private certificatesReady: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: OpcUaConnectorOptions) {
    routeNodeOpcUaLogs(options.log);
    const pkiDir = options.pkiDir ?? DEFAULT_PKI_DIR;
    this.pki = { dir: pkiDir, acceptUnknown: options.acceptUnknownServerCertificates ?? false, setting: "opcua.pkiDir" };
    this.certificates = createCertificateManager(this.pki);
    this.context = {
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
    for (const e of options.endpoints) {
      const filled = fillEndpoint(e);
      if (this.endpoints.has(filled.name)) {
        throw new VigilError("VIGIL_CONFIG_INVALID", `OPC UA endpoint "${filled.name}" is configured twice; give each a distinct name`);
      }
      this.endpoints.set(filled.name, new OpcUaEndpoint(filled, this.context));
    }
  }

  /**
   * Connect every endpoint. Resolves once each has had its first outcome
   * (connected, refused with a typed error, or not reachable yet and
   * retrying in the background), with their statuses. An endpoint that is
   * down never holds up the others or the node.
   */
  async start(): Promise<OpcUaEndpointStatus[]> {
    await this.certificatesInitialized();
    return Promise.all([...this.endpoints.values()].map((e) => e.start()));
  }

  /**
   * Connects an endpoint again: one disconnected by `disconnect`, or
   * refused for good (say, its credentials were wrong and the server has
   * been fixed), with the mappings it has now. One that is connected or
   * trying already is left as it is. Resolves with its status after the
   * first outcome, as `start` does.
   */
  async connect(name?: string): Promise<OpcUaEndpointStatus> {
    this.refuseWhenStopping();
    const old = this.endpoint(name);
    if (!old.stopped && old.status().state !== "disconnected") return old.status();
    // In its place before anything is awaited: a second connect meanwhile finds it trying.
    const fresh = new OpcUaEndpoint(old.current, this.context);
    this.endpoints.set(fresh.name, fresh);
    await old.stop();
    await this.certificatesInitialized();
    return fresh.start();
  }

  /** Closes an endpoint's session until `connect`; the readings in hand are taken first. */
  async disconnect(name?: string): Promise<OpcUaEndpointStatus> {
    this.refuseWhenStopping();
    const endpoint = this.endpoint(name);
    await endpoint.stop();
    this.context.log.info({ endpoint: endpoint.name }, "OPC UA endpoint disconnected on request");
    return endpoint.status();
  }

  /** Adds an endpoint (the shape of an `opcua.endpoints` entry) and connects it; VIGIL_OPCUA_ENDPOINT_EXISTS when its name is taken. */
  async addEndpoint(options: OpcUaEndpointOptions): Promise<OpcUaEndpointStatus> {
    this.refuseWhenStopping();
    const filled = fillEndpoint(options);
    if (this.endpoints.has(filled.name)) throw new VigilError("VIGIL_OPCUA_ENDPOINT_EXISTS", `an OPC UA endpoint named "${filled.name}" exists already`);
    const endpoint = new OpcUaEndpoint(filled, this.context);
    this.endpoints.set(filled.name, endpoint);
    this.context.log.info({ endpoint: filled.name, endpointUrl: filled.endpointUrl, securityMode: filled.securityMode, securityPolicy: filled.securityPolicy }, "OPC UA endpoint added");
    await this.certificatesInitialized();
    return endpoint.start();
  }

  /** Maps more nodes of an endpoint to readings (monitored at once when connected); VIGIL_OPCUA_NODE_MAPPED for a node mapped already. */
  subscribe(nodes: readonly OpcUaNodeMapping[], endpoint?: string): Promise<OpcUaEndpointStatus> {
    this.refuseWhenStopping();
    return this.endpoint(endpoint).addNodes(nodes.map(fillNode));
  }

  /** Stops monitoring a node of an endpoint; VIGIL_OPCUA_NODE_NOT_MAPPED when it is not mapped. */
  unsubscribe(nodeId: string, endpoint?: string): Promise<OpcUaEndpointStatus> {
    this.refuseWhenStopping();
    return this.endpoint(endpoint).removeNode(nodeId);
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

  /** Creates Vigil's certificate on first use (about a second), then reuses it. */
  private certificatesInitialized(): Promise<void> {
    this.certificatesReady ??= initializeCertificates(this.certificates, this.pki);
    return this.certificatesReady;
  }

  private refuseWhenStopping(): void {
    if (this.stopping !== undefined) throw new VigilError("VIGIL_OPCUA_NOT_CONNECTED", "the OPC UA connector is stopping");
  }

  private endpoint(name: string | undefined): OpcUaEndpoint {
    if (name === undefined) {
      const [only, ...more] = this.endpoints.values();
      if (only !== undefined && more.length === 0) return only;
      throw new VigilError("VIGIL_OPCUA_UNKNOWN_ENDPOINT", `name the OPC UA endpoint: one of ${this.names()}`);
    }
    const found = this.endpoints.get(name);
    if (found === undefined) throw new VigilError("VIGIL_OPCUA_UNKNOWN_ENDPOINT", `no OPC UA endpoint named "${name}"; known: ${this.names()}`);
    return found;
  }

  private names(): string {
    return [...this.endpoints.keys()].map((n) => JSON.stringify(n)).join(", ") || "none";
  }

  private notify(status: OpcUaEndpointStatus): void {
    for (const listener of this.listeners) listener(status);
  }
}
