/**
 * What a sensor actor receives and what it tells its unit. Readings arrive
 * already validated (readings/validate.ts at ingest), so nothing here is
 * parsed again on the hot path.
 */
import type { Category, ReadingQuality, Severity } from "../readings/index.js";
import type { Reading } from "../readings/index.js";
import type { AnomalyReason } from "./rules.js";
import type { StaleCheck } from "../alarm/index.js";

/** Ask a sensor actor for its current view (`SensorView`). */
export interface SensorQuery {
  readonly type: "get";
}

/**
 * From the sensor's unit, when it starts or stops seeing wear across its
 * sensors (unit/wear.ts): while `on`, the sensor flags readings that show
 * its own share of it (`degradation`).
 */
export interface UnitWear {
  readonly type: "unit-wear";
  readonly on: boolean;
}

export type SensorMessage = Reading | SensorQuery | StaleCheck | UnitWear;

/**
 * The compact state a sensor actor tells `unit/<unit>`: at once when its
 * anomaly, severity or quality changes, otherwise at most once per
 * `unitUpdateIntervalMs` of reading time. One still waiting in the unit's
 * mailbox takes the next in its place (the unit kind's `coalesce`).
 */
export interface SensorUpdate {
  readonly type: "sensor";
  readonly sensor: string;
  readonly value: number;
  readonly ts: number;
  readonly quality: ReadingQuality;
  readonly anomaly: boolean;
  readonly score: number;
  readonly severity: Severity | null;
  readonly category: Category | null;
  readonly reasons: readonly AnomalyReason[];
  /** The sensor's trend would take it out of its normal band within the drift horizon. */
  readonly drift: boolean;
  /**
   * How far the sensor's recent values (its EWMA) have moved from its slow
   * baseline in its type's wear direction, in noise standard deviations
   * (negative: the other way); 0 when its type has no wear direction.
   */
  readonly wear: number;
  /**
   * The sensor's rolling features (featureNames of its spec), present while
   * its worker has a unit-level model: the unit builds its model rows from them.
   */
  readonly features?: Float64Array;
  /** Sent with `features`: whether the sensor is past its warm-up (FeatureSpec.minSamples), so a model may read them. */
  readonly warm?: boolean;
  /**
   * Where the run of anomalous updates this one ends began, for the unit's
   * `anomalousSince`: the sensor sends its own `ts`. An update the unit's
   * mailbox merged from several (unit/latest-updates.ts) carries the `ts`
   * of the first anomalous one of the run they end with.
   */
  readonly runFrom: number;
  /**
   * Whether that run began after a normal update among those this one
   * stands for: the run the unit had seen before ended there, and the new
   * one starts at `runFrom`. False from the sensor: the run goes on from the
   * unit's, if it had one.
   */
  readonly runAnew: boolean;
}

/** What `{type: "get"}` returns: the sensor's state, for the API and tests. */
export interface SensorView {
  unit: string;
  sensor: string;
  /** The sensor type it was matched to, or null when unknown. */
  type: string | null;
  readings: number;
  anomalies: number;
  duplicates: number;
  lastTs: number | null;
  quality: ReadingQuality | null;
  /** Readings in the current flat run. */
  flatRun: number;
  /** Feature name → value, as `featureNames` of the sensor's windows. */
  features: Record<string, number>;
}

export function isSensorUpdate(message: unknown): message is SensorUpdate {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "sensor";
}
