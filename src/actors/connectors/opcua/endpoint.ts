/**
 * One OPC UA endpoint: a node-opcua client, its session, one subscription
 * with a monitored item per node mapping, and the connection's state.
 * Mappings may be added and removed while it runs (the control API): an
 * added one is monitored at once when connected, else at the next connect;
 * a removed one's group of monitored items is re-created without it (the
 * server then sends its other nodes' current values again, which the
 * sensor actors refuse as duplicates). An endpoint that has been stopped
 * stays stopped: its connector makes a new one to connect again.
 *
 * Who repairs what:
 * - A connection that breaks after it was up is repaired by node-opcua: it
 *   reconnects with backoff, reactivates the session or creates a new one,
 *   and transfers or re-creates the subscription and its monitored items
 *   (verified by the server-restart spec). We follow its events to report
 *   `reconnecting` and `connected`.
 * - A first connection that fails part-way (a session or subscription
 *   refused for a passing reason) is retried here with a fresh client, with
 *   the same backoff. Refused credentials, an unoffered security mode or an
 *   untrusted certificate are not retried: the endpoint is `disconnected`
 *   with a typed error until someone fixes the configuration.
 */
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  UserTokenType,
  type ClientMonitoredItemGroup,
  type ClientSession,
  type ClientSubscription,
  type OPCUACertificateManager,
  type UserIdentityInfo,
} from "node-opcua";
import type { Logger } from "pino";
import { VigilError, type VigilErrorCode } from "../../../runtime/index.js";
import { browseChildren, parseNodeId, readNodeValue, type BrowsedNode, type NodeValue } from "./browse.js";
import { toRawReading } from "./data-change.js";
import { classifyConnectError, isPermanent } from "./errors.js";
import type { FilledEndpointOptions, OpcUaNodeMapping, ReadingSink, ReconnectOptions } from "./options.js";
import { OrderedSubmitter } from "./ordered-submitter.js";

export const CONNECTION_STATES = ["connecting", "connected", "reconnecting", "disconnected"] as const;
export type OpcUaConnectionState = (typeof CONNECTION_STATES)[number];

/** A mapped node the server would not monitor (or whose id does not parse). */
export interface BadNode {
  readonly nodeId: string;
  readonly unit: string;
  readonly sensor: string;
  /** e.g. `BadNodeIdUnknown` */
  readonly reason: string;
}

export interface OpcUaEndpointStatus {
  /** The endpoint's name (its URL unless configured). */
  readonly endpoint: string;
  readonly endpointUrl: string;
  readonly state: OpcUaConnectionState;
  /** When `state` last changed, epoch ms. */
  readonly since: number;
  /** Mapped nodes with a working monitored item. */
  readonly monitoredNodes: number;
  readonly badNodes: readonly BadNode[];
  /** Why the endpoint is not connected, when it is not. */
  readonly error: { readonly code: VigilErrorCode; readonly message: string } | undefined;
}

/** What every endpoint of one connector shares. */
export interface EndpointContext {
  readonly gateway: ReadingSink;
  readonly log: Logger;
  readonly certificates: OPCUACertificateManager;
  readonly pkiDir: string;
  readonly applicationName: string;
  readonly reconnect: ReconnectOptions;
  readonly maxPendingReadings: number;
  readonly now: () => number;
  readonly onStatus: (status: OpcUaEndpointStatus) => void;
}

/** Monitored items created per request; servers cap items per call (often at 1,000 or more). */
const MONITOR_BATCH = 500;
/** A session the server keeps while we are away, e.g. across a short network break. */
const SESSION_TIMEOUT_MS = 60 * 1000; // 1 minute
/** The subscription sends a keep-alive at least this often when nothing changes. */
const KEEP_ALIVE_MS = 10 * 1000; // 10 seconds
/** The server drops a subscription nobody has collected from for this long. */
const SUBSCRIPTION_LIFETIME_MS = 60 * 1000; // 1 minute

interface MonitoredGroup {
  readonly group: ClientMonitoredItemGroup;
  readonly mappings: readonly Required<OpcUaNodeMapping>[];
}

type NodeMapping = Required<OpcUaNodeMapping>;

export class OpcUaEndpoint {
  /** Disconnected until started: a cluster node keeps the endpoints it does not hold the lease of unstarted. */
  private state: OpcUaConnectionState = "disconnected";
  private since: number;
  private error: VigilError | undefined;
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private subscription: ClientSubscription | undefined;
  /** The mappings, configured and added since; what a (re)connect monitors. */
  private readonly nodes: NodeMapping[];
  private groups: MonitoredGroup[] = [];
  /** Changes to the monitored items, one at a time. */
  private monitoring: Promise<void> = Promise.resolve();
  private unparsable: BadNode[] = [];
  private badNodes: readonly BadNode[] = [];
  private monitoredNodes = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private establishing: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly submitter: OrderedSubmitter;
  private readonly firstOutcome: Promise<OpcUaEndpointStatus>;
  private settleFirstOutcome!: () => void;

  constructor(
    private readonly options: FilledEndpointOptions,
    private readonly context: EndpointContext,
  ) {
    this.since = context.now();
    this.nodes = [...options.nodes];
    this.submitter = new OrderedSubmitter(context.gateway, context.maxPendingReadings, context.log, options.name);
    this.firstOutcome = new Promise((resolve) => (this.settleFirstOutcome = () => resolve(this.status())));
  }

  get name(): string {
    return this.options.name;
  }

  /** The endpoint's options with its mappings as they are now: what a new endpoint connecting in its place is given. */
  get current(): FilledEndpointOptions {
    return { ...this.options, nodes: [...this.nodes] };
  }

  /** Whether it has been stopped (it does not connect again). */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Maps more nodes; monitored at once when connected, else on connecting.
   * VIGIL_OPCUA_NODE_MAPPED when a node id is mapped already (nothing is
   * added). Resolves with the status once the server has answered.
   */
  async addNodes(mappings: readonly NodeMapping[]): Promise<OpcUaEndpointStatus> {
    const taken = mappings.filter((m, i) => this.nodes.some((n) => n.nodeId === m.nodeId) || mappings.findIndex((o) => o.nodeId === m.nodeId) < i);
    if (taken.length > 0) throw new VigilError("VIGIL_OPCUA_NODE_MAPPED", `${this.options.name}: ${taken.map((m) => m.nodeId).join(", ")} mapped already (or twice)`);
    this.nodes.push(...mappings);
    await this.changeMonitoring(() => this.monitorUnmonitored());
    this.context.log.info({ endpoint: this.options.name, nodes: mappings.map((m) => m.nodeId) }, "OPC UA node mappings added");
    return this.status();
  }

  /** Stops monitoring a mapped node; VIGIL_OPCUA_NODE_NOT_MAPPED when it is not. */
  async removeNode(nodeId: string): Promise<OpcUaEndpointStatus> {
    const at = this.nodes.findIndex((n) => n.nodeId === nodeId);
    if (at < 0) throw new VigilError("VIGIL_OPCUA_NODE_NOT_MAPPED", `${this.options.name} does not map ${nodeId}`);
    this.nodes.splice(at, 1);
    this.unparsable = this.unparsable.filter((b) => b.nodeId !== nodeId);
    await this.changeMonitoring(async () => {
      const held = this.groups.find((g) => g.mappings.some((m) => m.nodeId === nodeId));
      if (held === undefined) return;
      this.groups.splice(this.groups.indexOf(held), 1);
      await held.group.terminate();
      await this.monitorUnmonitored();
    });
    this.context.log.info({ endpoint: this.options.name, nodeId }, "OPC UA node mapping removed");
    return this.status();
  }

  /**
   * Start connecting. Resolves with the status after the first outcome:
   * connected and subscribed, refused for good, or the first attempt failed
   * (the endpoint keeps trying in the background).
   */
  start(): Promise<OpcUaEndpointStatus> {
    if (this.establishing === undefined && this.stopping === undefined) {
      this.setState("connecting", undefined);
      this.establishing = this.establish();
    }
    return this.firstOutcome;
  }

  /** Close the session (the server deletes the subscription) and wait for readings in hand to be taken. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  status(): OpcUaEndpointStatus {
    return {
      endpoint: this.options.name,
      endpointUrl: this.options.endpointUrl,
      state: this.state,
      since: this.since,
      monitoredNodes: this.monitoredNodes,
      badNodes: this.badNodes,
      error: this.error === undefined ? undefined : { code: this.error.code, message: this.error.message },
    };
  }

  async browse(nodeId: string): Promise<BrowsedNode[]> {
    return this.withSession((session) => browseChildren(session, nodeId));
  }

  async read(nodeId: string): Promise<NodeValue> {
    return this.withSession((session) => readNodeValue(session, nodeId));
  }

  private async withSession<T>(use: (session: ClientSession) => Promise<T>): Promise<T> {
    const session = this.session;
    if (this.state !== "connected" || session === undefined) {
      throw new VigilError("VIGIL_OPCUA_NOT_CONNECTED", `${this.options.name} is ${this.state}`);
    }
    try {
      return await use(session);
    } catch (err) {
      if (err instanceof VigilError) throw err;
      throw new VigilError("VIGIL_OPCUA_CONNECT_FAILED", `${this.options.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async establish(): Promise<void> {
    const client = this.createClient();
    this.client = client;
    try {
      await client.connect(this.options.endpointUrl);
      const session = await client.createSession(this.identity());
      this.session = session;
      const subscription = await session.createSubscription2(this.subscriptionParameters());
      this.subscription = subscription;
      this.unparsable = [];
      // In line with mappings added meanwhile, so no node is monitored twice.
      await this.changeMonitoring(() => this.monitorUnmonitored());
    } catch (err) {
      await this.failed(client, err);
      return;
    }
    if (this.stopping !== undefined) return;
    this.failedAttempts = 0;
    this.setState("connected", undefined);
    this.context.log.info(
      { endpoint: this.options.name, monitoredNodes: this.monitoredNodes, badNodes: this.badNodes.length },
      "OPC UA endpoint connected",
    );
  }

  private async failed(client: OPCUAClient, err: unknown): Promise<void> {
    if (this.stopping !== undefined) return; // stop() disconnected the client under us
    const error = classifyConnectError(err, this.options.name, this.context.pkiDir);
    this.client = undefined;
    this.session = undefined;
    this.subscription = undefined;
    this.groups = [];
    await client.disconnect().catch(() => undefined);
    if (this.stopping !== undefined) return;
    if (isPermanent(error)) {
      this.context.log.error({ endpoint: this.options.name, code: error.code, username: this.options.username }, error.message);
      this.setState("disconnected", error);
      return;
    }
    const delayMs = Math.min(this.context.reconnect.maxMs, this.context.reconnect.minMs * 2 ** this.failedAttempts++);
    this.context.log.warn({ endpoint: this.options.name, code: error.code, retryInMs: delayMs }, error.message);
    this.setState("reconnecting", error);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.establishing = this.establish();
    }, delayMs);
  }

  private createClient(): OPCUAClient {
    const { reconnect, applicationName, certificates } = this.context;
    const client = OPCUAClient.create({
      applicationName,
      clientName: `${applicationName}-${this.options.name}`,
      // Connect to the URL as configured, even if the server advertises another host name.
      endpointMustExist: false,
      securityMode: MessageSecurityMode[this.options.securityMode],
      securityPolicy: SecurityPolicy[this.options.securityPolicy],
      clientCertificateManager: certificates,
      // maxRetry -1: node-opcua retries (with this backoff) until it connects or we disconnect.
      connectionStrategy: { initialDelay: reconnect.minMs, maxDelay: reconnect.maxMs, maxRetry: -1 },
      requestedSessionTimeout: SESSION_TIMEOUT_MS,
      // Reads on an idle session notice a silently dead link (no FIN, e.g. a pulled cable).
      keepSessionAlive: true,
    });
    client.on("backoff", (retry: number, delayMs: number) => {
      if (this.state === "connecting" && retry === 0) {
        // Not reachable yet: say so, and let start() return while we keep trying.
        this.error = new VigilError("VIGIL_OPCUA_CONNECT_FAILED", `${this.options.name} is not reachable yet; retrying`);
        this.context.onStatus(this.status());
        this.settleFirstOutcome();
        this.context.log.warn({ endpoint: this.options.name }, "OPC UA endpoint not reachable yet; retrying");
      }
      this.context.log.debug({ endpoint: this.options.name, retry, delayMs }, "OPC UA connection attempt failed");
    });
    client.on("connection_lost", () => {
      if (this.client !== client || this.state !== "connected") return;
      this.context.log.warn({ endpoint: this.options.name }, "OPC UA connection lost; reconnecting");
      this.setState("reconnecting", new VigilError("VIGIL_OPCUA_NOT_CONNECTED", `${this.options.name}: connection lost; reconnecting`));
    });
    // Emitted once node-opcua has restored the session and its subscription.
    client.on("connection_reestablished", () => {
      if (this.client !== client || this.state !== "reconnecting") return;
      this.refreshMonitoredNodes();
      this.setState("connected", undefined);
      // Mappings added while the link was being repaired.
      void this.changeMonitoring(() => this.monitorUnmonitored());
      this.context.log.info({ endpoint: this.options.name, monitoredNodes: this.monitoredNodes }, "OPC UA endpoint reconnected");
    });
    return client;
  }

  private identity(): UserIdentityInfo {
    const { username, password } = this.options;
    if (username === undefined) return { type: UserTokenType.Anonymous };
    return { type: UserTokenType.UserName, userName: username, password: password ?? "" };
  }

  private subscriptionParameters() {
    const publishing = this.options.publishingIntervalMs;
    const keepAliveCount = Math.max(1, Math.ceil(KEEP_ALIVE_MS / publishing));
    return {
      requestedPublishingInterval: publishing,
      requestedMaxKeepAliveCount: keepAliveCount,
      // The spec wants the lifetime to be at least three keep-alives.
      requestedLifetimeCount: Math.max(3 * keepAliveCount, Math.ceil(SUBSCRIPTION_LIFETIME_MS / publishing)),
      maxNotificationsPerPublish: 0, // no limit
      publishingEnabled: true,
      priority: 10,
    };
  }

  /** Runs a change of the monitored items after the ones before it; applied when there is a subscription that is not being repaired. */
  private changeMonitoring(change: () => Promise<void>): Promise<void> {
    const run = this.monitoring.then(async () => {
      if (this.subscription === undefined || this.state === "reconnecting" || this.stopping !== undefined) return;
      await change();
      this.refreshMonitoredNodes();
      this.context.onStatus(this.status());
    });
    // One failed change (the server refused the request) must not block the next.
    this.monitoring = run.catch((err: unknown) => this.context.log.warn({ err, endpoint: this.options.name }, "OPC UA monitored items change failed"));
    return run;
  }

  /**
   * One monitored item per mapping not monitored yet, in batches; every
   * data change goes to the gateway in order. At connect that is every
   * mapping; later, the ones added since.
   */
  private async monitorUnmonitored(): Promise<void> {
    const subscription = this.subscription;
    if (subscription === undefined) return;
    const monitored = new Set(this.groups.flatMap((g) => g.mappings.map((m) => m.nodeId)));
    const unparsable = new Set(this.unparsable.map((b) => b.nodeId));
    const valid: NodeMapping[] = [];
    for (const mapping of this.nodes) {
      if (monitored.has(mapping.nodeId) || unparsable.has(mapping.nodeId)) continue;
      try {
        parseNodeId(mapping.nodeId);
        valid.push(mapping);
      } catch {
        this.unparsable.push({ nodeId: mapping.nodeId, unit: mapping.unit, sensor: mapping.sensor, reason: "not an OPC UA node id" });
      }
    }
    const parameters = { samplingInterval: this.options.samplingIntervalMs, queueSize: this.queueSize(), discardOldest: true };
    for (let i = 0; i < valid.length; i += MONITOR_BATCH) {
      const mappings = valid.slice(i, i + MONITOR_BATCH);
      const items = mappings.map((m) => ({ nodeId: m.nodeId, attributeId: AttributeIds.Value }));
      const group = await subscription.monitorItems(items, parameters, TimestampsToReturn.Both);
      group.on("changed", (_item, dataValue, index) => {
        const mapping = mappings[index];
        if (mapping !== undefined) this.submitter.submit(toRawReading(mapping, dataValue));
      });
      this.groups.push({ group, mappings });
    }
    this.refreshMonitoredNodes();
    if (this.badNodes.length > 0) {
      this.context.log.warn({ endpoint: this.options.name, badNodes: this.badNodes }, "OPC UA server refused to monitor some mapped nodes");
    }
  }

  /** Values the server may buffer between two publishes: enough for two intervals of samples. */
  private queueSize(): number {
    const { publishingIntervalMs: publishing, samplingIntervalMs: sampling } = this.options;
    if (sampling === 0) return 100;
    return Math.min(1000, Math.max(1, 2 * Math.ceil(publishing / sampling)));
  }

  private refreshMonitoredNodes(): void {
    const bad = [...this.unparsable];
    let monitored = 0;
    for (const { group, mappings } of this.groups) {
      group.monitoredItems.forEach((item, index) => {
        const mapping = mappings[index];
        if (mapping === undefined) return;
        if (item.statusCode.isGood()) monitored++;
        else bad.push({ nodeId: mapping.nodeId, unit: mapping.unit, sensor: mapping.sensor, reason: item.statusCode.name });
      });
    }
    this.monitoredNodes = monitored;
    this.badNodes = bad;
  }

  private async shutdown(): Promise<void> {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.session = undefined;
    this.subscription = undefined;
    // Closes the session (and with it the subscription) and cancels any reconnection in progress.
    if (client !== undefined) {
      await client.disconnect().catch((err: unknown) => this.context.log.debug({ err, endpoint: this.options.name }, "OPC UA disconnect failed"));
    }
    await this.establishing;
    await this.submitter.drained();
    this.groups = [];
    this.setState("disconnected", undefined);
  }

  private setState(state: OpcUaConnectionState, error: VigilError | undefined): void {
    const changed = state !== this.state;
    this.state = state;
    this.error = error;
    if (changed) this.since = this.context.now();
    if (state !== "connecting") this.settleFirstOutcome();
    this.context.onStatus(this.status());
  }
}
