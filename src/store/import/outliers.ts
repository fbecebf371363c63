/**
 * Statistical outliers are flagged, not removed: Tukey's far-out fences
 * (below Q1 − 3·IQR or above Q3 + 3·IQR of the series in the file). A value
 * past a fence keeps its place but is imported as UNCERTAIN, and the
 * processed CSV marks it.
 *
 * Why flag: in plant history the extreme values are often the very faults a
 * model must learn to detect; deleting or clipping them would erase the
 * evidence, while physically impossible values are already removed by the
 * range check. Why quartiles: a mean/standard-deviation z-score is inflated
 * by the outliers it looks for (a few huge spikes hide each other), the
 * quartiles hardly move. Columns that follow the sun are left alone (every
 * noon would be "far out" against the nights), as are short series (fewer
 * than MIN_SAMPLES) and flat ones (IQR 0), where quartiles say nothing.
 */
import { isDiurnal } from "./columns.js";
import { GOOD, UNCERTAIN, type Series } from "./series.js";

/** The fence distance in IQRs: Tukey's "far out" (1.5 marks merely "outside", too many for sensor data). */
export const FENCE_IQR = 3;
export const MIN_SAMPLES = 20;

/** Flags the outliers of each series in place; returns how many were flagged. */
export function flagOutliers(series: readonly Series[]): number {
  let flagged = 0;
  for (const s of series) {
    if (s.value.length < MIN_SAMPLES || isDiurnal(s.sensor)) continue;
    const sorted = Float64Array.from(s.value).sort();
    const q1 = quantile(sorted, 0.25);
    const q3 = quantile(sorted, 0.75);
    const iqr = q3 - q1;
    if (!(iqr > 0)) continue;
    const low = q1 - FENCE_IQR * iqr;
    const high = q3 + FENCE_IQR * iqr;
    for (let i = 0; i < s.value.length; i++) {
      const v = s.value[i] as number;
      if (v >= low && v <= high) continue;
      s.outlier[i] = 1;
      if (s.quality[i] === GOOD) s.quality[i] = UNCERTAIN;
      flagged++;
    }
  }
  return flagged;
}

/** Quantile of sorted values by linear interpolation between closest ranks. */
export function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}
