/**
 * The history store contract: what the pipeline writes (raw and processed
 * readings, predictions, alarm transitions, rejections, units, labels,
 * model-registry events) and the queries the API, the trainers and the
 * dashboard ask. Two implementations — ClickHouse in production, an embedded
 * engine by default — run one conformance suite
 * (test/store/history-store.case.ts).
 *
 * Timestamps are epoch milliseconds everywhere in this interface. Inserts
 * are idempotent for the same rows: retrying a batch after a failure must
 * never leave a row twice (the writer retries until it is sure).
 *
 * Numbers are validated upstream (validateReading), and a store refuses a
 * batch holding a non-finite number (NaN, ±Infinity) or a timestamp that is
 * not a whole number with VigilError VIGIL_STORE_ROW_INVALID before writing
 * any of it (checkRows in ./row-checks.ts), so nothing stored is NaN.
 *
 * Each kind of row has a natural key; a row inserted again with the same key
 * replaces the stored one (the retried batch case), so every query and count
 * sees it once:
 * - raw and processed readings: unit, sensor, ts
 * - predictions: unit, kind, modelVersion, ts
 * - alarm events: alarmId, state, ts
 * - rejections: every field (identical rejections in the same millisecond count once)
 * - units: unit (the highest updatedAt wins; upsert)
 * - labels: unit, sensor, from, to, label, source
 * - model events: model, version, event, ts
 */
import type { IngestSource, ReadingQuality } from "../actors/readings/reading.js";
import type { Category, ScoringMethod, Severity } from "../actors/readings/processed.js";
import type { RejectionReason } from "../actors/readings/rejections.js";

export interface RawReadingRow {
  unit: string;
  sensor: string;
  ts: number;
  value: number;
  quality: ReadingQuality;
  source: IngestSource;
  receivedAt: number;
}

export interface ProcessedReadingRow extends RawReadingRow {
  anomaly: boolean;
  score: number;
  severity: Severity | null;
  category: Category | null;
  method: ScoringMethod;
  modelVersion: string | null;
  reasons: string[];
  processedAt: number;
}

export interface PredictionRow {
  unit: string;
  /** e.g. "rul", "health", "operational_state", "solar_power" */
  kind: string;
  ts: number;
  value: number;
  /** Optional label for classifications, e.g. "DEGRADED". */
  label: string | null;
  modelVersion: string;
}

export interface AlarmEventRow {
  alarmId: string;
  rule: string;
  unit: string;
  sensor: string | null;
  /** The state entered, e.g. "active_unacknowledged", "acknowledged", "cleared", "shelved". */
  state: string;
  severity: Severity;
  ts: number;
  /** Who or what made the transition: a user name, "system", a rule id. */
  actor: string;
  message: string;
  comment: string | null;
}

export interface RejectionRow {
  ts: number;
  source: IngestSource;
  reason: RejectionReason;
  unit: string | null;
  sensor: string | null;
  detail: string;
}

export interface UnitRow {
  unit: string;
  type: string | null;
  location: string | null;
  capacityKw: number | null;
  updatedAt: number;
}

export interface LabelRow {
  unit: string;
  sensor: string | null;
  from: number;
  to: number;
  /** e.g. "fault", "false_alarm", "normal", or a scenario kind. */
  label: string;
  /** "simulator", "import", "operator:<name>" */
  source: string;
}

export interface ModelEventRow {
  ts: number;
  model: string;
  version: string;
  /** e.g. "registered", "promoted", "archived", "rolled_back" */
  event: string;
  actor: string;
  detail: string;
}

export interface TimeRange {
  from: number;
  /** Exclusive. */
  to: number;
}

export interface DownsampledBucket {
  unit: string;
  sensor: string;
  /** Start of the bucket, epoch ms, a multiple of bucketMs. */
  bucket: number;
  avg: number;
  min: number;
  max: number;
  count: number;
}

export interface RejectionCount {
  source: IngestSource;
  reason: RejectionReason;
  count: number;
}

export interface MigrationReport {
  /** Versions applied by this call (empty when already up to date). */
  applied: number[];
  current: number;
}

export interface HistoryStore {
  readonly kind: "clickhouse" | "embedded";
  /** Create or upgrade the schema; running it again is harmless. */
  migrate(): Promise<MigrationReport>;

  insertRaw(rows: readonly RawReadingRow[]): Promise<void>;
  insertProcessed(rows: readonly ProcessedReadingRow[]): Promise<void>;
  insertPredictions(rows: readonly PredictionRow[]): Promise<void>;
  insertAlarmEvents(rows: readonly AlarmEventRow[]): Promise<void>;
  insertRejections(rows: readonly RejectionRow[]): Promise<void>;
  upsertUnits(rows: readonly UnitRow[]): Promise<void>;
  insertLabels(rows: readonly LabelRow[]): Promise<void>;
  insertModelEvents(rows: readonly ModelEventRow[]): Promise<void>;

  /** Raw readings of one sensor, oldest first. */
  rawRange(q: { unit: string; sensor: string } & TimeRange & { limit?: number }): Promise<RawReadingRow[]>;
  /** avg/min/max/count per bucket for one unit's sensors (all when `sensors` is absent), oldest first, then by sensor. */
  downsampled(q: { unit: string; sensors?: readonly string[]; bucketMs: number } & TimeRange): Promise<DownsampledBucket[]>;
  /**
   * avg/min/max/count per bucket for many units' sensors in one query (all
   * units and all sensors when absent), ordered by unit, sensor, bucket: a
   * dashboard of 1,000 sensors asks once instead of once per unit.
   */
  downsampledMany(q: { units?: readonly string[]; sensors?: readonly string[]; bucketMs: number } & TimeRange): Promise<DownsampledBucket[]>;
  /** The newest raw reading of every sensor (of the given units, or all). */
  latest(q?: { units?: readonly string[] }): Promise<RawReadingRow[]>;
  /** Alarm transitions, newest first (ties: by alarmId, then state). */
  alarmHistory(q: TimeRange & { unit?: string; limit?: number }): Promise<AlarmEventRow[]>;
  /** Rejections per source and reason, ordered by source, then reason. */
  rejectedCounts(q: TimeRange): Promise<RejectionCount[]>;
  /** Processed readings of many sensors at once for training, ordered by unit, sensor, ts. */
  trainingWindow(q: TimeRange & { units?: readonly string[]; sensors?: readonly string[] }): Promise<ProcessedReadingRow[]>;
  /** Predictions of one unit (and kind), oldest first; ties by kind, then modelVersion. */
  predictions(q: TimeRange & { unit: string; kind?: string }): Promise<PredictionRow[]>;
  /** Labels whose [from, to) overlaps the range, ordered by unit, from, sensor (none first). */
  labels(q: TimeRange & { unit?: string }): Promise<LabelRow[]>;
  /** Ordered by unit. */
  units(): Promise<UnitRow[]>;
  /** Oldest first; ties by model, version, event. */
  modelEvents(q: { model?: string }): Promise<ModelEventRow[]>;

  /**
   * Removes time-series rows (readings, predictions, rejections) older than
   * the store's retention period; alarms, labels, units and model events are
   * kept as the audit trail. Call it periodically. Returns what was removed,
   * for the log (empty when retention is off or nothing was old enough).
   */
  enforceRetention(): Promise<string[]>;

  close(): Promise<void>;
}
