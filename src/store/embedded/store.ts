/**
 * The embedded HistoryStore on DuckDB: what `npm start` writes to when no
 * ClickHouse is configured. Writes go through upsert.ts (appender + one
 * ON CONFLICT insert per batch); queries bind every value as a parameter,
 * so no value is ever spliced into SQL text. Table and column names are
 * constants of this folder.
 */
import { listValue, type DuckDBValue } from "@duckdb/node-api";
import type {
  AlarmEventRow,
  DownsampledBucket,
  HistoryStore,
  LabelRow,
  MigrationReport,
  ModelEventRow,
  PredictionRow,
  ProcessedReadingRow,
  RawReadingRow,
  RejectionCount,
  RejectionRow,
  TimeRange,
  UnitRow,
} from "../history-store.js";
import { checkRows } from "../row-checks.js";
import { DAY_MS, RETAINED_TABLES } from "../retained-tables.js";
import * as stored from "../stored-rows.js";
import { VigilError } from "../../runtime/errors.js";
import type { EmbeddedConnection } from "./connection.js";
import { migrate } from "./migrate.js";
import * as tables from "./tables.js";
import { upsert } from "./upsert.js";

const RAW_COLUMNS = "unit, sensor, ts, value, quality, source, received_at";


export class EmbeddedHistoryStore implements HistoryStore {
  readonly kind = "embedded" as const;

  constructor(
    private readonly conn: EmbeddedConnection,
    private readonly now: () => number = Date.now,
    /** Days of time-series history kept; 0 keeps everything. */
    private readonly retentionDays = 0,
  ) {}

  /** The database file, or ":memory:". */
  get path(): string {
    return this.conn.path;
  }

  migrate(): Promise<MigrationReport> {
    return migrate(this.conn, this.now);
  }

  async insertRaw(batch: readonly RawReadingRow[]): Promise<void> {
    checkRows("raw_readings", batch, ["value"], ["ts", "receivedAt"]);
    await upsert(this.conn, tables.RAW, batch);
  }

  async insertProcessed(batch: readonly ProcessedReadingRow[]): Promise<void> {
    checkRows("processed_readings", batch, ["value", "score"], ["ts", "receivedAt", "processedAt"]);
    await upsert(this.conn, tables.PROCESSED, batch);
  }

  async insertPredictions(batch: readonly PredictionRow[]): Promise<void> {
    checkRows("predictions", batch, ["value"], ["ts"]);
    await upsert(this.conn, tables.PREDICTIONS, batch);
  }

  async insertAlarmEvents(batch: readonly AlarmEventRow[]): Promise<void> {
    checkRows("alarm_events", batch, [], ["ts"]);
    await upsert(this.conn, tables.ALARM_EVENTS, batch);
  }

  async insertRejections(batch: readonly RejectionRow[]): Promise<void> {
    checkRows("rejections", batch, [], ["ts"]);
    await upsert(this.conn, tables.REJECTIONS, batch);
  }

  async upsertUnits(batch: readonly UnitRow[]): Promise<void> {
    checkRows("units", batch, ["capacityKw"], ["updatedAt"]);
    await upsert(this.conn, tables.UNITS, batch);
  }

  async insertLabels(batch: readonly LabelRow[]): Promise<void> {
    checkRows("labels", batch, [], ["from", "to"]);
    await upsert(this.conn, tables.LABELS, batch);
  }

  async insertModelEvents(batch: readonly ModelEventRow[]): Promise<void> {
    checkRows("model_events", batch, [], ["ts"]);
    await upsert(this.conn, tables.MODEL_EVENTS, batch);
  }

  async rawRange(q: { unit: string; sensor: string } & TimeRange & { limit?: number }): Promise<RawReadingRow[]> {
    const where = new Where().equals("unit", q.unit).equals("sensor", q.sensor).range("ts", q);
    const found = await this.conn.rows(
      `SELECT ${RAW_COLUMNS} FROM raw_readings ${where.sql()} ORDER BY ts ${where.limit(q.limit)}`,
      where.values,
    );
    return found.map(stored.rawFromColumns);
  }

  async downsampled(q: { unit: string; sensors?: readonly string[]; bucketMs: number } & TimeRange): Promise<DownsampledBucket[]> {
    if (q.sensors?.length === 0) return [];
    return this.buckets(new Where().equals("unit", q.unit).range("ts", q).oneOf("sensor", q.sensors), q.bucketMs, "bucket, sensor");
  }

  async downsampledMany(q: { units?: readonly string[]; sensors?: readonly string[]; bucketMs: number } & TimeRange): Promise<DownsampledBucket[]> {
    if (q.units?.length === 0 || q.sensors?.length === 0) return [];
    return this.buckets(new Where().range("ts", q).oneOf("unit", q.units).oneOf("sensor", q.sensors), q.bucketMs, "unit, sensor, bucket");
  }

  private async buckets(where: Where, bucketMs: number, orderBy: "bucket, sensor" | "unit, sensor, bucket"): Promise<DownsampledBucket[]> {
    if (!Number.isSafeInteger(bucketMs) || bucketMs < 1) {
      throw new VigilError("VIGIL_STORE_SQL_INVALID", `bucketMs must be a whole number >= 1, got ${bucketMs}`);
    }
    const bucket = where.bind(BigInt(bucketMs));
    // Integer division of BIGINTs (truncating, like ClickHouse's intDiv), so bucket starts are exact and equal in both stores.
    const found = await this.conn.rows(
      `SELECT unit, sensor, (ts // ${bucket}) * ${bucket} AS bucket,
              avg(value) AS avg_value, min(value) AS min_value, max(value) AS max_value, count(*) AS n
       FROM raw_readings ${where.sql()}
       GROUP BY unit, sensor, bucket
       ORDER BY ${orderBy}`,
      where.values,
    );
    return found.map((c) => ({
      unit: c.unit as string,
      sensor: c.sensor as string,
      bucket: Number(c.bucket),
      avg: c.avg_value as number,
      min: c.min_value as number,
      max: c.max_value as number,
      count: Number(c.n),
    }));
  }

  async latest(q: { units?: readonly string[] } = {}): Promise<RawReadingRow[]> {
    if (q.units?.length === 0) return [];
    const where = new Where().oneOf("unit", q.units);
    const found = await this.conn.rows(
      `SELECT ${RAW_COLUMNS} FROM raw_readings ${where.sql()}
       QUALIFY row_number() OVER (PARTITION BY unit, sensor ORDER BY ts DESC) = 1
       ORDER BY unit, sensor`,
      where.values,
    );
    return found.map(stored.rawFromColumns);
  }

  async alarmHistory(q: TimeRange & { unit?: string; limit?: number }): Promise<AlarmEventRow[]> {
    const where = new Where().range("ts", q).equals("unit", q.unit);
    const found = await this.conn.rows(
      `SELECT alarm_id, rule, unit, sensor, state, severity, ts, actor, message, comment FROM alarm_events ${where.sql()}
       ORDER BY ts DESC, alarm_id, state ${where.limit(q.limit)}`,
      where.values,
    );
    return found.map(stored.alarmFromColumns);
  }

  async rejectedCounts(q: TimeRange): Promise<RejectionCount[]> {
    const where = new Where().range("ts", q);
    const found = await this.conn.rows(
      `SELECT source, reason, count(*) AS n FROM rejections ${where.sql()} GROUP BY source, reason ORDER BY source, reason`,
      where.values,
    );
    return found.map((c) => ({ source: c.source as RejectionCount["source"], reason: c.reason as RejectionCount["reason"], count: Number(c.n) }));
  }

  async trainingWindow(q: TimeRange & { units?: readonly string[]; sensors?: readonly string[] }): Promise<ProcessedReadingRow[]> {
    if (q.units?.length === 0 || q.sensors?.length === 0) return [];
    const where = new Where().range("ts", q).oneOf("unit", q.units).oneOf("sensor", q.sensors);
    const found = await this.conn.rows(
      `SELECT ${RAW_COLUMNS}, anomaly, score, severity, category, method, model_version, reasons, processed_at
       FROM processed_readings ${where.sql()} ORDER BY unit, sensor, ts`,
      where.values,
    );
    return found.map(stored.processedFromColumns);
  }

  async predictions(q: TimeRange & { unit: string; kind?: string }): Promise<PredictionRow[]> {
    const where = new Where().equals("unit", q.unit).range("ts", q).equals("kind", q.kind);
    const found = await this.conn.rows(
      `SELECT unit, kind, ts, value, label, model_version FROM predictions ${where.sql()} ORDER BY ts, kind, model_version`,
      where.values,
    );
    return found.map(stored.predictionFromColumns);
  }

  async labels(q: TimeRange & { unit?: string }): Promise<LabelRow[]> {
    // Overlaps [from, to): starts before the range ends and ends after it starts.
    const where = new Where().equals("unit", q.unit);
    where.condition(`from_ts < ${where.bind(timeValue(q.to))}`).condition(`to_ts > ${where.bind(timeValue(q.from))}`);
    const found = await this.conn.rows(
      `SELECT unit, sensor, from_ts, to_ts, label, source FROM labels ${where.sql()}
       ORDER BY unit, from_ts, sensor, to_ts, label, source`,
      where.values,
    );
    return found.map(stored.labelFromColumns);
  }

  async units(): Promise<UnitRow[]> {
    const found = await this.conn.rows("SELECT unit, type, location, capacity_kw, updated_at FROM units ORDER BY unit");
    return found.map(stored.unitFromColumns);
  }

  async modelEvents(q: { model?: string }): Promise<ModelEventRow[]> {
    const where = new Where().equals("model", q.model);
    const found = await this.conn.rows(
      `SELECT ts, model, version, event, actor, detail FROM model_events ${where.sql()} ORDER BY ts, model, version, event`,
      where.values,
    );
    return found.map(stored.modelEventFromColumns);
  }

  /** Deletes rows of the retained tables older than `retentionDays` (by their ts), all in one transaction. */
  async enforceRetention(): Promise<string[]> {
    if (this.retentionDays <= 0) return [];
    const cutoff = BigInt(Math.trunc(this.now() - this.retentionDays * DAY_MS));
    return this.conn.transaction("enforce retention", async (c) => {
      const removed: string[] = [];
      for (const table of RETAINED_TABLES) {
        const result = await c.run(`DELETE FROM ${table} WHERE ts < $1`, [cutoff]);
        const rows = Number(result.rowsChanged);
        if (rows > 0) removed.push(`${table}: ${rows} rows`);
      }
      return removed;
    });
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** A WHERE clause whose values are all bound parameters ($1, $2, …); column names are this file's constants. */
class Where {
  readonly values: DuckDBValue[] = [];
  private readonly conditions: string[] = [];

  bind(value: DuckDBValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  condition(text: string): this {
    this.conditions.push(text);
    return this;
  }

  /** Skipped when `value` is undefined (the filter was not asked for). */
  equals(column: string, value: string | undefined): this {
    return value === undefined ? this : this.condition(`${column} = ${this.bind(value)}`);
  }

  oneOf(column: string, values: readonly string[] | undefined): this {
    return values === undefined ? this : this.condition(`list_contains(${this.bind(listValue([...values]))}::VARCHAR[], ${column})`);
  }

  range(column: string, q: TimeRange): this {
    return this.condition(`${column} >= ${this.bind(timeValue(q.from))} AND ${column} < ${this.bind(timeValue(q.to))}`);
  }

  sql(): string {
    return this.conditions.length === 0 ? "" : `WHERE ${this.conditions.join(" AND ")}`;
  }

  limit(n: number | undefined): string {
    if (n === undefined) return "";
    if (!Number.isSafeInteger(n) || n < 0) throw new VigilError("VIGIL_STORE_SQL_INVALID", `limit must be a whole number >= 0, got ${n}`);
    return `LIMIT ${this.bind(BigInt(n))}`;
  }
}

/** Whole milliseconds bind as BIGINT (exact comparisons with the BIGINT columns); other finite numbers as DOUBLE. */
function timeValue(ms: number): DuckDBValue {
  if (Number.isSafeInteger(ms)) return BigInt(ms);
  if (Number.isFinite(ms)) return ms;
  throw new VigilError("VIGIL_STORE_SQL_INVALID", `a time bound must be a finite number of epoch ms, got ${ms}`);
}
