/**
 * What the cluster specs feed and read: a steady publisher of readings into
 * the ingest stream (each sensor's timestamps rising by one millisecond per
 * reading, each publish retried with its message id until the stream has
 * stored it, so "accepted" means stored exactly once), and a reader of
 * every processed reading in the output stream.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { CLUSTER_NAMES } from "../../src/runtime/cluster/index.js";

export interface Publisher {
  /** Readings stored so far. */
  accepted(): number;
  /** Stop and resolve with how many readings each sensor (`unit/sensor`) got accepted: timestamps base+1 … base+n. */
  stop(): Promise<Map<string, number>>;
  readonly base: number;
}

export async function publishReadings(urls: string[], options: { units: number; sensors: number; perSecond: number; unitPrefix?: string }): Promise<Publisher> {
  const nc = await connect({ servers: urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const js = jetstream(nc, { timeout: 2_000 });
  const base = Date.now() - 60 * 60 * 1000; // an hour ago: inside the gateway's age limits, with room to rise
  const sensors: string[] = [];
  for (let u = 1; u <= options.units; u++) for (let s = 1; s <= options.sensors; s++) sensors.push(`${options.unitPrefix ?? "U"}${String(u).padStart(3, "0")}/s${s}`);
  const counts = new Map(sensors.map((s) => [s, 0]));
  let accepted = 0;
  let stopping = false;
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((options.perSecond * tickMs) / 1000));
  let cursor = 0;
  const publishOne = async (sensorKey: string, n: number): Promise<void> => {
    const [unit, sensor] = sensorKey.split("/") as [string, string];
    const payload = JSON.stringify({ value: 20 + (n % 7), timestamp: base + n });
    for (;;) {
      try {
        await js.publish(`vigil.ingest.reading.${unit}.${sensor}`, payload, { msgID: `${sensorKey}/${n}` });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      const batch: Promise<void>[] = [];
      for (let i = 0; i < perTick; i++) {
        const key = sensors[cursor++ % sensors.length] as string;
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        batch.push(publishOne(key, n).then(() => void accepted++));
      }
      // One sensor's readings are published in order: the next tick waits for this one.
      await Promise.all(batch);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - started))));
    }
  })();
  return {
    base,
    accepted: () => accepted,
    async stop() {
      stopping = true;
      await loop;
      await nc.close();
      return counts;
    },
  };
}

export interface Output {
  unit: string;
  sensor: string;
  ts: number;
  node: string;
  partition: number;
  epoch: number;
  seq: number;
  processedAt: number;
}

/** Every processed reading in the output stream, in stream order. */
export async function readOutputs(urls: string[]): Promise<Output[]> {
  const nc: NatsConnection = await connect({ servers: urls });
  try {
    const jsm = await jetstreamManager(nc);
    const total = (await jsm.streams.info(CLUSTER_NAMES.output)).state.messages;
    const consumer = await jetstream(nc).consumers.get(CLUSTER_NAMES.output);
    const outputs: Output[] = [];
    if (total === 0) return outputs;
    const messages = await consumer.consume({ max_messages: 1000 });
    for await (const m of messages) {
      outputs.push(m.json<Output>());
      if (outputs.length >= total) break;
    }
    return outputs;
  } finally {
    await nc.close();
  }
}

/** Messages in the output stream now. */
export async function outputCount(urls: string[]): Promise<number> {
  const nc = await connect({ servers: urls });
  try {
    return (await (await jetstreamManager(nc)).streams.info(CLUSTER_NAMES.output)).state.messages;
  } finally {
    await nc.close();
  }
}

/** Waits until the output stream holds `count` messages (or the deadline passes) and returns its count. */
export async function awaitOutputs(urls: string[], count: number, timeoutMs: number): Promise<number> {
  const nc = await connect({ servers: urls });
  try {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = (await jsm.streams.info(CLUSTER_NAMES.output)).state.messages;
      if (n >= count || Date.now() > deadline) return n;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await nc.close();
  }
}

/** Per sensor: readings missing (accepted, no output) and extra (output twice, or never accepted). */
export function compare(accepted: Map<string, number>, base: number, outputs: Output[]): { lost: number; duplicates: number; unexpected: number } {
  const seen = new Map<string, number>();
  let duplicates = 0;
  let unexpected = 0;
  for (const o of outputs) {
    const key = `${o.unit}/${o.sensor}/${o.ts - base}`;
    const n = seen.get(key) ?? 0;
    if (n > 0) duplicates++;
    seen.set(key, n + 1);
    const count = accepted.get(`${o.unit}/${o.sensor}`) ?? 0;
    const i = o.ts - base;
    if (i < 1 || i > count) unexpected++;
  }
  let lost = 0;
  for (const [sensor, count] of accepted) for (let i = 1; i <= count; i++) if (!seen.has(`${sensor}/${i}`)) lost++;
  return { lost, duplicates, unexpected };
}
