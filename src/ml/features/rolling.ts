/**
 * Rolling features of one stream of (timestamp, value) samples: count and
 * time windows over shared samples, each with mean, standard deviation, min,
 * max, slope and the z-score of the newest value, plus an EWMA, the rate
 * of change and a slow baseline (an exponentially weighted mean over time).
 * Amortised O(1) per sample and no allocation on `push` (except when the
 * sample store grows); the state snapshots to plain data.
 *
 * Timestamps must strictly increase: `push` refuses a sample that is not
 * newer than the last one, so callers decide what a duplicate means.
 *
 * @example
 * const f = new RollingFeatures({ counts: [5], durationsMs: [10_000], ewmaAlpha: 0.2, maxSamples: 1024 });
 * f.push(Date.parse("2024-01-01T12:00:00Z"), 21.5);
 * f.windows[0].mean(); // 21.5
 * f.vector();          // columns as featureNames(f.spec)
 */
import { SampleStore } from "./samples.js";
import { DEFAULT_BASELINE_MS, DEFAULT_FEATURE_SPEC, featureNames, featureSpecProblem, STREAM_FEATURES, WINDOW_FEATURES, windowNames, type FeatureSpec } from "./spec.js";
import { WindowStats, type Frame } from "./window.js";

/** Plain-data state of a RollingFeatures (structured-cloneable and JSON-safe). */
export interface RollingFeaturesState {
  /**
   * Kept samples, oldest first. Typed arrays, because snapshots cross threads
   * by structured clone, which copies a Float64Array as one block but a
   * number[] element by element (thousands of samples per sensor at high rates).
   */
  ts: Float64Array | readonly number[];
  values: Float64Array | readonly number[];
  /** Samples pushed since the stream began. */
  count: number;
  ewma: number;
  /** The sample before the newest, for the rate of change; null before the second sample. */
  previous: { ts: number; value: number } | null;
  /** The slow baseline; absent in snapshots from before it existed (it then starts again from the newest value). */
  baseline?: number;
  /**
   * The windows' running sums as they were (names, frame, sums), so a
   * restore continues bit for bit; ignored, and the windows rebuilt from the
   * samples, when the windows are no longer the same.
   */
  exact?: { windows: readonly string[]; t0: number; k: number; sums: number[]; untilRebase: number };
}

/**
 * What changed since an earlier state of the same stream (`changeSince`):
 * the samples added since, and the small rest in full. Applied on top of
 * that earlier state it gives the later one exactly, at a fraction of a
 * full snapshot's size when many samples are kept.
 */
export interface RollingFeaturesChange {
  /** Samples added, oldest first. */
  ts: Float64Array;
  values: Float64Array;
  /** Samples kept once they are added; older ones are dropped. */
  kept: number;
  count: number;
  ewma: number;
  previous: RollingFeaturesState["previous"];
  baseline: number;
  exact: NonNullable<RollingFeaturesState["exact"]>;
}

/** Re-base the frame at least this rarely (in samples), however few samples are kept. */
const MIN_REBASE_INTERVAL = 64;

export class RollingFeatures {
  readonly spec: FeatureSpec;
  /** Count windows in spec order, then time windows in spec order (the feature-vector order). */
  readonly windows: readonly WindowStats[];
  /** Width of the feature vector. */
  readonly width: number;
  private readonly store: SampleStore;
  private readonly frame: Frame = { t0: 0, k: 0 };
  private readonly limit: number;
  private ewmaValue = 0;
  private readonly baselineMs: number;
  private baselineValue = 0;
  private prevTs = Number.NaN;
  private prevValue = Number.NaN;
  private untilRebase = MIN_REBASE_INTERVAL;
  /** Samples pushed since the stream began. */
  count = 0;
  private readonly minSamples: number;
  /** windowNames(spec), made once: every snapshot and change carries them (one change per reading at paced rates). */
  private readonly windowNames: readonly string[];

  constructor(spec: FeatureSpec = DEFAULT_FEATURE_SPEC) {
    const problem = featureSpecProblem(spec);
    if (problem !== undefined) throw new RangeError(`feature spec: ${problem}`);
    this.spec = spec;
    this.limit = spec.maxSamples;
    this.baselineMs = spec.baselineMs ?? DEFAULT_BASELINE_MS;
    this.minSamples = spec.minSamples ?? 1;
    this.store = new SampleStore(this.limit);
    this.windows = [
      ...spec.counts.map((n) => new WindowStats(n, 0, this.store, this.frame)),
      ...spec.durationsMs.map((d) => new WindowStats(0, d, this.store, this.frame)),
    ];
    this.width = this.windows.length * WINDOW_FEATURES.length + STREAM_FEATURES.length;
    this.windowNames = Object.freeze(windowNames(spec));
  }

  /** Past warm-up (FeatureSpec.minSamples): the feature vector is one a model may read. */
  get warm(): boolean {
    return this.count >= this.minSamples;
  }

  /** Samples kept (what the widest window needs). */
  get size(): number {
    return this.store.size;
  }

  /** Timestamp of the newest sample; NaN before the first. */
  get latestTs(): number {
    return this.store.size === 0 ? Number.NaN : this.store.ts(this.store.head - 1);
  }

  /** The newest value; NaN before the first. */
  get latestValue(): number {
    return this.store.size === 0 ? Number.NaN : this.store.value(this.store.head - 1);
  }

  /**
   * Adds a sample. Returns false, changing nothing, when either number is not
   * finite or `ts` is not later than the newest sample's.
   */
  push(ts: number, value: number): boolean {
    if (!Number.isFinite(ts) || !Number.isFinite(value)) return false;
    const store = this.store;
    if (store.size === 0) {
      this.frame.t0 = ts;
      this.frame.k = value;
      this.ewmaValue = value;
      this.baselineValue = value;
    } else {
      const lastTs = store.ts(store.head - 1);
      if (ts <= lastTs) return false;
      this.prevTs = lastTs;
      this.prevValue = store.value(store.head - 1);
      this.ewmaValue += this.spec.ewmaAlpha * (value - this.ewmaValue);
      // Weighted by the time elapsed, not per sample: the same baseline at any reading rate.
      this.baselineValue += (1 - Math.exp((lastTs - ts) / this.baselineMs)) * (value - this.baselineValue);
      if (store.size === this.limit) this.forget(store.tail + 1);
    }
    store.push(ts, value);
    const t = (ts - this.frame.t0) / 1000;
    const v = value - this.frame.k;
    const horizon = ts;
    const windows = this.windows;
    let tail = store.head - 1;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i] as WindowStats;
      w.add(t, v);
      if (w.size > 0) {
        while (w.n > w.size) w.evictOldest();
      } else {
        while (store.ts(w.start) <= horizon - w.durationMs) w.evictOldest();
      }
      if (w.start < tail) tail = w.start;
    }
    store.dropBefore(tail);
    this.count++;
    if (--this.untilRebase <= 0) this.rebase();
    return true;
  }

  /** Exponentially weighted mean of every value so far; 0 before the first. */
  ewma(): number {
    return this.ewmaValue;
  }

  /**
   * Exponentially weighted mean over time with time constant `spec.baselineMs`:
   * where the values have been over the last several minutes. 0 before the first sample.
   */
  baseline(): number {
    return this.baselineValue;
  }

  /** Change per second between the two newest samples; 0 before the second. */
  rateOfChange(): number {
    if (Number.isNaN(this.prevTs)) return 0;
    return (this.latestValue - this.prevValue) / ((this.latestTs - this.prevTs) / 1000);
  }

  /** The feature vector, columns as `featureNames(spec)`; written into `out` when given (no allocation). */
  vector(out: Float64Array = new Float64Array(this.width)): Float64Array {
    let j = 0;
    const windows = this.windows;
    for (let i = 0; i < windows.length; i++) {
      (windows[i] as WindowStats).writeFeatures(out, j);
      j += WINDOW_FEATURES.length;
    }
    out[j++] = this.ewma();
    out[j] = this.rateOfChange();
    return out;
  }

  /** Column names of `vector()`. */
  names(): string[] {
    return featureNames(this.spec);
  }

  snapshot(): RollingFeaturesState {
    const store = this.store;
    const [ts, values] = this.samplesFrom(store.tail);
    return { ts, values, count: this.count, ewma: this.ewmaValue, previous: this.previous(), baseline: this.baselineValue, exact: this.exact() };
  }

  /**
   * Sequence number of the next sample: a mark for `changeSince`. Restarts
   * at restore, so take marks after it.
   */
  get sequence(): number {
    return this.store.head;
  }

  /**
   * The change from the state at `mark` (a `sequence` read then) to now, or
   * undefined when it would hold more than half the kept samples — a full
   * snapshot is then about as small.
   */
  changeSince(mark: number): RollingFeaturesChange | undefined {
    const store = this.store;
    const from = Math.max(mark, store.tail);
    if ((store.head - from) * 2 > store.size) return undefined;
    const [ts, values] = this.samplesFrom(from);
    return { ts, values, kept: store.size, count: this.count, ewma: this.ewmaValue, previous: this.previous(), baseline: this.baselineValue, exact: this.exact() };
  }

  /** Brings the state a change was taken from to the state it was taken at (bit for bit with the same windows). */
  applyChange(change: RollingFeaturesChange): void {
    const store = this.store;
    const total = store.size + change.ts.length;
    const kept = Math.min(change.kept, total);
    const ts = new Float64Array(kept);
    const values = new Float64Array(kept);
    let i = 0;
    for (let s = Math.max(store.tail, store.head - (kept - change.ts.length)); s < store.head; s++, i++) {
      ts[i] = store.ts(s);
      values[i] = store.value(s);
    }
    for (let j = Math.max(0, change.ts.length - kept); j < change.ts.length; j++, i++) {
      ts[i] = change.ts[j] as number;
      values[i] = change.values[j] as number;
    }
    this.restore({ ts, values, count: change.count, ewma: change.ewma, previous: change.previous, baseline: change.baseline, exact: change.exact });
  }

  private samplesFrom(from: number): [Float64Array, Float64Array] {
    const store = this.store;
    const n = store.head - from;
    const ts = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0, s = from; s < store.head; s++, i++) {
      ts[i] = store.ts(s);
      values[i] = store.value(s);
    }
    return [ts, values];
  }

  private previous(): RollingFeaturesState["previous"] {
    return Number.isNaN(this.prevTs) ? null : { ts: this.prevTs, value: this.prevValue };
  }

  private exact(): NonNullable<RollingFeaturesState["exact"]> {
    const sums: number[] = [];
    for (const w of this.windows) w.saveSums(sums);
    return { windows: this.windowNames, t0: this.frame.t0, k: this.frame.k, sums, untilRebase: this.untilRebase };
  }

  /**
   * Replaces the state with a snapshot's. With the same windows it continues
   * bit for bit; with different windows (the spec changed in between) they are
   * rebuilt by replaying the kept samples.
   */
  restore(state: RollingFeaturesState): void {
    this.store.clear();
    for (const w of this.windows) {
      w.start = 0;
      w.recompute(0);
    }
    this.prevTs = this.prevValue = Number.NaN;
    this.untilRebase = MIN_REBASE_INTERVAL;
    const n = Math.min(state.ts.length, state.values.length, this.limit);
    const from = state.ts.length - n;
    const exact = state.exact;
    if (exact !== undefined && n === state.ts.length && sameNames(exact.windows, this.windowNames) && exact.sums.length === this.windows.length * 6) {
      for (let i = from; i < state.ts.length; i++) this.store.push(state.ts[i] as number, state.values[i] as number);
      this.frame.t0 = exact.t0;
      this.frame.k = exact.k;
      this.windows.forEach((w, i) => w.loadSums(exact.sums, i * 6, this.store.head));
      this.untilRebase = exact.untilRebase;
    } else {
      for (let i = from; i < state.ts.length; i++) this.push(state.ts[i] as number, state.values[i] as number);
    }
    this.count = state.count;
    this.ewmaValue = state.ewma;
    this.baselineValue = state.baseline ?? (this.store.size === 0 ? 0 : this.latestValue);
    this.prevTs = state.previous === null ? Number.NaN : state.previous.ts;
    this.prevValue = state.previous === null ? Number.NaN : state.previous.value;
  }

  /** Drops kept samples before `seq` from every window and the store (only when the store is full). */
  private forget(seq: number): void {
    for (const w of this.windows) while (w.start < seq && w.n > 0) w.evictOldest();
    for (const w of this.windows) if (w.start < seq) w.start = seq;
    this.store.dropBefore(seq);
  }

  /**
   * Moves the frame to the oldest kept sample and the newest value and
   * recomputes every window's sums: keeps the shifted numbers small and
   * discards accumulated rounding. Costs O(kept × windows), run every
   * max(64, 2 × kept) samples: amortised O(windows) per sample.
   */
  private rebase(): void {
    const store = this.store;
    this.frame.t0 = store.ts(store.tail);
    this.frame.k = store.value(store.head - 1);
    for (const w of this.windows) w.recompute(store.head);
    this.untilRebase = Math.max(MIN_REBASE_INTERVAL, 2 * store.size);
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
