/**
 * One rolling window's running sums and the statistics read from them. The
 * owner (RollingFeatures) adds the newest sample and evicts the oldest ones,
 * so every update is O(1); statistics are O(1) except min and max, which are
 * a binary search in the shared deques (O(log n)).
 *
 * Sums are kept over shifted samples — time in seconds since `frame.t0` and
 * value minus `frame.k` — so the sums of squares stay small and exact enough;
 * the owner re-bases the frame and recomputes the sums now and then, which
 * also wipes out the drift that adding and subtracting leaves behind.
 */
import type { SampleStore } from "./samples.js";
import { WINDOW_FEATURES } from "./spec.js";

/** The shift shared by all windows of one stream. */
export interface Frame {
  /** Time origin, epoch milliseconds. */
  t0: number;
  /** Value offset. */
  k: number;
}

/**
 * A sum of squared deviations this small next to the sum of squares is
 * rounding, not spread: a flat window must read as exactly flat (std 0), or
 * the z-score of its next sample would be astronomically large.
 */
const FLAT = 1e-12;

export class WindowStats {
  /** Sequence number of the oldest sample in the window. */
  start = 0;
  /** Samples in the window. */
  n = 0;
  private sv = 0;
  private svv = 0;
  private st = 0;
  private stt = 0;
  private stv = 0;

  /**
   * @param size samples in a count window, 0 for a time window
   * @param durationMs span of a time window, 0 for a count window
   */
  constructor(
    readonly size: number,
    readonly durationMs: number,
    private readonly store: SampleStore,
    private readonly frame: Frame,
  ) {}

  /** Adds the sample with shifted time `t` (s) and value `v`. */
  add(t: number, v: number): void {
    this.n++;
    this.sv += v;
    this.svv += v * v;
    this.st += t;
    this.stt += t * t;
    this.stv += t * v;
  }

  /** Removes the oldest sample, advancing `start`. */
  evictOldest(): void {
    const seq = this.start++;
    const t = (this.store.ts(seq) - this.frame.t0) / 1000;
    const v = this.store.value(seq) - this.frame.k;
    this.n--;
    if (this.n === 0) {
      this.sv = this.svv = this.st = this.stt = this.stv = 0;
      return;
    }
    this.sv -= v;
    this.svv -= v * v;
    this.st -= t;
    this.stt -= t * t;
    this.stv -= t * v;
  }

  /** Recomputes the sums from the samples under the current frame. */
  recompute(head: number): void {
    this.n = 0;
    this.sv = this.svv = this.st = this.stt = this.stv = 0;
    const { t0, k } = this.frame;
    for (let s = this.start; s < head; s++) this.add((this.store.ts(s) - t0) / 1000, this.store.value(s) - k);
  }

  /** Appends n and the five sums to `out` (for an exact snapshot). */
  saveSums(out: number[]): void {
    out.push(this.n, this.sv, this.svv, this.st, this.stt, this.stv);
  }

  /** Takes back what `saveSums` wrote, starting at `at`; the window then ends at `head`. */
  loadSums(from: readonly number[], at: number, head: number): void {
    this.n = from[at] as number;
    this.sv = from[at + 1] as number;
    this.svv = from[at + 2] as number;
    this.st = from[at + 3] as number;
    this.stt = from[at + 4] as number;
    this.stv = from[at + 5] as number;
    this.start = head - this.n;
  }

  /**
   * Writes the window's features (WINDOW_FEATURES, in that order) into `out`
   * from `at`. Per window, not per feature: a number returned from a call
   * that is not inlined is a heap number, and the six calls per window of a
   * sensor's feature vector were not reliably inlined (it varied from run
   * to run): up to twenty heap numbers per reading. So the statistics are
   * worked out here in place, the same arithmetic as mean(), std(), slope()
   * and zscore(), and min and max written by the store.
   */
  writeFeatures(out: Float64Array, at: number): void {
    const n = this.n;
    if (n === 0) {
      out.fill(0, at, at + WINDOW_FEATURES.length);
      return;
    }
    const mean = this.frame.k + this.sv / n;
    let std = 0;
    let slope = 0;
    if (n >= 2) {
      const ss = this.svv - (this.sv * this.sv) / n;
      if (ss > FLAT * this.svv) std = Math.sqrt(ss / (n - 1));
      const sxx = this.stt - (this.st * this.st) / n;
      if (sxx > 0) slope = (this.stv - (this.st * this.sv) / n) / sxx;
    }
    out[at] = mean;
    out[at + 1] = std;
    this.store.writeMinMax(this.start, out, at + 2);
    out[at + 4] = slope;
    out[at + 5] = std === 0 ? 0 : (this.store.value(this.store.head - 1) - mean) / std;
  }

  mean(): number {
    return this.n === 0 ? 0 : this.frame.k + this.sv / this.n;
  }

  /** Sample standard deviation (n − 1); 0 with fewer than two samples. */
  std(): number {
    if (this.n < 2) return 0;
    const ss = this.svv - (this.sv * this.sv) / this.n;
    return ss > FLAT * this.svv ? Math.sqrt(ss / (this.n - 1)) : 0;
  }

  min(): number {
    return this.n === 0 ? 0 : this.store.minFrom(this.start);
  }

  max(): number {
    return this.n === 0 ? 0 : this.store.maxFrom(this.start);
  }

  /** Least-squares slope of value against time, in value units per second; 0 with fewer than two samples. */
  slope(): number {
    if (this.n < 2) return 0;
    const sxx = this.stt - (this.st * this.st) / this.n;
    if (!(sxx > 0)) return 0;
    return (this.stv - (this.st * this.sv) / this.n) / sxx;
  }

  /** Standard error of `slope()`; 0 with fewer than three samples. */
  slopeStdErr(): number {
    const sxx = this.stt - (this.st * this.st) / this.n;
    return sxx > 0 ? this.residualStd() / Math.sqrt(sxx) : 0;
  }

  /**
   * Standard deviation of the values around the window's least-squares line
   * (n − 2): the noise, with a steady trend taken out, so a ramp does not
   * pass for noise. 0 with fewer than three samples.
   */
  residualStd(): number {
    if (this.n < 3) return 0;
    const sxx = this.stt - (this.st * this.st) / this.n;
    const sxy = this.stv - (this.st * this.sv) / this.n;
    const syy = this.svv - (this.sv * this.sv) / this.n;
    const residual = sxx > 0 ? syy - (sxy * sxy) / sxx : syy;
    return residual > FLAT * this.svv ? Math.sqrt(residual / (this.n - 2)) : 0;
  }

  /** How many standard deviations the newest sample lies from the window's mean (the newest is in the window); 0 when flat. */
  zscore(): number {
    const sd = this.std();
    return sd === 0 ? 0 : (this.store.value(this.store.head - 1) - this.mean()) / sd;
  }

  /** Mean of the window without its newest sample: the baseline the newest is judged against. */
  meanBeforeNewest(): number {
    if (this.n < 2) return 0;
    const v = this.store.value(this.store.head - 1) - this.frame.k;
    return this.frame.k + (this.sv - v) / (this.n - 1);
  }

  /** Sample standard deviation of the window without its newest sample; 0 with fewer than three samples. */
  stdBeforeNewest(): number {
    const m = this.n - 1;
    if (m < 2) return 0;
    const v = this.store.value(this.store.head - 1) - this.frame.k;
    const sv = this.sv - v;
    const svv = this.svv - v * v;
    const ss = svv - (sv * sv) / m;
    return ss > FLAT * svv ? Math.sqrt(ss / (m - 1)) : 0;
  }
}
