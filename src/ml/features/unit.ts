/**
 * The features of a whole unit at one instant: time features, then each of
 * its sensors' rolling features (columns `<sensor>.<feature>`, sensors in
 * the given order), then cross-sensor features — the mean and the largest
 * absolute z-score of the newest values over the 10-sample windows, which
 * say "several sensors moved together" where one sensor's features cannot.
 *
 * The unit actor keeps one of these and pushes every reading into it;
 * training replays stored readings through the same class (matrix.ts), so
 * a model sees exactly the columns it was trained on.
 */
import { RollingFeatures } from "./rolling.js";
import { DEFAULT_FEATURE_SPEC, featureNames, type FeatureSpec } from "./spec.js";
import { TIME_FEATURES, writeTimeFeatures } from "./time.js";

export const UNIT_FEATURES = ["unit_mean_zscore", "unit_max_abs_zscore"] as const;

/** Column names of a unit's feature vector. */
export function unitFeatureNames(sensors: readonly string[], spec: FeatureSpec = DEFAULT_FEATURE_SPEC): string[] {
  const perSensor = featureNames(spec);
  return [...TIME_FEATURES, ...sensors.flatMap((s) => perSensor.map((f) => `${s}.${f}`)), ...UNIT_FEATURES];
}

export class UnitFeatures {
  readonly sensors: readonly string[];
  readonly width: number;
  private readonly streams: RollingFeatures[];
  private readonly index: ReadonlyMap<string, number>;
  /** Which stream's windows give the cross-sensor z-scores: the 10-sample window when the spec has one, else the first. */
  private readonly zWindow: number;

  constructor(sensors: readonly string[], spec: FeatureSpec = DEFAULT_FEATURE_SPEC) {
    this.sensors = [...sensors];
    this.streams = sensors.map(() => new RollingFeatures(spec));
    this.index = new Map(sensors.map((s, i) => [s, i]));
    const ten = spec.counts.indexOf(10);
    this.zWindow = ten >= 0 ? ten : 0;
    this.width = TIME_FEATURES.length + sensors.length * (this.streams[0]?.width ?? 0) + UNIT_FEATURES.length;
  }

  /** Adds a reading; false (nothing changed) for an unknown sensor, a non-finite value or a timestamp not after that sensor's last. */
  push(sensor: string, ts: number, value: number): boolean {
    const i = this.index.get(sensor);
    return i !== undefined && (this.streams[i] as RollingFeatures).push(ts, value);
  }

  /** True once every sensor is past its warm-up (spec.minSamples; at least one sample): the row is a model's row. */
  complete(): boolean {
    return this.streams.every((s) => s.count > 0 && s.warm);
  }

  /** The feature vector at instant `ts`, columns as `unitFeatureNames`; written into `out` when given. */
  vector(ts: number, out: Float64Array = new Float64Array(this.width)): Float64Array {
    writeTimeFeatures(ts, out, 0);
    let at = TIME_FEATURES.length;
    let zSum = 0;
    let zMax = 0;
    for (const stream of this.streams) {
      stream.vector(out.subarray(at, at + stream.width));
      at += stream.width;
      const z = stream.windows.length > 0 ? (stream.windows[this.zWindow] ?? stream.windows[0])!.zscore() : 0;
      zSum += z;
      zMax = Math.max(zMax, Math.abs(z));
    }
    out[at] = this.streams.length === 0 ? 0 : zSum / this.streams.length;
    out[at + 1] = zMax;
    return out;
  }
}
