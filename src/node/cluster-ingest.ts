/**
 * A cluster member's own ingest (MQTT, HTTP, a NATS gateway's batch, the
 * simulator, OPC UA) goes through the partitioned ingest stream like any
 * published reading, so nothing a member takes in bypasses the partitions'
 * owners — their leases, fencing and exactly-once output. The gateway the
 * connectors use validates (and answers rejections at once); the valid
 * readings come here, are split by partition (the hash the stream's subject
 * mapping uses) and published as one message per partition. Resolves once
 * the stream has stored every part: "accepted" then means durable, and an
 * MQTT PUBACK or an HTTP answer is given only after.
 */
import { randomUUID } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { ReadingRoute } from "../actors/ingest/index.js";
import type { IngestSource, Reading } from "../actors/readings/index.js";
import { partitionBatchSubject, partitionOfKey, type PartitionLayout } from "../runtime/cluster/index.js";
import { VigilError } from "../runtime/index.js";

/** What one partition's part of a batch carries in the stream. */
export interface PartitionBatch {
  readonly source: IngestSource;
  readonly readings: { unit: string; sensor: string; value: number; quality: string; timestamp: number }[];
}

const PUBLISH_ATTEMPTS = 5;

export function clusterIngestRoute(js: JetStreamClient, layout: PartitionLayout): ReadingRoute {
  return async (readings: readonly Reading[], source: IngestSource): Promise<void> => {
    const parts = new Map<number, PartitionBatch["readings"]>();
    for (const r of readings) {
      const p = partitionOfKey(layout, r.unit);
      let part = parts.get(p);
      if (part === undefined) parts.set(p, (part = []));
      // The timestamp the edge settled on (now, for a reading without one): a replay gives the reading the same identity.
      part.push({ unit: r.unit, sensor: r.sensor, value: r.value, quality: r.quality, timestamp: r.ts });
    }
    await Promise.all([...parts].map(([p, part]) => publish(js, partitionBatchSubject(layout, p), JSON.stringify({ source, readings: part } satisfies PartitionBatch))));
  };
}

/** Retried with one message id, so a publish that was stored but whose answer was lost is not stored twice. */
async function publish(js: JetStreamClient, subject: string, json: string): Promise<void> {
  const msgID = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      await js.publish(subject, json, { msgID });
      return;
    } catch (err) {
      if (attempt >= PUBLISH_ATTEMPTS) {
        throw new VigilError("VIGIL_CLUSTER_INGEST_UNAVAILABLE", `the cluster's ingest stream did not store readings for ${subject}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
