/**
 * How processed readings leave a node (src/node/outlet.ts): with
 * `transport.processed: "unit-batch"`, one message per unit per batch on
 * vigil.batch.processed.<unit>, a JSON array that keeps each sensor's
 * readings in order; anomalies and unit states still go one by one. Runs a
 * real node (one shard worker, in-process transport) fed through its gateway.
 */
import { Registry } from "prom-client";
import { afterEach, expect, it } from "vitest";
import type { ProcessedReading, RawReading } from "../../src/actors/readings/index.js";
import { SUBJECTS } from "../../src/actors/subjects.js";
import { loadConfig } from "../../src/config/index.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import type { Subscription } from "../../src/runtime/transport/index.js";
import { silentLog } from "../fixtures/actor-system.js";

const UNITS = ["UNIT_A", "UNIT_B"];
const SENSORS = ["temperature", "pressure", "vibration"];
const PER_SENSOR = 200;

let node: RunningNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

async function batchedNode(): Promise<RunningNode> {
  // History off: this spec is about the transport, and the default history file is shared by every node in this checkout.
  const env = { VIGIL_RUNTIME_WORKERS: "1", VIGIL_HTTP_ENABLED: "false", VIGIL_SIMULATOR_ENABLED: "false", VIGIL_OPCUA_ENABLED: "false", VIGIL_TRANSPORT_PROCESSED: "unit-batch", VIGIL_HISTORY_ENABLED: "false" };
  const config = loadConfig({ env });
  return startNode(config, { logger: silentLog, registry: new Registry() });
}

/** Readings of every unit and sensor, interleaved as a gateway would send them. */
function readings(): RawReading[] {
  const start = Date.now() - 60_000;
  const out: RawReading[] = [];
  for (let i = 0; i < PER_SENSOR; i++) {
    for (const unit of UNITS) for (const sensor of SENSORS) out.push({ unit, sensor, value: 20 + (i % 7), timestamp: start + i * 10 });
  }
  return out;
}

/** Collects message payloads until `done` says enough, or rejects after a generous bound. */
async function collect<T>(sub: Subscription, done: (seen: T[]) => boolean): Promise<{ subject: string; payload: T }[]> {
  const out: { subject: string; payload: T }[] = [];
  const decoder = new TextDecoder();
  const bound = setTimeout(() => sub.unsubscribe(), 20_000);
  try {
    for await (const msg of sub) {
      out.push({ subject: msg.subject, payload: JSON.parse(decoder.decode(msg.data)) as T });
      if (done(out.map((o) => o.payload))) break;
    }
  } finally {
    clearTimeout(bound);
    sub.unsubscribe();
  }
  return out;
}

it("with transport.processed = unit-batch, each unit's processed readings arrive as JSON arrays on vigil.batch.processed.<unit>, every reading once and each sensor's in order", async () => {
  node = await batchedNode();
  const total = UNITS.length * SENSORS.length * PER_SENSOR;
  const batches = collect<ProcessedReading[]>(node.transport.subscribe(SUBJECTS.processedBatchAll, { maxPending: 100_000 }), (seen) => seen.flat().length >= total);
  const submitted = await node.gateway.submitMany(readings(), "nats");
  expect(submitted.accepted).toBe(total);

  const messages = await batches;
  for (const { subject, payload } of messages) {
    expect(payload.length).toBeGreaterThan(0);
    for (const r of payload) expect(subject).toBe(SUBJECTS.processedBatch(r.unit));
  }
  // Gathered, not one reading per message: that is the point of the mode.
  expect(messages.length).toBeLessThan(total / 10);
  const all = messages.flatMap((m) => m.payload);
  expect(all).toHaveLength(total);
  for (const unit of UNITS) {
    for (const sensor of SENSORS) {
      const ts = all.filter((r) => r.unit === unit && r.sensor === sensor).map((r) => r.ts);
      expect(ts).toHaveLength(PER_SENSOR);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
  }
});

it("with transport.processed = unit-batch, nothing is published one by one on vigil.processed.<unit>.<sensor>, while unit states still are", async () => {
  node = await batchedNode();
  const singles = node.transport.subscribe(SUBJECTS.processedAll, { maxPending: 100_000 });
  const states = collect<{ unit: string }>(node.transport.subscribe(SUBJECTS.unitStateAll), (seen) => UNITS.every((u) => seen.some((s) => s.unit === u)));
  const batches = collect<ProcessedReading[]>(node.transport.subscribe(SUBJECTS.processedBatchAll, { maxPending: 100_000 }), (seen) => seen.flat().length >= UNITS.length * SENSORS.length * PER_SENSOR);
  await node.gateway.submitMany(readings(), "nats");
  await batches;
  await states;
  singles.unsubscribe();
  let published = 0;
  for await (const _ of singles) published++;
  expect(published).toBe(0);
});
