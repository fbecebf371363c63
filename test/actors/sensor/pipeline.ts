/**
 * A sensor-and-unit pipeline on the test's own thread (`workers: 0`) with a
 * simulated clock, capturing everything the actors publish. Shared by the
 * sensor and unit specifications. Synchronisation is by asking: an ask sent
 * after a tell is handled after it, so once `settle` returns every reading
 * sent before has been processed and its unit update handled.
 */
import { createKinds, type KindsConfig } from "../../../src/actors/kinds.js";
import { sensorAddress, unitAddress, type ProcessedReading, type Reading, type ReadingQuality, type UnitState } from "../../../src/actors/readings/index.js";
import type { SensorView } from "../../../src/actors/sensor/index.js";
import { SUBJECTS } from "../../../src/actors/subjects.js";
import { createActorSystem, SimulatedClock, type ActorKind, type ActorSystem } from "../../../src/runtime/index.js";
import { silentLog, turns } from "../../fixtures/actor-system.js";

export const T0 = Date.parse("2024-01-01T12:00:00Z");
export const UNIT = "UNIT001";

export interface Published {
  subject: string;
  payload: unknown;
}

export interface Pipeline {
  system: ActorSystem;
  clock: SimulatedClock;
  published: Published[];
  /** Tell one reading (no waiting). */
  send(sensor: string, value: number, ts: number, quality?: ReadingQuality, unit?: string): void;
  /** Wait until everything sent so far is handled by the sensor actors and their units. */
  settle(): Promise<void>;
  /** Move the node clock on, firing due timers, and let the actors handle them. */
  advance(ms: number): Promise<void>;
  processed(sensor: string, unit?: string): ProcessedReading[];
  anomalies(sensor: string, unit?: string): ProcessedReading[];
  rejected(): unknown[];
  unitStates(unit?: string): UnitState[];
  view(sensor: string, unit?: string): Promise<SensorView>;
  unit(unit?: string): Promise<UnitState>;
  stop(): Promise<void>;
}

export async function startPipeline(
  config: KindsConfig = {},
  options: { snapshotIntervalMs?: number; kinds?: ActorKind[] } = {},
): Promise<Pipeline> {
  const clock = new SimulatedClock(T0);
  const published: Published[] = [];
  const system = await createActorSystem({
    workers: 0,
    kinds: options.kinds ?? createKinds(config),
    clock,
    log: silentLog,
    snapshotIntervalMs: options.snapshotIntervalMs ?? 1000,
    outlet: (subject, json) => published.push({ subject, payload: JSON.parse(json) as unknown }),
  });
  const touched = new Set<string>();
  const on = (subject: string) => published.filter((p) => p.subject === subject).map((p) => p.payload);
  const pipeline: Pipeline = {
    system,
    clock,
    published,
    send(sensor, value, ts, quality = "GOOD", unit = UNIT) {
      const reading: Reading = { unit, sensor, value, quality, ts, source: "simulator", receivedAt: ts };
      touched.add(sensorAddress(unit, sensor));
      if (!system.tell(sensorAddress(unit, sensor), reading)) throw new Error(`sensor/${unit}/${sensor} refused a reading`);
    },
    async settle() {
      for (const address of touched) await system.ask(address, { type: "get" });
      const units = new Set([...touched].map((a) => a.split("/")[1]!));
      for (const unit of units) await system.ask(unitAddress(unit), { type: "get" });
    },
    async advance(ms) {
      clock.advance(ms);
      await turns();
    },
    processed: (sensor, unit = UNIT) => on(SUBJECTS.processed(unit, sensor)) as ProcessedReading[],
    anomalies: (sensor, unit = UNIT) => on(SUBJECTS.anomaly(unit, sensor)) as ProcessedReading[],
    rejected: () => on(SUBJECTS.rejected),
    unitStates: (unit = UNIT) => on(SUBJECTS.unitState(unit)) as UnitState[],
    view: (sensor, unit = UNIT) => system.ask<SensorView>(sensorAddress(unit, sensor), { type: "get" }),
    unit: (unit = UNIT) => system.ask<UnitState>(unitAddress(unit), { type: "get" }),
    stop: () => system.stop(),
  };
  return pipeline;
}

/** A seeded uniform random source in [0, 1), so every run sees the same noise. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `centre` plus a slow wave plus bounded noise: what a healthy instrument looks like. */
export function steady(centre: number, noise: number, random: () => number): (i: number) => number {
  return (i) => centre + noise * Math.sin(i / 40) + noise * (2 * random() - 1);
}
