/**
 * OPC UA in a cluster: each configured endpoint is connected by one node at
 * a time. The right to connect is a lease in the endpoint-leases bucket,
 * held exactly like a partition's (src/runtime/cluster/lease.ts: taken by
 * compare-and-set, renewed on its revision, and the holder stops — here:
 * disconnects — before the lease could expire when it cannot renew). Every
 * node configured with the endpoint tries to take a free lease, on every
 * free marker and on a timer; the one that gets it connects, and when it
 * dies or leaves its lease expires (or is released) and another connects.
 * Two servers' sessions reading the same PLC would ingest every value twice
 * and double its load.
 *
 * Every node keeps all configured endpoints in its connector, unstarted
 * unless leased here. The control API's endpoint operations (browse, read,
 * connect, disconnect, map, unmap) on a node that does not hold a
 * configured endpoint answer 409 VIGIL_OPCUA_HELD_ELSEWHERE naming the
 * holder: the session, and the mappings it monitors, are that node's. An
 * operator's disconnect on the holder keeps the lease (the endpoint stays
 * disconnected, nobody else connects it) until connect or until the holder
 * goes. Endpoints added at run time are this node's own, not leased.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import { OpcUaConnections, type BrowsedNode, type NodeValue, type OpcUaEndpointStatus } from "../actors/connectors/index.js";
import type { IngestGateway } from "../actors/ingest/index.js";
import type { VigilConfig } from "../config/index.js";
import type { OpcUaControl } from "../http/routes/opcua.js";
import { CLUSTER_NAMES, LeaseTable, type ClusterOptions, type LeaseSpace } from "../runtime/cluster/index.js";
import { VigilError } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";

type Endpoint = VigilConfig["opcua"]["endpoints"][number];

/** The node's OPC UA side in a cluster: the control API's view, plus which endpoints this node holds. */
export interface LeasedOpcUa extends OpcUaControl {
  /** Names of the configured endpoints this node holds the lease of (and connects) now. */
  held(): string[];
  stop(): Promise<void>;
}

const KEY_PREFIX = "e_";

/** An endpoint's lease key: its name (default: its URL) in base64url, a valid key whatever the name holds. */
export function endpointLeaseKey(name: string): string {
  return `${KEY_PREFIX}${Buffer.from(name, "utf8").toString("base64url")}`;
}

function nameOf(e: Endpoint): string {
  return e.name ?? e.endpointUrl;
}

export async function startLeasedOpcUa(config: VigilConfig, parts: { js: JetStreamClient; options: ClusterOptions; gateway: IngestGateway; logger: Logger }): Promise<LeasedOpcUa> {
  const log = parts.logger.child({ part: "opcua-leases" });
  const names = config.opcua.endpoints.map(nameOf);
  const keys = names.map(endpointLeaseKey);
  const space: LeaseSpace = {
    bucket: CLUSTER_NAMES.endpointLeases,
    count: names.length,
    key: (i) => keys[i] ?? "",
    index: (key) => {
      const i = keys.indexOf(key);
      return i < 0 ? undefined : i;
    },
  };
  const connections = await OpcUaConnections.standby({ ...config.opcua, gateway: parts.gateway, log: parts.logger.child({ part: "opcua" }) });
  /** Endpoints whose lease is being taken, or whose connection is being opened or closed, right now. */
  const busy = new Set<number>();
  let stopping = false;

  const disconnect = async (i: number, why: string): Promise<void> => {
    const name = names[i] as string;
    log.warn({ endpoint: name, why }, "OPC UA endpoint lease ended: disconnecting");
    await connections.disconnect(name).catch((err: unknown) => log.warn({ endpoint: name, err }, "OPC UA endpoint did not disconnect cleanly"));
  };

  const table: LeaseTable = await LeaseTable.open(
    parts.js,
    parts.options,
    {
      // Could not renew in time: stop reading before another node may connect.
      fence: (i) => void disconnect(i, "lease not renewed in time"),
      freed: () => reconcile(),
    },
    log,
    space,
  );

  const take = async (i: number): Promise<void> => {
    busy.add(i);
    try {
      const lease = await table.acquire(i);
      if (lease === undefined) return;
      if (stopping) {
        await table.release(i);
        return;
      }
      const name = names[i] as string;
      log.info({ endpoint: name, epoch: lease.epoch }, "OPC UA endpoint leased: connecting");
      // Resolves after the first outcome; an unreachable server is retried in the background while the lease is held.
      const status = await connections.connect(name);
      if (table.heldLease(i) === undefined) await connections.disconnect(name); // fenced while connecting
      else log.info({ endpoint: name, state: status.state }, "OPC UA endpoint leased: first outcome");
    } catch (err) {
      log.error({ endpoint: names[i], err }, "OPC UA endpoint could not be connected; its lease is given up");
      await table.release(i);
    } finally {
      busy.delete(i);
    }
  };

  function reconcile(): void {
    if (stopping) return;
    for (let i = 0; i < names.length; i++) {
      if (busy.has(i) || table.heldLease(i) !== undefined || table.holder(i) !== undefined) continue;
      void take(i);
    }
  }

  /** The index of a configured endpoint this node does not hold; undefined for one it holds or does not lease. */
  const elsewhere = (endpoint: string | undefined): number | undefined => {
    const name = endpoint ?? (names.length === 1 && connections.status().length === 1 ? names[0] : undefined);
    const i = name === undefined ? -1 : names.indexOf(name);
    return i < 0 || table.heldLease(i) !== undefined ? undefined : i;
  };
  /** Refuses an operation on an endpoint another node connects: its session (and what it monitors) is that node's. */
  const here = (endpoint: string | undefined): void => {
    const i = elsewhere(endpoint);
    if (i === undefined) return;
    const holder = table.holder(i)?.node;
    throw new VigilError(
      "VIGIL_OPCUA_HELD_ELSEWHERE",
      holder === undefined ? `OPC UA endpoint "${names[i]}" is not connected by any node yet (its lease is free)` : `OPC UA endpoint "${names[i]}" is connected by ${holder}, which holds its lease: ask that node`,
    );
  };

  const timer = setInterval(reconcile, parts.options.leaseTtlMs / 4);
  reconcile();
  return {
    held: () => names.filter((_, i) => table.heldLease(i) !== undefined),
    status: (): OpcUaEndpointStatus[] => connections.status(),
    browse(nodeId?: string, endpoint?: string): Promise<BrowsedNode[]> {
      here(endpoint);
      return connections.browse(nodeId, endpoint);
    },
    read(nodeId: string, endpoint?: string): Promise<NodeValue> {
      here(endpoint);
      return connections.read(nodeId, endpoint);
    },
    connect(endpoint?: string) {
      here(endpoint);
      return connections.connect(endpoint);
    },
    disconnect(endpoint?: string) {
      here(endpoint);
      return connections.disconnect(endpoint);
    },
    addEndpoint: (options) => connections.addEndpoint(options),
    subscribe(nodes, endpoint) {
      here(endpoint);
      return connections.subscribe(nodes, endpoint);
    },
    unsubscribe(nodeId, endpoint) {
      here(endpoint);
      return connections.unsubscribe(nodeId, endpoint);
    },
    async stop() {
      stopping = true;
      clearInterval(timer);
      // Readings in hand are taken before the lease goes, so the next holder starts where this one stopped.
      await connections.stop();
      await Promise.all(table.heldPartitions().map((i) => table.release(i)));
      await table.close();
    },
  };
}
