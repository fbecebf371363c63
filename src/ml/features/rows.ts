/**
 * Feature rows for a whole series at once: what training uses to turn stored
 * history into the same columns the sensor actor scores with. It replays the
 * series through RollingFeatures, so a row is exactly what the live actor had
 * after that sample.
 */
import { RollingFeatures } from "./rolling.js";
import { featureNames, type FeatureSpec } from "./spec.js";

export interface FeatureMatrix {
  /** Column names, as `featureNames(spec)`. */
  names: string[];
  rows: number;
  /** rows × names.length values, row-major. */
  data: Float64Array;
  /** For each row, the index of the sample it was computed after. */
  sourceIndex: Int32Array;
}

/**
 * One row per sample of a series sorted by time. Samples that are not finite
 * or not later than the previous one are skipped (the live actor drops them
 * too), and so are the warm-up samples' rows (spec.minSamples: no model
 * scores those), so `sourceIndex` says which sample each row belongs to.
 */
export function featureRows(spec: FeatureSpec, ts: ArrayLike<number>, values: ArrayLike<number>): FeatureMatrix {
  const features = new RollingFeatures(spec);
  const names = featureNames(spec);
  const n = Math.min(ts.length, values.length);
  const data = new Float64Array(n * features.width);
  const sourceIndex = new Int32Array(n);
  let rows = 0;
  for (let i = 0; i < n; i++) {
    if (!features.push(ts[i] as number, values[i] as number) || !features.warm) continue;
    features.vector(data.subarray(rows * features.width, (rows + 1) * features.width));
    sourceIndex[rows++] = i;
  }
  return { names, rows, data: data.slice(0, rows * features.width), sourceIndex: sourceIndex.slice(0, rows) };
}
