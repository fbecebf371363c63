/**
 * A training matrix from stored readings: one row per unit per instant (once
 * all the unit's sensors at that instant are in and past their warm-up), computed by replaying
 * each unit's readings in time order through UnitFeatures — the live
 * scorer's own definition. The readings' shape is the history store's row
 * (`RawReadingRow` has these fields), taken structurally so this folder
 * does not depend on the store.
 */
import { DEFAULT_FEATURE_SPEC, type FeatureSpec } from "./spec.js";
import { UnitFeatures, unitFeatureNames } from "./unit.js";

export interface ReadingRow {
  readonly unit: string;
  readonly sensor: string;
  /** Epoch ms. */
  readonly ts: number;
  readonly value: number;
}

export interface UnitFeatureMatrix {
  readonly names: string[];
  readonly rows: number;
  /** rows × names.length, row-major. */
  readonly data: Float64Array;
  /** Per row, its unit and instant (to attach labels, and to keep time order). */
  readonly units: string[];
  readonly ts: Float64Array;
}

/**
 * Rows come out in time order (units in name order within an instant); readings that the
 * features refuse (non-finite, out of order for their sensor) are skipped
 * as the live actor skips them.
 */
export function unitFeatureMatrix(readings: readonly ReadingRow[], sensors: readonly string[], spec: FeatureSpec = DEFAULT_FEATURE_SPEC): UnitFeatureMatrix {
  const byUnit = new Map<string, ReadingRow[]>();
  for (const r of readings) {
    let list = byUnit.get(r.unit);
    if (list === undefined) byUnit.set(r.unit, (list = []));
    list.push(r);
  }
  const names = unitFeatureNames(sensors, spec);
  const width = names.length;
  const chunks: Float64Array[] = [];
  const units: string[] = [];
  const stamps: number[] = [];
  for (const unit of [...byUnit.keys()].sort()) {
    const list = (byUnit.get(unit) as ReadingRow[]).sort((a, b) => a.ts - b.ts);
    const features = new UnitFeatures(sensors, spec);
    for (let i = 0; i < list.length; i++) {
      const r = list[i] as ReadingRow;
      features.push(r.sensor, r.ts, r.value);
      const next = list[i + 1];
      if ((next === undefined || next.ts !== r.ts) && features.complete()) {
        chunks.push(features.vector(r.ts, new Float64Array(width)));
        units.push(unit);
        stamps.push(r.ts);
      }
    }
  }
  // Time order across units (then unit order), so a time-ordered holdout is the last rows.
  const order = chunks.map((_, i) => i).sort((a, b) => (stamps[a] as number) - (stamps[b] as number) || a - b);
  const data = new Float64Array(chunks.length * width);
  order.forEach((from, i) => data.set(chunks[from] as Float64Array, i * width));
  return { names, rows: chunks.length, data, units: order.map((i) => units[i] as string), ts: Float64Array.from(order, (i) => stamps[i] as number) };
}
