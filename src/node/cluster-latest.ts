/**
 * The latest processed reading of any sensor in the cluster, for the
 * control API: the output stream's last message of its subject. A node's
 * feeds follow other nodes' readings only while a client watches them
 * (cluster-feed.ts), so its live state may lack a unit, or hold a value it
 * stopped following; the stream always has the latest.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { ProcessedReading } from "../actors/readings/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import type { LatestReadings } from "../http/routes/index.js";
import { CLUSTER_NAMES } from "../runtime/cluster/index.js";

/** What can stand as a subject token: an id with anything else never reached the output stream. */
const TOKEN = /^[^\s.*>]+$/;

/** The reading as the actor published it: the output stream's tenure tags are the cluster's, not the API's. */
function untagged(json: Record<string, unknown>): ProcessedReading {
  const { node: _node, partition: _partition, epoch: _epoch, seq: _seq, ...reading } = json;
  return reading as unknown as ProcessedReading;
}

export class StreamLatestReadings implements LatestReadings {
  constructor(private readonly jsm: JetStreamManager) {}

  async sensor(unit: string, sensor: string): Promise<ProcessedReading | undefined> {
    if (!TOKEN.test(unit) || !TOKEN.test(sensor)) return undefined;
    const stored = await this.jsm.streams.getMessage(CLUSTER_NAMES.output, { last_by_subj: SUBJECTS.processed(unit, sensor) });
    return stored === null ? undefined : untagged(stored.json<Record<string, unknown>>());
  }

  async sensors(unit: string): Promise<ProcessedReading[]> {
    if (!TOKEN.test(unit)) return [];
    const prefix = SUBJECTS.processed(unit, "");
    const info = await this.jsm.streams.info(CLUSTER_NAMES.output, { subjects_filter: `${prefix}*` });
    const sensors = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length)).sort();
    const readings = await Promise.all(sensors.map((s) => this.sensor(unit, s)));
    return readings.filter((r): r is ProcessedReading => r !== undefined);
  }
}
