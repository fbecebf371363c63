/**
 * What a cluster member takes in itself — a gateway's batch over NATS
 * (vigil.ingest.batch), an HTTP batch, MQTT readings — goes through the
 * partitioned ingest stream like any published reading: each reading is
 * processed by the owner of its unit's partition (not by the member that
 * took it in, unless it owns that partition), keeps its source, and is
 * output exactly once. Real processes: a three-server NATS cluster, a
 * Mosquitto broker, three Vigil nodes on loopback.
 */
import { connect as connectMqtt } from "mqtt";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/http/index.js";
import { partitionLayout, partitionOfKey } from "../../src/runtime/cluster/index.js";
import { freePort } from "../harness/probes.js";
import { startMosquitto, type ServerHandle } from "../harness/servers.js";
import { useLocalCluster } from "./cluster-spec.js";
import { readOutputs, type Output } from "./readings.js";

const PARTITIONS = 16; // useLocalCluster's
const OPERATOR_KEY = "member-ingest-operator-key";
const cluster = useLocalCluster(2);
let mosquitto: ServerHandle;

beforeAll(async () => {
  mosquitto = await startMosquitto();
});

afterAll(async () => {
  await mosquitto.stop();
});

interface SourcedOutput extends Output {
  source: string;
}

describe("a cluster member's own ingest", () => {
  it("goes through the partitioned ingest stream: NATS batches, HTTP and MQTT readings are each processed by their partition's owner once", async () => {
    const httpPort = await freePort();
    const edge = await cluster().addNode(undefined, {
      http: { enabled: true, port: httpPort, keys: [{ id: "operator", role: "operator", sha256: hashApiKey(OPERATOR_KEY) }] },
      mqtt: { enabled: true, url: mosquitto.url },
    });
    const base = Date.now() - 10 * 60 * 1000;
    const batch = (prefix: string): { unit: string; sensor: string; value: number; timestamp: number }[] =>
      Array.from({ length: 20 }, (_, i) => ({ unit: `${prefix}${String(i).padStart(3, "0")}`, sensor: "s1", value: 20 + i, timestamp: base + i }));

    const nc = await connect({ servers: cluster().nats.urls });
    try {
      const answer = await nc.request("vigil.ingest.batch", JSON.stringify(batch("N")), { timeout: 20_000 });
      expect(answer.json()).toEqual({ accepted: 20, rejected: [] });
    } finally {
      await nc.close();
    }

    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": OPERATOR_KEY },
      body: JSON.stringify(batch("H")),
    });
    expect(await res.json()).toMatchObject({ accepted: 20 });

    const mqtt = connectMqtt(mosquitto.url);
    try {
      await expect.poll(async () => (await edge.log()).some((l) => l.msg === "mqtt connected and subscribed"), { timeout: 30_000 }).toBe(true);
      for (const r of batch("M")) await mqtt.publishAsync(`scada/${r.unit}/${r.sensor}`, JSON.stringify({ value: r.value, timestamp: r.timestamp }), { qos: 1 });
    } finally {
      await mqtt.endAsync();
    }

    const ours = (o: Output): boolean => /^[NHM]\d{3}$/.test(o.unit);
    await expect.poll(async () => (await readOutputs(cluster().nats.urls)).filter(ours).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(60);
    const outputs = (await readOutputs(cluster().nats.urls)).filter(ours) as SourcedOutput[];
    expect(outputs).toHaveLength(60);
    expect(new Set(outputs.map((o) => `${o.unit}/${o.sensor}/${o.ts}`)).size).toBe(60);
    const layout = partitionLayout(PARTITIONS);
    for (const o of outputs) expect(o.partition).toBe(partitionOfKey(layout, o.unit));
    expect(new Set(outputs.map((o) => o.node)).size).toBeGreaterThan(1);
    const sources = Object.fromEntries(["N", "H", "M"].map((p) => [p, [...new Set(outputs.filter((o) => o.unit.startsWith(p)).map((o) => o.source))]]));
    expect(sources).toEqual({ N: ["nats"], H: ["http"], M: ["mqtt"] });
  }, 180_000);
});
