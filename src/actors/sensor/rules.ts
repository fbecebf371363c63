/**
 * The rule checks of a reading — quality, hard limits, normal band, flat
 * line, its share of its unit's wear — and how a score and its reasons become a severity. Reasons are kept
 * as bit flags on the hot path and turned into the published strings through
 * a table of shared arrays, so a reading allocates nothing for them.
 */
import type { Severity } from "../readings/index.js";
import type { SensorTypeSpec } from "./sensor-types.js";

/** Why a reading is anomalous, as published in `ProcessedReading.reasons`. */
export const ANOMALY_REASONS = ["zscore", "stuck", "out_of_range_high", "out_of_range_low", "limit_exceeded", "bad_quality", "degradation", "model"] as const;
export type AnomalyReason = (typeof ANOMALY_REASONS)[number];

export const Reason = {
  zscore: 1 << 0,
  stuck: 1 << 1,
  outOfRangeHigh: 1 << 2,
  outOfRangeLow: 1 << 3,
  limitExceeded: 1 << 4,
  badQuality: 1 << 5,
  degradation: 1 << 6,
  /** The anomaly model's score is at or above its threshold. */
  model: 1 << 7,
} as const;

const REASON_LISTS: readonly (readonly AnomalyReason[])[] = Array.from({ length: 1 << ANOMALY_REASONS.length }, (_, mask) =>
  Object.freeze(ANOMALY_REASONS.filter((_r, bit) => (mask & (1 << bit)) !== 0)),
);

/** The reason strings of a mask; the same frozen array every time. */
export function reasonsOf(mask: number): readonly AnomalyReason[] {
  return REASON_LISTS[mask & (REASON_LISTS.length - 1)] as readonly AnomalyReason[];
}

/**
 * Rule scores, chosen so each rule alone makes a reading anomalous (>= 0.5)
 * and lands in the severity its reason deserves (see `severityOf`).
 */
export const RULE_SCORE = {
  /** A BAD reading: the instrument itself says the value cannot be trusted. MEDIUM. */
  badQuality: 0.8,
  /** A flat line. MEDIUM. */
  stuck: 0.8,
  /** Just outside the normal band; rises to 0.95 at the hard limit (MEDIUM, then HIGH past three quarters of the way). */
  outOfRangeMin: 0.75,
  outOfRangeSpan: 0.2,
  /** Beyond a hard limit. CRITICAL. */
  limitExceeded: 1,
  /** Moving with the unit's wear: the machine is going downhill, nothing has failed yet. LOW. */
  degradation: 0.6,
} as const;

/** Range check against a sensor type: sets `mask` and `score` (0 when inside the normal band). */
export class RangeCheck {
  mask = 0;
  score = 0;

  check(spec: SensorTypeSpec, value: number): void {
    // Indexed, not destructured: array destructuring runs the iterator protocol, an allocation per reading.
    const lo = spec.normal[0];
    const hi = spec.normal[1];
    const min = spec.limits[0];
    const max = spec.limits[1];
    this.mask = 0;
    this.score = 0;
    if (value > hi) {
      this.mask = Reason.outOfRangeHigh;
      if (value > max) {
        this.mask |= Reason.limitExceeded;
        this.score = RULE_SCORE.limitExceeded;
      } else {
        this.score = RULE_SCORE.outOfRangeMin + RULE_SCORE.outOfRangeSpan * fraction(value - hi, max - hi);
      }
    } else if (value < lo) {
      this.mask = Reason.outOfRangeLow;
      if (value < min) {
        this.mask |= Reason.limitExceeded;
        this.score = RULE_SCORE.limitExceeded;
      } else {
        this.score = RULE_SCORE.outOfRangeMin + RULE_SCORE.outOfRangeSpan * fraction(lo - value, lo - min);
      }
    }
  }
}

function fraction(excess: number, margin: number): number {
  return margin > 0 ? Math.min(1, excess / margin) : 1;
}

/**
 * Flat-line detector: stuck once the value has stayed within `tolerance` of
 * where the run began for `readings` readings spanning at least `ms`.
 */
export class StuckDetector {
  private value = Number.NaN;
  private run = 0;
  private since = 0;

  constructor(
    private readonly readings: number,
    private readonly ms: number,
    private readonly tolerance: number,
  ) {}

  /** Feeds a reading; returns whether the sensor is stuck now. */
  update(ts: number, value: number): boolean {
    if (this.run > 0 && Math.abs(value - this.value) <= this.tolerance) {
      this.run++;
    } else {
      this.value = value;
      this.run = 1;
      this.since = ts;
    }
    return this.run >= this.readings && ts - this.since >= this.ms;
  }

  /** Readings in the current flat run. */
  get runLength(): number {
    return this.run;
  }

  snapshot(): { value: number | null; run: number; since: number } {
    return { value: this.run === 0 ? null : this.value, run: this.run, since: this.since };
  }

  restore(s: { value: number | null; run: number; since: number }): void {
    this.value = s.value ?? Number.NaN;
    this.run = s.value === null ? 0 : s.run;
    this.since = s.since;
  }
}

/** Combines independent evidence: the chance that at least one of them is right. */
export function noisyOr(a: number, b: number): number {
  return 1 - (1 - a) * (1 - b);
}

/**
 * Severity of an anomalous reading: CRITICAL beyond a hard limit, otherwise by
 * score — HIGH from 0.9, MEDIUM from 0.75, LOW below. Only hard limits make a
 * reading CRITICAL: statistics alone never do.
 */
export function severityOf(score: number, mask: number): Severity {
  if ((mask & Reason.limitExceeded) !== 0) return "CRITICAL";
  if (score >= 0.9) return "HIGH";
  if (score >= 0.75) return "MEDIUM";
  return "LOW";
}
