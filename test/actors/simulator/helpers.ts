/**
 * Shared by the simulator's specification tests: simulated instants, running
 * a model over a stretch of simulated time, and a publisher that records
 * what it is given. Nothing here waits on wall time.
 */
import { ReadingGenerator, type ReadingPublisher, type SampledDevices, type SimulatedReading } from "../../../src/actors/simulator/index.js";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Midnight UTC, so hours of the simulated day are easy to read. */
export const T0 = Date.UTC(2024, 0, 1);

/** Every reading of `plant` from `from` to `until` (inclusive), one reading per sensor per `intervalMs`. */
export function simulate(plant: SampledDevices, from: number, until: number, intervalMs = SECOND): SimulatedReading[] {
  const perTick = plant.unitIds.length * plant.sensorIds.length;
  const generator = new ReadingGenerator(plant, { startAt: from, readingsPerSecond: (perTick * SECOND) / intervalMs });
  return generator.readingsUntil(until);
}

export function of(readings: readonly SimulatedReading[], unit: string, sensor?: string): SimulatedReading[] {
  return readings.filter((r) => r.unit === unit && (sensor === undefined || r.sensor === sensor));
}

export function during(readings: readonly SimulatedReading[], from: number, until: number): SimulatedReading[] {
  return readings.filter((r) => r.timestamp >= from && r.timestamp < until);
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function values(readings: readonly SimulatedReading[]): number[] {
  return readings.map((r) => r.value);
}

export interface CollectingPublisher extends ReadingPublisher {
  readonly batches: SimulatedReading[][];
  readonly opened: { units: readonly string[]; sensors: readonly string[] }[];
  readings(): SimulatedReading[];
}

/** A synchronous publisher that keeps a copy of every batch. */
export function collectingPublisher(name = "collector"): CollectingPublisher {
  const batches: SimulatedReading[][] = [];
  const opened: { units: readonly string[]; sensors: readonly string[] }[] = [];
  return {
    name,
    batches,
    opened,
    open: (units, sensors) => void opened.push({ units, sensors }),
    publish: (batch) => void batches.push([...batch]),
    readings: () => batches.flat(),
  };
}
