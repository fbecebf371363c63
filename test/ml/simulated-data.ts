/**
 * Training data from the simulator, labelled by its ground truth: the
 * plant (unit features per instant, with "anomalous" and the operational
 * state per row) and the run-to-failure fleet (with remaining useful life
 * in cycles per row). Small enough for the specs to train in seconds.
 */
import { OPERATIONAL_STATES } from "../../src/actors/readings/index.js";
import { Plant, ReadingGenerator, RunToFailureFleet, type ScenarioKind, type SimulatedReading } from "../../src/actors/simulator/index.js";
import { unitFeatureMatrix, type Dataset, type FeatureSpec, type UnitFeatureMatrix } from "../../src/ml/index.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const T0 = Date.UTC(2024, 0, 1);

export interface LabelledRows {
  readonly matrix: UnitFeatureMatrix;
  /** 1 when any sensor of the row's unit is anomalous at its instant (plant), else 0. */
  readonly anomalous: Float64Array;
  /** Index into OPERATIONAL_STATES (plant). */
  readonly state: Float64Array;
  /** Cycles to failure (fleet). */
  readonly rul: Float64Array;
}

export function dataset(m: UnitFeatureMatrix, y?: Float64Array): Dataset {
  return { features: m.names, rows: m.rows, x: m.data, ...(y === undefined ? {} : { y }) };
}

/** Rows of `data` from `from` to `to` as one dataset with `y`. */
export function part(m: UnitFeatureMatrix, y: Float64Array | undefined, from: number, to: number): Dataset {
  const w = m.names.length;
  return { features: m.names, rows: to - from, x: m.data.slice(from * w, to * w), ...(y === undefined ? {} : { y: y.slice(from, to) }) };
}

const FAULTS: readonly ScenarioKind[] = ["high_temperature", "pressure_drop", "degradation"];

/**
 * `units` plant units sampled every `intervalMs` for `hours`, with a fault
 * scenario injected into one unit or another every `faultEveryMin` minutes
 * (each lasting 10 minutes), kinds taking turns.
 */
export function plantRows(o: { units: number; hours: number; intervalMs: number; faultEveryMin: number; seed: number; spec: FeatureSpec }): LabelledRows {
  const plant = new Plant({ units: o.units, seed: o.seed, behaviour: { tripsPerDay: 2 } });
  const until = T0 + o.hours * HOUR;
  let k = 0;
  for (let at = T0 + 20 * MINUTE; at < until - 10 * MINUTE; at += o.faultEveryMin * MINUTE, k++) {
    plant.inject({ unit: plant.unitIds[k % o.units] as string, kind: FAULTS[k % FAULTS.length] as ScenarioKind, durationMs: 10 * MINUTE }, at);
  }
  const perTick = o.units * plant.sensorIds.length;
  const readings = new ReadingGenerator(plant, { startAt: T0, readingsPerSecond: (perTick * SECOND) / o.intervalMs }).readingsUntil(until);
  const matrix = unitFeatureMatrix(readings.map(row), plant.sensorIds, o.spec);
  const anomalous = new Float64Array(matrix.rows);
  const state = new Float64Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) {
    const unit = matrix.units[r] as string;
    const ts = matrix.ts[r] as number;
    const truths = plant.sensorIds.map((s) => plant.truth.at(unit, s, ts));
    anomalous[r] = truths.some((t) => t?.anomalous === true) ? 1 : 0;
    state[r] = OPERATIONAL_STATES.indexOf(truths[0]?.state ?? "NORMAL");
  }
  return { matrix, anomalous, state, rul: new Float64Array(matrix.rows) };
}

/** `units` engines run to failure for `cycles` cycles (one reading per sensor per cycle). */
export function fleetRows(o: { units: number; cycles: number; seed: number; spec: FeatureSpec }): LabelledRows {
  const fleet = new RunToFailureFleet({ units: o.units, seed: o.seed });
  const perTick = o.units * fleet.sensorIds.length;
  const readings = new ReadingGenerator(fleet, { startAt: T0, readingsPerSecond: perTick }).nextBatch(perTick * o.cycles);
  const rulAt = new Map<string, number>();
  for (const r of readings) rulAt.set(`${r.unit}@${r.timestamp}`, r.rulCycles ?? Number.NaN);
  const matrix = unitFeatureMatrix(readings.map(row), fleet.sensorIds, o.spec);
  const rul = Float64Array.from({ length: matrix.rows }, (_, r) => rulAt.get(`${matrix.units[r]}@${matrix.ts[r]}`) ?? Number.NaN);
  return { matrix, anomalous: new Float64Array(matrix.rows), state: new Float64Array(matrix.rows), rul };
}

function row(r: SimulatedReading): { unit: string; sensor: string; ts: number; value: number } {
  return { unit: r.unit, sensor: r.sensor, ts: r.timestamp, value: r.value };
}
