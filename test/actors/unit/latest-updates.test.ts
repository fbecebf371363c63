/**
 * A unit takes its sensors' updates latest-wins (unit/latest-updates.ts):
 * one still waiting in its mailbox takes the same sensor's next in its
 * place. What it ends with must be what taking them one by one gives, and
 * under a flood it must keep up instead of falling behind and refusing.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ReadingQuality, Severity } from "../../../src/actors/readings/index.js";
import { copyFeatures } from "../../../src/actors/sensor/feature-copies.js";
import type { SensorUpdate } from "../../../src/actors/sensor/index.js";
import { mergeSensorUpdates } from "../../../src/actors/unit/latest-updates.js";
import { DEFAULT_UNIT_SETTINGS, unitKind, type UnitActorState } from "../../../src/actors/unit/index.js";
import { createActorSystem, exportState, SimulatedClock, type ActorSystem } from "../../../src/runtime/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { seeded, startPipeline, steady, T0, UNIT, type Pipeline } from "../sensor/pipeline.js";

const S = 1000;
const SENSORS = ["temperature", "pressure", "flow_rate", "power", "vibration"] as const;
const CENTRE = { temperature: 20, pressure: 4, flow_rate: 175, power: 75, vibration: 2 } as const;
const NOISE = { temperature: 0.3, pressure: 0.05, flow_rate: 2, power: 1, vibration: 0.1 } as const;

let p: Pipeline | undefined;
const systems: ActorSystem[] = [];
afterEach(async () => {
  await p?.stop();
  p = undefined;
  await Promise.all(systems.splice(0).map((s) => s.stop()));
});

/** Every sensor's readings for `seconds` from T0, all sent before any is handled; returns each sensor's last value. */
function flood(pl: Pipeline, seconds: number, vibration?: number): Record<string, number> {
  const random = seeded(7);
  const last: Record<string, number> = {};
  for (let i = 0; i < seconds; i++) {
    for (const sensor of SENSORS) {
      const value = sensor === "vibration" && vibration !== undefined ? vibration + 0.05 * (2 * random() - 1) : steady(CENTRE[sensor], NOISE[sensor], random)(i);
      pl.send(sensor, value, T0 + i * S);
      last[sensor] = value;
    }
  }
  return last;
}

describe("a unit under a flood of its sensors' updates", () => {
  it("refuses none of them and ends with each sensor's latest reading", async () => {
    p = await startPipeline({ unit: { startupMs: 0 } });
    // 5,000 updates at once (a reading a second each: one update per reading), five times the unit's mailbox.
    const last = flood(p, 1_000);
    await p.settle();
    const sensors = (await p.unit()).sensors;
    for (const sensor of SENSORS) expect(sensors[sensor]).toMatchObject({ value: last[sensor], ts: T0 + 999 * S });
    const stats = (await p.system.stats()).kinds.unit;
    expect(stats?.refused).toBe(0);
    expect(stats?.coalesced).toBeGreaterThan(0);
  });

  it("counts an anomaly from the first reading of its run though it took the run's updates merged into one", async () => {
    p = await startPipeline({ unit: { startupMs: 0, sustainedAnomalyMs: 30 * S } });
    // Above the 11 mm/s band from the first reading, for 31 s: anomalous for 30 s at the last.
    flood(p, 31, 12);
    await p.settle();
    expect(await p.unit()).toMatchObject({ operationalState: "DEGRADED", severity: "MEDIUM", category: "MECHANICAL" });
  });
});

/** An update as a sensor sends it. */
function update(sensor: string, ts: number, anomaly: boolean, quality: ReadingQuality = "GOOD"): SensorUpdate {
  const severity: Severity | null = anomaly ? "MEDIUM" : null;
  return {
    type: "sensor",
    sensor,
    value: ts / S,
    ts,
    quality,
    anomaly,
    score: anomaly ? 0.9 : 0.1,
    severity,
    category: null,
    reasons: [],
    drift: false,
    wear: 0,
    runFrom: ts,
    runAnew: false,
  };
}

async function unitSystem(): Promise<ActorSystem> {
  const system = await createActorSystem({
    workers: 0,
    kinds: [unitKind({ settings: { ...DEFAULT_UNIT_SETTINGS, startupMs: 0 }, sensorTypes: {} })],
    clock: new SimulatedClock(T0),
    log: silentLog,
  });
  systems.push(system);
  return system;
}

describe("a unit's sensor updates merged in its mailbox", () => {
  it("leave the unit with every sensor as taking them one by one does, where each run of anomalies began included", async () => {
    const random = seeded(3);
    const updates: SensorUpdate[] = [];
    const anomalous: Record<string, boolean> = { a: false, b: false, c: false };
    for (let i = 0; i < 600; i++) {
      const sensor = ["a", "b", "c"][Math.floor(random() * 3)] as string;
      // Runs of either, switching now and then.
      if (random() < 0.3) anomalous[sensor] = !anomalous[sensor];
      updates.push(update(sensor, T0 + i * S, anomalous[sensor] as boolean, random() < 0.1 ? "UNCERTAIN" : "GOOD"));
    }
    const address = `unit/${UNIT}`;

    // One by one: each handled before the next is sent, so none waits for another.
    const single = await unitSystem();
    for (const u of updates) {
      single.tell(address, { ...u });
      await single.ask(address, { type: "get" });
    }
    // Merged: sent in bursts of up to 40 before the unit gets a turn.
    const merged = await unitSystem();
    for (let i = 0; i < updates.length; ) {
      const burst = 1 + Math.floor(random() * 40);
      for (const u of updates.slice(i, i + burst)) merged.tell(address, { ...u });
      i += burst;
      await merged.ask(address, { type: "get" });
    }

    const one = await single.ask<UnitActorState>(address, exportState());
    const all = await merged.ask<UnitActorState>(address, exportState());
    expect(all.sensors).toEqual(one.sensors);
    expect(Object.values(one.sensors).some((s) => s.anomalousSince !== null)).toBe(true);
    expect((await single.stats()).kinds.unit?.coalesced).toBe(0);
    expect((await merged.stats()).kinds.unit?.coalesced).toBeGreaterThan(400);
  });

  it("end a run of anomalies at a normal update among them, and count the next run from its own first", () => {
    const u = mergeSensorUpdates(mergeSensorUpdates(update("a", 1, true), update("a", 2, false)), update("a", 3, true));
    expect(u).toMatchObject({ ts: 3, anomaly: true, runFrom: 3, runAnew: true });
    const v = mergeSensorUpdates(mergeSensorUpdates(update("a", 1, false), update("a", 2, true)), update("a", 3, true));
    expect(v).toMatchObject({ ts: 3, anomaly: true, runFrom: 2, runAnew: true });
    const w = mergeSensorUpdates(update("a", 1, true), update("a", 2, true));
    expect(w).toMatchObject({ ts: 2, anomaly: true, runFrom: 1, runAnew: false });
  });

  it("keep the older update's features while the newer carries none, and hand the older's back once the newer has its own", () => {
    const older = { ...update("a", 1, false), features: copyFeatures(Float64Array.of(1, 2)), warm: true };
    const kept = mergeSensorUpdates(older, update("a", 2, false));
    expect(kept.features).toBe(older.features);
    expect(kept.warm).toBe(true);

    const newer = { ...update("a", 3, false), features: Float64Array.of(3, 4), warm: false };
    const replaced = mergeSensorUpdates(kept, newer);
    expect([...(replaced.features as Float64Array)]).toEqual([3, 4]);
    // The older copy is the sender's next one.
    expect(copyFeatures(Float64Array.of(5, 6))).toBe(older.features);
  });
});
