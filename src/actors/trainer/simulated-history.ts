/**
 * History as a node fed by the simulator would hold it, without running a
 * node: the simulator's readings as processed-reading rows (unscored: the
 * trainers read only unit, sensor, ts and value) and its ground truth as
 * label rows (truth-labels.ts). Deterministic for a seed. The baseline
 * script and the trainer specs fill a real history store with it.
 */
import { Plant, ReadingGenerator, RunToFailureFleet, type ScenarioKind, type SimulatedPlant, type SimulatedReading } from "../simulator/index.js";
import type { LabelRow, ProcessedReadingRow } from "../../store/index.js";
import { TruthLabeller } from "./truth-labels.js";

export interface SimulatedHistoryOptions {
  readonly mode: "plant" | "run-to-failure";
  readonly units: number;
  readonly seed: number;
  /** Epoch ms of the first reading. */
  readonly startAt: number;
  /** Simulated time covered. */
  readonly durationMs: number;
  /** Every sensor reads once per interval (run-to-failure: one cycle per interval). */
  readonly intervalMs: number;
  /** Plant mode: a fault scenario every this often, on the units in turn, kinds in turn. @default none */
  readonly faultEveryMs?: number;
  /** How long each injected fault lasts. @default 2 minutes */
  readonly faultMs?: number;
  /** Plant mode: unplanned trips per unit per day (the simulator's default is rare). @default 2 */
  readonly tripsPerDay?: number;
}

export interface SimulatedHistory {
  readonly readings: ProcessedReadingRow[];
  readonly labels: LabelRow[];
  readonly units: readonly string[];
  readonly sensors: readonly string[];
}

/** The faults injected, in turn: the unit's own faults and a slow degradation, which the models must tell from normal running. */
const FAULTS: readonly ScenarioKind[] = ["high_temperature", "pressure_drop", "degradation", "sensor_stuck"];
const MINUTE_MS = 60 * 1000;

export function simulatedHistory(o: SimulatedHistoryOptions): SimulatedHistory {
  const plant: SimulatedPlant =
    o.mode === "plant"
      ? new Plant({ units: o.units, seed: o.seed, behaviour: { tripsPerDay: o.tripsPerDay ?? 2 } })
      : new RunToFailureFleet({ units: o.units, seed: o.seed });
  const until = o.startAt + o.durationMs;
  if (o.mode === "plant" && o.faultEveryMs !== undefined && o.faultEveryMs > 0) {
    const faultMs = o.faultMs ?? 2 * MINUTE_MS;
    let k = 0;
    // The first fault after the units' start-up, the last one over before the end.
    for (let at = o.startAt + 6 * MINUTE_MS; at + faultMs < until; at += o.faultEveryMs, k++) {
      plant.inject({ unit: plant.unitIds[k % o.units] as string, kind: FAULTS[k % FAULTS.length] as ScenarioKind, durationMs: faultMs }, at);
    }
  }
  const perTick = plant.unitIds.length * plant.sensorIds.length;
  const generator = new ReadingGenerator(plant, { startAt: o.startAt, readingsPerSecond: (perTick * 1000) / o.intervalMs });
  const readings = generator.readingsUntil(until - 1).map(processedRowOf);
  const labels = new TruthLabeller(plant.truth, o.intervalMs).take(until);
  return { readings, labels, units: plant.unitIds, sensors: plant.sensorIds };
}

/** A simulated reading as history holds it once processed (unscored). */
export function processedRowOf(r: SimulatedReading): ProcessedReadingRow {
  return {
    unit: r.unit,
    sensor: r.sensor,
    ts: r.timestamp,
    value: r.value,
    quality: r.quality,
    source: "simulator",
    receivedAt: r.timestamp,
    anomaly: false,
    score: 0,
    severity: null,
    category: null,
    method: "RULES",
    modelVersion: null,
    reasons: [],
    processedAt: r.timestamp,
  };
}
