/**
 * A partition's batches (what a member's own ingest stores: one message per
 * partition, many readings) are applied many at a time by their owner; each
 * sensor's readings must still reach its actor in stream order, or the
 * actor refuses the earlier ones as duplicates and they are never output.
 * Real processes: a three-server NATS cluster and Vigil nodes on loopback.
 */
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { partitionBatchSubject, partitionLayout, partitionOfKey } from "../../src/runtime/cluster/index.js";
import { useLocalCluster } from "./cluster-spec.js";
import { awaitOutputs, compare, outputCount, readOutputs } from "./readings.js";

const PARTITIONS = 16; // useLocalCluster's
const cluster = useLocalCluster(1);

describe("a partition's batches", () => {
  it("reach their sensors in stream order when a backlog of them is applied at once: every reading is output once", async () => {
    const urls = cluster().nats.urls;
    // No node consumes while the backlog is stored: the next one takes the partition and is delivered all of it in a burst.
    await cluster().nodes[0]?.stop();
    const layout = partitionLayout(PARTITIONS);
    const unit = "B001";
    const sensors = ["s1", "s2"];
    const messages = 40;
    const perSensor = 10;
    const base = Date.now() - 10 * 60 * 1000;
    const nc = await connect({ servers: urls });
    try {
      const js = jetstream(nc);
      for (let m = 0; m < messages; m++) {
        // Each message carries the next readings of every sensor: consecutive messages share their sensors.
        const readings = sensors.flatMap((sensor) => Array.from({ length: perSensor }, (_, i) => ({ unit, sensor, value: 20 + i, quality: "GOOD", timestamp: base + m * perSensor + i + 1 })));
        await js.publish(partitionBatchSubject(layout, partitionOfKey(layout, unit)), JSON.stringify({ source: "nats", readings }), { msgID: `batch-order-${m}` });
      }
    } finally {
      await nc.close();
    }
    const before = await outputCount(urls);
    await cluster().addNode();
    const total = messages * perSensor * sensors.length;
    await awaitOutputs(urls, before + total, 60_000);
    const accepted = new Map(sensors.map((s) => [`${unit}/${s}`, messages * perSensor]));
    const outputs = (await readOutputs(urls)).filter((o) => o.unit === unit);
    expect(compare(accepted, base, outputs)).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  }, 120_000);
});
