/**
 * Readings handed to a model when their shard worker dies: they are in the
 * sensor's snapshot, and the replacement worker publishes them by the
 * rules (counted as `restored`) — none lost, none twice, in order.
 */
import { afterEach, expect, it } from "vitest";
import { sensorAddress } from "../../../src/actors/readings/index.js";
import type { RuntimeEvent } from "../../../src/runtime/index.js";
import { SeededRandom } from "../../../src/runtime/index.js";
import { ScoringPipeline } from "./pipeline.js";
import { anomalyModel, normalValue, promote, reading, T0 } from "./trained.js";

let pipeline: ScoringPipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

it("publishes by the rules, after the worker crash, the readings a sensor had handed to a model and not had back — none lost, none twice", async () => {
  // A batch flushed only when full or after ten minutes: the readings stay handed to the model.
  pipeline = await ScoringPipeline.start({ workers: 1, models: { flushMs: 600_000 }, snapshotIntervalMs: 0, crashable: true });
  const p = pipeline;
  await promote(p.registry, anomalyModel(1).version);
  await p.feed.settled();
  const events: RuntimeEvent[] = [];
  p.system.onEvent((e) => events.push(e));

  const sensor = sensorAddress("UNIT001", "temperature");
  const rand = new SeededRandom(7);
  const sent = Array.from({ length: 60 }, (_, i) => T0 + i * 1000);
  for (const ts of sent) expect(p.system.tell(sensor, reading("UNIT001", "temperature", ts, normalValue(rand)))).toBe(true);
  // Behind the readings in the sensor's mailbox: once it answers, every reading is handled (and, snapshotting after each message, in its snapshot).
  await p.system.ask(sensor, { type: "get" });
  const beforeCrash = p.processed().length;
  expect(beforeCrash).toBeLessThan(sent.length);

  expect(p.system.tell("counter/crash", { type: "exit-worker" })).toBe(true);
  await p.until(() => p.processed().length >= sent.length);

  expect(events.filter((e) => e.type === "worker-crashed")).toHaveLength(1);
  expect(p.processed().map((r) => r.ts)).toEqual(sent);
  const restored = p.processed().slice(beforeCrash);
  expect(restored.every((r) => r.method === "RULES" && r.model_version === null)).toBe(true);
  const counted = (await p.feed.workerStats()).flatMap((s) => s.fallbacks).filter((f) => f.model === "anomaly.temperature" && f.reason === "restored");
  expect(counted.reduce((sum, f) => sum + f.count, 0)).toBe(restored.length);
  // Lost in flight: the exit message alone, which never finished.
  expect((await p.system.stats()).lostInFlight).toBe(1);
}, 60_000);
