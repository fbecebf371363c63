/**
 * History of the simulator's solar devices as a node would hold it, for the
 * solar forecast's baseline and specs: slices of live-rate readings (one per
 * sensor per second, as `npm start` feeds them) spread over the hours of
 * several days across the seasons, so a model sees dawn and noon, winter
 * and summer, clear and cloudy days — and features computed at the rate it
 * will score at — without holding months of readings. Deterministic for a
 * seed; the devices' states (ground truth) come as label rows.
 */
import { ReadingGenerator, SolarFarm } from "../simulator/index.js";
import type { ProcessedReadingRow } from "../../store/index.js";
import { processedRowOf, type SimulatedHistory } from "./simulated-history.js";
import { TruthLabeller } from "./truth-labels.js";

const HOUR_MS = 60 * 60 * 1000;

export interface SimulatedSolarHistoryOptions {
  readonly devices: number;
  readonly seed: number;
  /** Midnights (UTC, epoch ms) of the days sampled, ascending. */
  readonly days: readonly number[];
  /** UTC hours (fractions allowed) of each day at which a slice starts, ascending. */
  readonly hours: readonly number[];
  readonly sliceMs: number;
  /** Every sensor reads once per interval. */
  readonly intervalMs: number;
}

export function simulatedSolarHistory(o: SimulatedSolarHistoryOptions): SimulatedHistory {
  const farm = new SolarFarm({ devices: o.devices, seed: o.seed });
  const perTick = farm.unitIds.length * farm.sensorIds.length;
  const readings: ProcessedReadingRow[] = [];
  let end = 0;
  for (const day of o.days) {
    for (const hour of o.hours) {
      const from = day + hour * HOUR_MS;
      end = from + o.sliceMs;
      const slice = new ReadingGenerator(farm, { startAt: from, readingsPerSecond: (perTick * 1000) / o.intervalMs }).readingsUntil(end - 1);
      for (const r of slice) readings.push(processedRowOf(r));
    }
  }
  const labels = new TruthLabeller(farm.truth, o.intervalMs).take(end);
  return { readings, labels, units: farm.unitIds, sensors: farm.sensorIds };
}
