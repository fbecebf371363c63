/**
 * An OPC UA endpoint in a cluster is connected by one node at a time: the
 * nodes configured with it race for its lease (the partition lease
 * mechanism, in its own bucket), the holder alone opens a session and
 * reads, the others refuse its operations naming the holder, and when the
 * holder is killed its lease expires and another node connects. Real
 * processes: a node-opcua server started here, a three-server NATS cluster
 * and three Vigil nodes on loopback (deploy/local-cluster).
 */
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CLUSTER_API_KEY, type LocalNode } from "../../deploy/local-cluster/launcher.js";
import { PlantOpcUaServer } from "../../src/actors/simulator/opcua-server.js";
import { endpointLeaseKey } from "../../src/node/opcua-leases.js";
import { CLUSTER_NAMES } from "../../src/runtime/cluster/index.js";
import { silentLog } from "../fixtures/actor-system.js";
import { CLIENT_PKI, SERVER_PKI } from "../actors/connectors/opcua/pki.js";
import { useLocalCluster } from "./cluster-spec.js";
import { readOutputs } from "./readings.js";

const ENDPOINT = "plc-1";

const server = new PlantOpcUaServer({ pkiDir: SERVER_PKI, units: { OPC001: ["temperature"] }, log: silentLog });
beforeAll(async () => {
  await server.start();
}, 60_000);
afterAll(async () => {
  await server.stop();
});

const cluster = useLocalCluster(3, () =>
  Promise.resolve({
    sections: {
      opcua: {
        enabled: true,
        pkiDir: CLIENT_PKI,
        acceptUnknownServerCertificates: true,
        endpoints: [{ name: ENDPOINT, endpointUrl: server.endpointUrl, publishingIntervalMs: 100, samplingIntervalMs: 50, nodes: [{ nodeId: "ns=1;s=OPC001.temperature", unit: "OPC001", sensor: "temperature" }] }],
      },
    },
  }),
);

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: cluster().nats.urls });
});
afterAll(async () => {
  await nc?.close();
});

/** The endpoint's lease as the bucket holds it: the holder and the key's revision (each renewal raises it). */
async function lease(): Promise<{ node: string; revision: number } | undefined> {
  const kv = await new Kvm(jetstream(nc)).open(CLUSTER_NAMES.endpointLeases);
  const entry = await kv.get(endpointLeaseKey(ENDPOINT));
  if (entry === null || entry.operation !== "PUT") return undefined;
  return { node: entry.json<{ node: string }>().node, revision: entry.revision };
}

async function api(on: LocalNode, path: string): Promise<Response> {
  return fetch(`${on.httpUrl}${path}`, { headers: { "x-api-key": LOCAL_CLUSTER_API_KEY } });
}

/** The endpoint's connection state as each running node's API reports it. */
async function states(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of cluster().nodes.filter((n) => n.running)) {
    const body = (await (await api(n, "/api/v1/connections/opcua")).json()) as { endpoints: { endpoint: string; state: string }[] };
    out[n.id] = body.endpoints.find((e) => e.endpoint === ENDPOINT)?.state ?? "absent";
  }
  return out;
}

function connectedOnly(node: string, running: LocalNode[]): Record<string, string> {
  return Object.fromEntries(running.map((n) => [n.id, n.id === node ? "connected" : "disconnected"]));
}

/** Sets the server's value and waits until a processed reading of it is in the cluster's output stream. */
async function valueReachesCluster(value: number): Promise<void> {
  server.setValue("OPC001", "temperature", value, "GOOD");
  await expect
    .poll(async () => (await readOutputs(cluster().nats.urls)).some((o) => o.unit === "OPC001" && (o as unknown as { value: number }).value === value), { timeout: 60_000, interval: 500 })
    .toBe(true);
}

let holder: LocalNode | undefined;

describe("OPC UA endpoint lease", () => {
  it("lets exactly one node hold a session on the endpoint while its lease is renewed, and its readings reach the cluster", async () => {
    await expect.poll(async () => (await lease())?.node, { timeout: 60_000, interval: 250 }).toBeDefined();
    const first = (await lease()) as { node: string; revision: number };
    holder = cluster().nodes.find((n) => n.id === first.node);
    await expect.poll(states, { timeout: 60_000, interval: 250 }).toEqual(connectedOnly(first.node, cluster().nodes));
    // Renewed several times over: the other nodes have had as many chances to connect, and none did.
    for (let renewals = 0; renewals < 4; ) {
      await new Promise((resolve) => setTimeout(resolve, 750));
      const now = (await lease()) as { node: string; revision: number };
      expect(now.node).toBe(first.node);
      expect(server.currentSessions).toBe(1);
      expect(await states()).toEqual(connectedOnly(first.node, cluster().nodes));
      renewals = now.revision - first.revision;
    }
    await valueReachesCluster(41.5);
  }, 180_000);

  it("refuses an endpoint operation on a node that does not hold the endpoint, naming the holder", async () => {
    const other = cluster().nodes.find((n) => n.id !== holder?.id) as LocalNode;
    const res = await api(other, `/api/v1/connections/opcua/read?endpoint=${ENDPOINT}&nodeId=${encodeURIComponent("ns=1;s=OPC001.temperature")}`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VIGIL_OPCUA_HELD_ELSEWHERE");
    expect(body.error.message).toContain(holder?.id);
    const onHolder = await api(holder as LocalNode, `/api/v1/connections/opcua/read?endpoint=${ENDPOINT}&nodeId=${encodeURIComponent("ns=1;s=OPC001.temperature")}`);
    expect(onHolder.status).toBe(200);
  });

  it("moves to one other node when the holder is killed: its lease expires and exactly one survivor connects", async () => {
    const dead = holder as LocalNode;
    await dead.kill();
    await expect.poll(async () => [undefined, dead.id].includes((await lease())?.node), { timeout: 60_000, interval: 250 }).toBe(false);
    const next = (await lease())?.node as string;
    const survivors = cluster().nodes.filter((n) => n.running);
    await expect.poll(states, { timeout: 60_000, interval: 250 }).toEqual(connectedOnly(next, survivors));
    await valueReachesCluster(43.25);
    expect(await states()).toEqual(connectedOnly(next, survivors));
  }, 180_000);
});
