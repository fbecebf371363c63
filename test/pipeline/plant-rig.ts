/**
 * The whole pipeline on the test's own thread, fed by a seeded simulated
 * plant: ReadingGenerator → IngestGateway (the one validation) → sensor
 * actors → unit actors, with the node's default pipeline settings, a
 * simulated node clock kept in step with the readings' time, and everything
 * the actors publish captured by subject. Simulated hours run in seconds:
 * nothing waits on wall time, each simulated interval is one batch submitted,
 * one clock step and a few event-loop turns for the shard to drain.
 */
import { createKinds, kindsConfigOf } from "../../src/actors/kinds.js";
import { IngestGateway } from "../../src/actors/ingest/index.js";
import { IngestCounters, type ProcessedReading, type UnitState } from "../../src/actors/readings/index.js";
import { Plant, ReadingGenerator, type PlantOptions, type SimulatedReading } from "../../src/actors/simulator/index.js";
import { defaults } from "../../src/config/index.js";
import { createActorSystem, SimulatedClock, type ActorSystem } from "../../src/runtime/index.js";
import { silentLog, turns } from "../fixtures/actor-system.js";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
/** Midnight UTC: the simulated units run at their lowest daily load, well clear of OVERLOAD. */
export const T0 = Date.UTC(2024, 0, 1);

const PROCESSED = "vigil.processed.";
const ANOMALY = "vigil.anomaly.";
const UNIT_STATE = /^vigil\.unit\.[^.]+\.state$/;

export interface PlantRigOptions {
  readonly plant?: PlantOptions;
  /** One reading per sensor per this much simulated time. @default the simulator's default interval */
  readonly intervalMs?: number;
  /** The first reading's instant, and the node clock's start. @default T0 */
  readonly startAt?: number;
  /** Called with every processed reading, in the order the actors published them. */
  readonly onProcessed?: (reading: ProcessedReading) => void;
}

export interface PlantRig {
  readonly plant: Plant;
  readonly clock: SimulatedClock;
  readonly system: ActorSystem;
  readonly gateway: IngestGateway;
  readonly counters: IngestCounters;
  readonly intervalMs: number;
  /** Every anomaly published (vigil.anomaly.>), in order. */
  readonly anomalies: ProcessedReading[];
  /** Every unit state published (vigil.unit.*.state), in order. */
  readonly unitStates: UnitState[];
  /** Readings generated and submitted so far. */
  readonly submitted: () => number;
  /** Simulated time now (node clock and plant alike). */
  now(): number;
  /** Run the plant and the pipeline for `ms` of simulated time. */
  run(ms: number): Promise<void>;
  /** Run until the simulated instant `ts`. */
  runUntil(ts: number): Promise<void>;
  /** The latest unit state published for `unit`. */
  latest(unit: string): UnitState | undefined;
  stop(): Promise<void>;
}

export async function startPlantRig(options: PlantRigOptions = {}): Promise<PlantRig> {
  const intervalMs = options.intervalMs ?? defaults.simulator.intervalMs;
  const startAt = options.startAt ?? T0;
  const clock = new SimulatedClock(startAt);
  const anomalies: ProcessedReading[] = [];
  const unitStates: UnitState[] = [];
  const latestByUnit = new Map<string, UnitState>();
  const onProcessed = options.onProcessed;
  const system = await createActorSystem({
    workers: 0,
    kinds: createKinds(kindsConfigOf(defaults.pipeline)),
    clock,
    log: silentLog,
    outlet(subject, json) {
      if (subject.startsWith(ANOMALY)) {
        anomalies.push(JSON.parse(json) as ProcessedReading);
      } else if (subject.startsWith(PROCESSED)) {
        if (onProcessed !== undefined) onProcessed(JSON.parse(json) as ProcessedReading);
      } else if (UNIT_STATE.test(subject)) {
        const state = JSON.parse(json) as UnitState;
        unitStates.push(state);
        latestByUnit.set(state.unit, state);
      }
    },
  });
  const counters = new IngestCounters();
  const gateway = new IngestGateway({ system, counters, log: silentLog, now: () => clock.now() });
  const plant = new Plant({ seed: defaults.simulator.seed, units: defaults.simulator.units, ...options.plant });
  const perTick = plant.unitIds.length * plant.sensorIds.length;
  const generator = new ReadingGenerator(plant, { startAt, readingsPerSecond: (perTick * SECOND) / intervalMs });
  const batch: SimulatedReading[] = [];

  /** One interval: the readings stamped now go in, then the node clock moves on and the shard drains. */
  const step = async (): Promise<void> => {
    batch.length = 0;
    generator.readingsUntil(clock.now(), batch);
    if (batch.length > 0) {
      const { rejections } = await gateway.submitMany(batch, "simulator");
      if (rejections.length > 0) throw new Error(`the gateway rejected simulated readings: ${JSON.stringify(rejections[0])}`);
    }
    await turns();
    clock.advance(intervalMs);
    await turns();
  };

  const rig: PlantRig = {
    plant,
    clock,
    system,
    gateway,
    counters,
    intervalMs,
    anomalies,
    unitStates,
    submitted: () => generator.generated,
    now: () => clock.now(),
    async run(ms) {
      await rig.runUntil(clock.now() + ms);
    },
    async runUntil(ts) {
      while (clock.now() < ts) await step();
    },
    latest: (unit) => latestByUnit.get(unit),
    stop: () => system.stop(),
  };
  return rig;
}
