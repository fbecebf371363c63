/**
 * The cluster bench's load and its accounting:
 *
 * - Unit names that put at least one unit in every partition (the stream's
 *   FNV-1a partition of the unit token), so every partition carries load
 *   and has a sentinel unit the bench can watch.
 * - A batched feed: readings published straight into the partitioned ingest
 *   stream as one message per partition (`vigil.part.<p>.batch`, what a
 *   member's own ingest stores), closed-loop — at most `maxOutstanding`
 *   readings accepted and not yet in the output stream — so the nodes are
 *   always busy while the publisher costs little of the two cores. Each
 *   sensor's timestamps rise by one millisecond per reading (base + n), so
 *   every reading can be checked in the output by sensor and sequence.
 * - CPU seconds of processes by pid (/proc), of the NATS servers this
 *   process started, and of this process.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { CLUSTER_NAMES, partitionBatchSubject, partitionLayout, partitionOfKey } from "../../src/runtime/cluster/index.js";
import type { Output } from "../../test/cluster/readings.js";

/** The name of unit `u` (1-based) under a prefix: what test/cluster/readings.ts's publisher names them too. */
export function unitName(prefix: string, u: number): string {
  return `${prefix}${String(u).padStart(3, "0")}`;
}

/** The fewest units (at least `min`) named `prefix001…` that put one in every partition, and a sentinel unit per partition. */
export function unitsCovering(prefix: string, partitions: number, min: number): { units: number; sentinels: Map<number, string> } {
  const layout = partitionLayout(partitions);
  const sentinels = new Map<number, string>();
  let u = 0;
  while (sentinels.size < partitions || u < min) {
    u++;
    if (u > 999) throw new Error(`units ${prefix}001…${prefix}999 do not cover ${partitions} partitions`);
    const name = unitName(prefix, u);
    const p = partitionOfKey(layout, name);
    if (!sentinels.has(p)) sentinels.set(p, name);
  }
  return { units: u, sentinels };
}

export interface BatchFeedOptions {
  readonly partitions: number;
  readonly prefix: string;
  readonly units: number;
  readonly sensors: number;
  /** Readings of each sensor per round; a round is one message per partition. */
  readonly perSensorPerRound: number;
  /** Readings accepted but not yet in the output stream, at most. */
  readonly maxOutstanding: number;
}

/** One feed for the whole bench: its sensors' sequences go on across runs. */
export class BatchFeed {
  /** Timestamps are base + n: an hour ago, inside the gateway's age limits, with room to rise. */
  readonly base = Date.now() - 60 * 60 * 1000;
  private readonly counts = new Map<string, number>();
  private readonly byPartition = new Map<number, [string, string][]>();
  private total = 0;
  private running: Promise<void> | undefined;
  private stopping = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: BatchFeedOptions,
  ) {
    const layout = partitionLayout(options.partitions);
    for (let u = 1; u <= options.units; u++) {
      const unit = unitName(options.prefix, u);
      const p = partitionOfKey(layout, unit);
      const list = this.byPartition.get(p) ?? [];
      for (let s = 1; s <= options.sensors; s++) {
        list.push([unit, `s${s}`]);
        this.counts.set(`${unit}/s${s}`, 0);
      }
      this.byPartition.set(p, list);
    }
  }

  static async open(urls: string[], options: BatchFeedOptions): Promise<BatchFeed> {
    const nc = await connect({ servers: urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    return new BatchFeed(nc, jetstream(nc, { timeout: 10_000 }), await jetstreamManager(nc), options);
  }

  /** Readings stored in the ingest stream so far. */
  accepted(): number {
    return this.total;
  }

  /** Per sensor (`unit/sensor`), readings accepted: timestamps base+1 … base+n. */
  acceptedBySensor(): Map<string, number> {
    return new Map(this.counts);
  }

  /** Start publishing (closed loop against the output stream's count). */
  start(): void {
    if (this.running !== undefined) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Stop publishing; resolves once every publish in flight is stored. */
  async halt(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = undefined;
  }

  async close(): Promise<void> {
    await this.halt();
    await this.nc.close();
  }

  private async outputs(): Promise<number> {
    return (await this.jsm.streams.info(CLUSTER_NAMES.output)).state.messages;
  }

  private async loop(): Promise<void> {
    const { options } = this;
    const outputsFrom = await this.outputs();
    const acceptedFrom = this.total;
    let done = outputsFrom;
    while (!this.stopping) {
      if (this.total - acceptedFrom - (done - outputsFrom) >= options.maxOutstanding) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        done = await this.outputs();
        continue;
      }
      await this.round();
    }
  }

  /** One message per partition, each with `perSensorPerRound` readings of each of its sensors, in order. */
  private async round(): Promise<void> {
    const k = this.options.perSensorPerRound;
    const layout = partitionLayout(this.options.partitions);
    const publishes: Promise<number>[] = [];
    for (const [p, sensors] of this.byPartition) {
      const readings: { unit: string; sensor: string; value: number; quality: string; timestamp: number }[] = [];
      let first = "";
      for (let i = 0; i < k; i++) {
        for (const [unit, sensor] of sensors) {
          const key = `${unit}/${sensor}`;
          const n = (this.counts.get(key) ?? 0) + 1;
          this.counts.set(key, n);
          if (first === "") first = `${key}/${n}`;
          readings.push({ unit, sensor, value: 20 + (n % 7), quality: "GOOD", timestamp: this.base + n });
        }
      }
      publishes.push(this.publish(partitionBatchSubject(layout, p), JSON.stringify({ source: "nats", readings }), `bench/${p}/${first}`).then(() => readings.length));
    }
    // The next round waits for this one: one partition's messages are stored in order.
    for (const n of await Promise.all(publishes)) this.total += n;
  }

  /** Retried with its message id until stored: "accepted" means stored exactly once. */
  private async publish(subject: string, json: string, msgID: string): Promise<void> {
    for (;;) {
      try {
        await this.js.publish(subject, json, { msgID });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/** Every processed reading of the named units in the output stream, in stream order (an ordered consumer filtered to them). */
export async function readOutputsOf(urls: string[], units: readonly string[]): Promise<Output[]> {
  const nc = await connect({ servers: urls });
  try {
    const consumer = await jetstream(nc).consumers.get(CLUSTER_NAMES.output, { filter_subjects: units.map((u) => `vigil.processed.${u}.*`) });
    const outputs: Output[] = [];
    if ((await consumer.info()).num_pending === 0) return outputs;
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const m of messages) {
      outputs.push(m.json<Output>());
      if (m.info.pending === 0) break;
    }
    return outputs;
  } finally {
    await nc.close();
  }
}

/** CPU seconds (user + system) a process has used, 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's nats-server children (the bench's NATS cluster). */
export function natsCpuSeconds(): number {
  const ps = execFileSync("ps", ["--ppid", String(process.pid), "-o", "pid=,comm="], { encoding: "utf8" });
  let total = 0;
  for (const line of ps.trim().split("\n")) {
    const [pid, comm] = line.trim().split(/\s+/);
    if (comm === "nats-server") total += cpuSecondsOf(Number(pid));
  }
  return total;
}

/** CPU seconds of this process (the load generator and the watch). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
