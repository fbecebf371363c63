/**
 * The pluggable part of a unit actor: from the latest state of its sensors,
 * what operational state the unit is in, how bad its worst problem is, and
 * how healthy it is. The rules assessor is the default; a model (the models
 * issue) implements the same interface and reports `method: "MODEL"`.
 */
import type { Category, OperationalState, ReadingQuality, ScoringMethod, Severity } from "../readings/index.js";
import type { AnomalyReason, SensorTypeSpec } from "../sensor/index.js";

/** One sensor as the unit knows it: the latest update, plus what the unit tracks about it. */
export interface SensorEntry {
  value: number;
  ts: number;
  quality: ReadingQuality;
  anomaly: boolean;
  score: number;
  severity: Severity | null;
  category: Category | null;
  reasons: readonly AnomalyReason[];
  drift: boolean;
  /** The sensor's wear gap (SensorUpdate.wear). */
  wear: number;
  /** Reading time the current unbroken run of anomalies began; null when not anomalous. */
  anomalousSince: number | null;
  /** The sensor's type, when known (not part of the snapshot: re-resolved from config). */
  type: SensorTypeSpec | undefined;
  /** Its latest rolling features (SensorUpdate.features), while the worker has unit models; not part of the snapshot. */
  features?: Float64Array | null;
  /** Whether `features` is past the sensor's warm-up (SensorUpdate.warm); not part of the snapshot. */
  warm?: boolean;
}

/** What `assess` reads; valid during the call only (the actor reuses it). */
export interface UnitView {
  readonly unit: string;
  readonly sensors: ReadonlyMap<string, SensorEntry>;
  /** The entries of `sensors`, in an array: walked per sensor update, where a Map's iterator allocates. */
  readonly entries: readonly SensorEntry[];
  /** Node clock. */
  readonly now: number;
  /** Node-clock time the unit last came online; null while offline. */
  readonly onlineSince: number | null;
  /** Online for less than the startup time. */
  readonly startingUp: boolean;
  /** Its sensors move together the way wear moves them (wear.ts). */
  readonly wearing: boolean;
  /** The state last assessed, for hysteresis; null before the first. */
  readonly previous: OperationalState | null;
}

/** Written by `assess`; one instance per unit actor, reused. */
export interface Assessment {
  operationalState: OperationalState;
  severity: Severity | null;
  category: Category | null;
  /** 0 (failed) .. 1 (healthy). */
  health: number;
  method: ScoringMethod;
}

export interface UnitAssessor {
  assess(view: UnitView, out: Assessment): void;
}
