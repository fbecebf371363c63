/**
 * Across nodes: a WebSocket client and the control API on one node reach the
 * units whose partitions another node owns — readings, unit status and alarm
 * transitions in the feed (with the latest state in the snapshot), and
 * maintenance mode and alarm acknowledgement routed to the owner's actors —
 * and when the owner dies and its partitions move, the feed shows nothing
 * twice while the new owner replays. Real processes: a three-server NATS
 * cluster and two Vigil nodes on loopback (deploy/local-cluster), periodic
 * snapshots rare enough that the takeover replays what the dead node had
 * processed since its last snapshot (the one its last operator action took).
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CLUSTER_API_KEY, type LocalNode } from "../../deploy/local-cluster/launcher.js";
import { FeedClient, type FeedEventOnWire } from "../http/feeds/rig.js";
import { hotTemperatureRule, useLocalCluster } from "./cluster-spec.js";
import { readOutputs } from "./readings.js";

const UNITS = Array.from({ length: 12 }, (_, i) => `X${String(i + 1).padStart(3, "0")}`);
const RULE = hotTemperatureRule("xnode-hot");

const cluster = useLocalCluster(2, () => ({
  alarmRules: [RULE],
  // Rare snapshots: a takeover replays what the owner processed; a short ask timeout: an owner that stops answering is told quickly.
  cluster: { snapshotIntervalMs: 600_000, leaseTtlMs: 6_000 },
  sections: { runtime: { askTimeoutMs: 1_500 } },
}));

let nc: NatsConnection;
let client: FeedClient | undefined;
let ts = Date.now() - 10 * 60 * 1000;
/** The unit the spec watches from node-1, owned by node-2. */
let remote = "";

beforeAll(async () => {
  nc = await connect({ servers: cluster().nats.urls });
});

afterAll(async () => {
  client?.close();
  await nc?.close();
});

function node(id: string): LocalNode {
  const found = cluster().nodes.find((n) => n.id === id);
  if (found === undefined) throw new Error(`no ${id}`);
  return found;
}

/** One reading into the cluster's ingest stream; every reading a later timestamp. */
async function publish(unit: string, value: number, sensor = "temperature"): Promise<number> {
  ts += 1_000;
  await jetstream(nc).publish(`vigil.ingest.reading.${unit}.${sensor}`, JSON.stringify({ value, timestamp: ts }));
  return ts;
}

async function api(on: LocalNode, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  return fetch(`${on.httpUrl}${path}`, {
    method: init.method ?? "GET",
    headers: { "x-api-key": LOCAL_CLUSTER_API_KEY, ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
}

function eventsOf(c: FeedClient, kind: string, unit: string): FeedEventOnWire[] {
  return c.frames.flatMap((f) => f.events ?? []).filter((e) => e.kind === kind && e.unit === unit);
}

describe("cross-node feeds", () => {
  it("a client on node-1 gets the latest state of a unit node-2 owns in its snapshot, then its readings, status and alarm transitions live", async () => {
    for (const unit of UNITS) await publish(unit, 20);
    await expect.poll(async () => new Set((await readOutputs(cluster().nats.urls)).map((o) => o.unit)).size, { timeout: 60_000, interval: 500 }).toBe(UNITS.length);
    const owners = new Map((await readOutputs(cluster().nats.urls)).map((o) => [o.unit, o.node]));
    remote = UNITS.find((u) => owners.get(u) === "node-2") ?? "";
    expect(remote).not.toBe("");
    const latestTs = await publish(remote, 21);
    await expect.poll(async () => (await readOutputs(cluster().nats.urls)).some((o) => o.unit === remote && o.ts === latestTs), { timeout: 30_000, interval: 500 }).toBe(true);

    const c = (client = await FeedClient.connect(`${node("node-1").httpUrl.replace(/^http/, "ws")}/ws`, { headers: { "x-api-key": LOCAL_CLUSTER_API_KEY } }));
    // The node's own view may lag the stream a little: subscribe once it has the reading.
    await expect.poll(async () => (await (await api(node("node-1"), `/api/v1/units/${remote}/sensors/temperature`)).json()) as { ts?: number }, { timeout: 30_000, interval: 250 }).toMatchObject({ ts: latestTs });
    // And its unit online: on a slow start (over the 30 s offlineAfterMs between the unit's first reading and this one) it went offline and back.
    await expect.poll(async () => ((await (await api(node("node-1"), `/api/v1/units/${remote}/status`)).json()) as { status?: string }).status, { timeout: 30_000, interval: 250 }).toBe("online");
    const snapshot = (await c.subscribe({ units: [remote], kinds: ["sensor_data", "unit_status", "alarm"] })).filter((f) => f.type === "snapshot").flatMap((f) => f.events ?? []);
    expect(snapshot.find((e) => e.kind === "sensor_data")?.data).toMatchObject({ unit: remote, sensor: "temperature", ts: latestTs, value: 21 });
    expect(snapshot.find((e) => e.kind === "unit_status")?.data).toMatchObject({ unit: remote, status: "online" });

    const hotTs = await publish(remote, 95);
    await c.until(() => eventsOf(c, "sensor_data", remote).some((e) => e.data["ts"] === hotTs), "the hot reading, live");
    await c.until(() => eventsOf(c, "alarm", remote).some((e) => e.event === "raised"), "the alarm raised on node-2");
    await c.until(() => eventsOf(c, "unit_status", remote).length > 0, "a unit status change, live");
  }, 150_000);

  it("the nodes follow other nodes' readings only for the units their clients watch: one consumer on the output stream, for the watched unit", async () => {
    const jsm = await jetstreamManager(nc);
    const filters: string[][] = [];
    // The spec's own readers (readOutputs) read the whole stream, with no filter.
    for await (const info of jsm.consumers.list("VIGIL_PROCESSED")) {
      const filter = info.config.filter_subjects ?? (info.config.filter_subject === undefined || info.config.filter_subject === "" ? [] : [info.config.filter_subject]);
      if (filter.length > 0) filters.push(filter);
    }
    expect(filters).toEqual([[`vigil.processed.${remote}.*`]]);
  });
});

describe("control API on any node", () => {
  it("maintenance mode set on node-1 reaches the unit actor on node-2, and both nodes show it", async () => {
    const res = await api(node("node-1"), `/api/v1/units/${remote}/maintenance`, { method: "PUT", json: { on: true } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ unit: remote, status: "maintenance" });
    for (const on of ["node-1", "node-2"]) {
      await expect.poll(async () => ((await (await api(node(on), `/api/v1/units/${remote}/status`)).json()) as { status?: string }).status, { timeout: 30_000, interval: 250 }).toBe("maintenance");
    }
    expect((await api(node("node-1"), `/api/v1/units/${remote}/maintenance`, { method: "PUT", json: { on: false } })).status).toBe(200);
  }, 60_000);

  it("an alarm of a unit node-2 owns is listed on node-1 and acknowledged there, by the alarm actor on node-2", async () => {
    const alarmId = `${remote}/${RULE.id}/temperature`;
    await expect.poll(async () => ((await (await api(node("node-1"), `/api/v1/alarms?unit=${remote}`)).json()) as { alarms: { id: string }[] }).alarms.map((a) => a.id), { timeout: 30_000, interval: 250 }).toContain(alarmId);
    const res = await api(node("node-1"), `/api/v1/alarms/${encodeURIComponent(alarmId)}/acknowledge`, { method: "POST", json: { comment: "seen from node-1" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: alarmId, state: "active_acknowledged", acknowledgedBy: "local-cluster-admin" });
    const onOwner = (await (await api(node("node-2"), `/api/v1/alarms?unit=${remote}`)).json()) as { alarms: { id: string; state: string }[] };
    expect(onOwner.alarms.find((a) => a.id === alarmId)?.state).toBe("active_acknowledged");
  }, 60_000);

  it("answers 503 VIGIL_API_OWNER_UNREACHABLE while the owner does not answer, and reaches the new owner once the lease has moved", async () => {
    const owner = node("node-2");
    // Processed after the owner's last snapshot (its acknowledgement's): the takeover replays it.
    const unsnapshotted = await publish(remote, 23);
    await expect.poll(async () => (await readOutputs(cluster().nats.urls)).some((o) => o.unit === remote && o.ts === unsnapshotted), { timeout: 30_000, interval: 250 }).toBe(true);
    process.kill(owner.pid, "SIGSTOP"); // frozen: its lease stays held until it expires
    try {
      const res = await api(node("node-1"), `/api/v1/units/${remote}/maintenance`, { method: "PUT", json: { on: true } });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: "VIGIL_API_OWNER_UNREACHABLE" } });
    } finally {
      await owner.kill();
    }
    await expect.poll(async () => (await api(node("node-1"), `/api/v1/units/${remote}/maintenance`, { method: "PUT", json: { on: true } })).status, { timeout: 60_000, interval: 500 }).toBe(200);
  }, 120_000);
});

describe("ownership moving", () => {
  it("the client on node-1 saw every reading and alarm transition of the moved unit once, through the takeover's replay", async () => {
    const c = client as FeedClient;
    const afterTs = await publish(remote, 22);
    await c.until(() => eventsOf(c, "sensor_data", remote).some((e) => e.data["ts"] === afterTs), "a reading processed by the new owner");
    const readings = eventsOf(c, "sensor_data", remote).map((e) => e.data["ts"] as number);
    expect(readings.length).toBeGreaterThanOrEqual(2);
    expect(new Set(readings).size).toBe(readings.length);
    expect(readings).toEqual([...readings].sort((a, b) => a - b));
    // The same transition twice is a repeat; the same seq with another event is not (an acknowledgement the replay did not bring back is followed by new ones).
    const transitions = eventsOf(c, "alarm", remote).map((e) => `${String(e.data["alarmId"])}#${String(e.data["seq"])} ${String(e.event)} ${String(e.data["to"])}`);
    expect(new Set(transitions).size).toBe(transitions.length);
    // Node-1 works the unit now, from the snapshot node-2's acknowledgement took: a replay of what came after.
    const outputs = (await readOutputs(cluster().nats.urls)).filter((o) => o.unit === remote);
    expect(outputs.find((o) => o.ts === afterTs)?.node).toBe("node-1");
  }, 60_000);
});
