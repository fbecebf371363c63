/**
 * Training rows from history, per kind of model, through the one shared
 * feature definition (src/ml/features): a sensor type's readings replayed
 * stream by stream through RollingFeatures (what a sensor actor scores
 * with), or a unit's readings through UnitFeatures (what a unit actor
 * scores with), labelled from the LabelIndex. Rows come out in time order,
 * so the newest share is the holdout, and at most `maxRows` of them (the
 * newest, or — for a model of a daily cycle — spread evenly over the
 * window), so a run's memory is bounded whatever the window holds.
 *
 * Plain typed arrays rather than data frames: the rows are built in one
 * pass per stream and go to the training worker as one block copy.
 */
import { featureRows, selectFeatures, unitFeatureMatrix, type Dataset, type FeatureSpec, type ReadingRow } from "../../ml/index.js";
import { OPERATIONAL_STATES } from "../readings/index.js";
import { sensorTypeOf, type SensorTypeSpec } from "../sensor/index.js";
import { VigilError } from "../../runtime/index.js";
import type { LabelIndex } from "./labels.js";

export interface TrainingRows {
  readonly data: Dataset;
  /** Epoch ms of each row, ascending. */
  readonly ts: Float64Array;
  /** The units the rows came from, and (unit models) the sensors in feature order. */
  readonly units: readonly string[];
  readonly sensors: readonly string[];
}

/** Readings of every sensor of type `type`, one row per reading (its `features` columns: @default every one), labelled anomalous or not. */
export function sensorTypeRows(
  readings: readonly ReadingRow[],
  type: string,
  o: { types: Readonly<Record<string, SensorTypeSpec>>; spec: FeatureSpec; labels: LabelIndex; maxRows: number; features?: readonly string[] },
): TrainingRows {
  const streams = new Map<string, ReadingRow[]>();
  for (const r of readings) {
    if (sensorTypeOf(o.types, r.sensor)?.name !== type) continue;
    const key = `${r.unit}\u0000${r.sensor}`;
    let list = streams.get(key);
    if (list === undefined) streams.set(key, (list = []));
    list.push(r);
  }
  const parts: { x: Float64Array; ts: Float64Array; y: Float64Array }[] = [];
  let names: string[] = [];
  const units = new Set<string>();
  const sensors = new Set<string>();
  for (const list of streams.values()) {
    list.sort((a, b) => a.ts - b.ts);
    const m = featureRows(o.spec, list.map((r) => r.ts), list.map((r) => r.value));
    const columns = o.features === undefined ? { features: m.names, x: m.data } : selectFeatures({ features: m.names, rows: m.rows, x: m.data }, o.features, `sensor type "${type}"`);
    names = [...columns.features];
    const ts = new Float64Array(m.rows);
    const y = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) {
      const r = list[m.sourceIndex[i] as number] as ReadingRow;
      ts[i] = r.ts;
      y[i] = o.labels.anomalous(r.unit, r.sensor, r.ts);
    }
    parts.push({ x: columns.x, ts, y });
    const first = list[0] as ReadingRow;
    units.add(first.unit);
    sensors.add(first.sensor);
  }
  if (names.length === 0) throw new VigilError("VIGIL_TRAINING_NO_DATA", `no readings of sensor type "${type}" in the training window`);
  return { ...merge(parts, names.length, names, o.maxRows), units: [...units].sort(), sensors: [...sensors].sort() };
}

/** What a unit row predicts; "none": unlabelled rows (recent live data for the drift check). */
export type UnitTarget = "state" | "rul" | "none" | { readonly sensor: string };

/**
 * One row per unit per instant, over the sensors the chosen units share,
 * with the target: the labelled operational state (an index into
 * OPERATIONAL_STATES), the remaining useful life in hours, or the value of
 * one sensor (which is then not an input). Units with no label for the
 * target, and rows without one, are left out.
 */
export function unitRows(
  readings: readonly ReadingRow[],
  target: UnitTarget,
  o: {
    spec: FeatureSpec;
    labels: LabelIndex;
    maxRows: number;
    units?: ReadonlySet<string>;
    /** Keep maxRows rows spread evenly over the window instead of the newest: the newest hours of a solar device hold no noon. */
    spread?: boolean;
  },
): TrainingRows {
  const sensorsOf = new Map<string, Set<string>>();
  for (const r of readings) {
    if (o.units !== undefined && !o.units.has(r.unit)) continue;
    let set = sensorsOf.get(r.unit);
    if (set === undefined) sensorsOf.set(r.unit, (set = new Set()));
    set.add(r.sensor);
  }
  const targetSensor = typeof target === "object" ? target.sensor : undefined;
  // The sensor set most units have is the model's input; units lacking part of it are left out.
  const counts = new Map<string, number>();
  for (const set of sensorsOf.values()) {
    const key = [...set].filter((s) => s !== targetSensor).sort().join("\u0000");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  if (best === undefined || best[0] === "") throw new VigilError("VIGIL_TRAINING_NO_DATA", "no unit readings for this model in the training window");
  const sensors = best[0].split("\u0000");
  const chosen = new Set([...sensorsOf].filter(([, set]) => sensors.every((s) => set.has(s)) && (targetSensor === undefined || set.has(targetSensor))).map(([u]) => u));
  const wanted = new Set(sensors);
  const inputs = readings.filter((r) => chosen.has(r.unit) && wanted.has(r.sensor));
  const m = unitFeatureMatrix(inputs, sensors, o.spec);
  const values = targetSensor === undefined ? undefined : valueLookup(readings, chosen, targetSensor);
  const keep: number[] = [];
  const y: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    if (target === "none") {
      keep.push(r);
      continue;
    }
    const unit = m.units[r] as string;
    const ts = m.ts[r] as number;
    const v = target === "state" ? o.labels.state(unit, ts) : target === "rul" ? o.labels.rulHours(unit, ts) : (values?.get(`${unit}@${ts}`) ?? Number.NaN);
    if (target === "state" ? v < 0 : !Number.isFinite(v)) continue;
    keep.push(r);
    y.push(v);
  }
  if (keep.length < 2) throw new VigilError("VIGIL_TRAINING_NO_DATA", `no ${describe(target)} labels for the unit readings in the training window`);
  const width = m.names.length;
  const x = new Float64Array(keep.length * width);
  keep.forEach((r, i) => x.set(m.data.subarray(r * width, (r + 1) * width), i * width));
  const all: Dataset = { features: m.names, rows: keep.length, x, ...(target === "none" ? {} : { y: Float64Array.from(y) }) };
  const stamps = Float64Array.from(keep, (r) => m.ts[r] as number);
  const merged = o.spread === true ? spread(all, stamps, o.maxRows) : newest(all, stamps, o.maxRows);
  return { ...merged, units: [...chosen].sort(), sensors };
}

function describe(target: UnitTarget): string {
  if (target === "none") return "unit";
  return target === "state" ? `operational state (${OPERATIONAL_STATES.length} states)` : target === "rul" ? "failure" : `"${target.sensor}" target`;
}

function valueLookup(readings: readonly ReadingRow[], units: ReadonlySet<string>, sensor: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of readings) if (r.sensor === sensor && units.has(r.unit)) out.set(`${r.unit}@${r.ts}`, r.value);
  return out;
}

/** Streams' rows merged into one time-ordered dataset (ties keep stream order), the newest maxRows kept. */
function merge(parts: readonly { x: Float64Array; ts: Float64Array; y: Float64Array }[], width: number, names: string[], maxRows: number): { data: Dataset; ts: Float64Array } {
  const total = parts.reduce((n, p) => n + p.ts.length, 0);
  const order: [number, number][] = [];
  parts.forEach((p, i) => p.ts.forEach((_, j) => order.push([i, j])));
  order.sort((a, b) => (parts[a[0]]!.ts[a[1]] as number) - (parts[b[0]]!.ts[b[1]] as number) || a[0] - b[0] || a[1] - b[1]);
  const x = new Float64Array(total * width);
  const y = new Float64Array(total);
  const ts = new Float64Array(total);
  order.forEach(([i, j], k) => {
    const p = parts[i]!;
    x.set(p.x.subarray(j * width, (j + 1) * width), k * width);
    y[k] = p.y[j] as number;
    ts[k] = p.ts[j] as number;
  });
  return newest({ features: names, rows: total, x, y }, ts, maxRows);
}

function newest(data: Dataset, ts: Float64Array, maxRows: number): { data: Dataset; ts: Float64Array } {
  if (data.rows <= maxRows) return { data, ts };
  const from = data.rows - maxRows;
  const w = data.features.length;
  return { data: { features: data.features, rows: maxRows, x: data.x.slice(from * w), ...(data.y === undefined ? {} : { y: data.y.slice(from) }) }, ts: ts.slice(from) };
}

/** Every k-th row (k fractional, from the oldest), maxRows of them, in time order. */
function spread(data: Dataset, ts: Float64Array, maxRows: number): { data: Dataset; ts: Float64Array } {
  if (data.rows <= maxRows) return { data, ts };
  const w = data.features.length;
  const x = new Float64Array(maxRows * w);
  const y = data.y === undefined ? undefined : new Float64Array(maxRows);
  const kept = new Float64Array(maxRows);
  for (let i = 0; i < maxRows; i++) {
    const from = Math.floor((i * data.rows) / maxRows);
    x.set(data.x.subarray(from * w, (from + 1) * w), i * w);
    if (y !== undefined) y[i] = data.y![from] as number;
    kept[i] = ts[from] as number;
  }
  return { data: { features: data.features, rows: maxRows, x, ...(y === undefined ? {} : { y }) }, ts: kept };
}
