/**
 * The ClickHouse HistoryStore. Inserts send JSONEachRow bodies (no SQL
 * escaping needed); queries are SqlText from the `sql` tag and read with
 * FINAL, so rows a retried batch inserted twice are seen once even before
 * the background merge has collapsed them.
 */
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
import * as stored from "../stored-rows.js";
import { VigilError } from "../../runtime/errors.js";
import { SqlText, joinSql, qualified, sql } from "../sql/index.js";
import { ClickHouseConnection } from "./connection.js";
import { migrate } from "./migrate.js";
import { applyTtl, dropExpiredPartitions, supportsTtl } from "./retention.js";
import * as rows from "./rows.js";
import type { Columns } from "./rows.js";

export interface ClickHouseStoreOptions {
  /** ClickHouse's HTTP interface, e.g. http://127.0.0.1:8123. */
  url: string;
  database: string;
  username: string;
  password: string;
  /** Days of time-series history kept; 0 keeps everything. */
  retentionDays: number;
  /** Epoch ms; injected so retention is testable. */
  now?: () => number;
}

export class ClickHouseHistoryStore implements HistoryStore {
  readonly kind = "clickhouse" as const;
  private readonly conn: ClickHouseConnection;
  private readonly db: string;
  private readonly now: () => number;

  constructor(private readonly options: ClickHouseStoreOptions) {
    this.conn = new ClickHouseConnection(options);
    this.db = options.database;
    this.now = options.now ?? Date.now;
    qualified(this.db, "raw_readings"); // refuses a database name that is not a plain identifier, now rather than at first use
  }

  async migrate(): Promise<MigrationReport> {
    const report = await migrate(this.conn, this.db, this.now);
    const [server] = await this.conn.rows<{ v: string }>(sql`SELECT version() AS v`);
    if (server !== undefined && supportsTtl(server.v)) {
      await applyTtl(this.conn, this.db, this.options.retentionDays);
    }
    return report;
  }

  /**
   * Drops month partitions wholly older than the retention period (see
   * retention.ts); call it periodically, e.g. daily. Returns "table/YYYYMM" of each dropped.
   */
  enforceRetention(): Promise<string[]> {
    return dropExpiredPartitions(this.conn, this.db, this.options.retentionDays, this.now());
  }

  private table(name: string): SqlText {
    return qualified(this.db, name);
  }

  async insertRaw(batch: readonly RawReadingRow[]): Promise<void> {
    checkRows("raw_readings", batch, ["value"], ["ts", "receivedAt"]);
    await this.conn.insert(this.table("raw_readings"), batch.map(rows.rawToColumns));
  }

  async insertProcessed(batch: readonly ProcessedReadingRow[]): Promise<void> {
    checkRows("processed_readings", batch, ["value", "score"], ["ts", "receivedAt", "processedAt"]);
    await this.conn.insert(this.table("processed_readings"), batch.map(rows.processedToColumns));
  }

  async insertPredictions(batch: readonly PredictionRow[]): Promise<void> {
    checkRows("predictions", batch, ["value"], ["ts"]);
    await this.conn.insert(this.table("predictions"), batch.map(rows.predictionToColumns));
  }

  async insertAlarmEvents(batch: readonly AlarmEventRow[]): Promise<void> {
    checkRows("alarm_events", batch, [], ["ts"]);
    await this.conn.insert(this.table("alarm_events"), batch.map(rows.alarmToColumns));
  }

  async insertRejections(batch: readonly RejectionRow[]): Promise<void> {
    checkRows("rejections", batch, [], ["ts"]);
    await this.conn.insert(this.table("rejections"), batch.map(rows.rejectionToColumns));
  }

  async upsertUnits(batch: readonly UnitRow[]): Promise<void> {
    checkRows("units", batch, ["capacityKw"], ["updatedAt"]);
    await this.conn.insert(this.table("units"), batch.map(rows.unitToColumns));
  }

  async insertLabels(batch: readonly LabelRow[]): Promise<void> {
    checkRows("labels", batch, [], ["from", "to"]);
    await this.conn.insert(this.table("labels"), batch.map(rows.labelToColumns));
  }

  async insertModelEvents(batch: readonly ModelEventRow[]): Promise<void> {
    checkRows("model_events", batch, [], ["ts"]);
    await this.conn.insert(this.table("model_events"), batch.map(rows.modelEventToColumns));
  }

  async rawRange(q: { unit: string; sensor: string } & TimeRange & { limit?: number }): Promise<RawReadingRow[]> {
    const found = await this.conn.rows<Columns>(sql`
      SELECT ${rows.RAW_COLUMNS} FROM ${this.table("raw_readings")} FINAL
      WHERE unit = ${q.unit} AND sensor = ${q.sensor} AND ${inRange(q)}
      ORDER BY ts ${limit(q.limit)}`);
    return found.map(stored.rawFromColumns);
  }

  async downsampled(q: { unit: string; sensors?: readonly string[]; bucketMs: number } & TimeRange): Promise<DownsampledBucket[]> {
    if (q.sensors?.length === 0) return [];
    const conditions = [sql`unit = ${q.unit}`, inRange(q)];
    if (q.sensors !== undefined) conditions.push(sql`sensor IN ${q.sensors}`);
    return this.buckets(conditions, q.bucketMs, sql`bucket, sensor`);
  }

  async downsampledMany(q: { units?: readonly string[]; sensors?: readonly string[]; bucketMs: number } & TimeRange): Promise<DownsampledBucket[]> {
    if (q.units?.length === 0 || q.sensors?.length === 0) return [];
    const conditions = [inRange(q)];
    if (q.units !== undefined) conditions.push(sql`unit IN ${q.units}`);
    if (q.sensors !== undefined) conditions.push(sql`sensor IN ${q.sensors}`);
    return this.buckets(conditions, q.bucketMs, sql`unit, sensor, bucket`);
  }

  private async buckets(conditions: SqlText[], bucketMs: number, orderBy: SqlText): Promise<DownsampledBucket[]> {
    if (!Number.isSafeInteger(bucketMs) || bucketMs < 1) {
      throw new VigilError("VIGIL_STORE_SQL_INVALID", `bucketMs must be a whole number >= 1, got ${bucketMs}`);
    }
    const found = await this.conn.rows<Columns>(sql`
      SELECT unit, sensor, intDiv(ts, ${bucketMs}) * ${bucketMs} AS bucket,
             avg(value) AS avg_value, min(value) AS min_value, max(value) AS max_value, count() AS n
      FROM ${this.table("raw_readings")} FINAL
      WHERE ${joinSql(conditions, " AND ")}
      GROUP BY unit, sensor, bucket
      ORDER BY ${orderBy}`);
    return found.map((c) => ({
      unit: c.unit as string,
      sensor: c.sensor as string,
      bucket: Number(c.bucket),
      avg: Number(c.avg_value),
      min: Number(c.min_value),
      max: Number(c.max_value),
      count: Number(c.n),
    }));
  }

  async latest(q: { units?: readonly string[] } = {}): Promise<RawReadingRow[]> {
    if (q.units?.length === 0) return [];
    const where = q.units === undefined ? sql`` : sql`WHERE unit IN ${q.units}`;
    const found = await this.conn.rows<Columns>(sql`
      SELECT ${rows.RAW_COLUMNS} FROM ${this.table("latest_readings")} FINAL ${where}
      ORDER BY unit, sensor`);
    return found.map(stored.rawFromColumns);
  }

  async alarmHistory(q: TimeRange & { unit?: string; limit?: number }): Promise<AlarmEventRow[]> {
    const conditions = [inRange(q)];
    if (q.unit !== undefined) conditions.push(sql`unit = ${q.unit}`);
    const found = await this.conn.rows<Columns>(sql`
      SELECT alarm_id, rule, unit, sensor, state, severity, ts, actor, message, comment
      FROM ${this.table("alarm_events")} FINAL
      WHERE ${joinSql(conditions, " AND ")}
      ORDER BY ts DESC, alarm_id, state ${limit(q.limit)}`);
    return found.map(stored.alarmFromColumns);
  }

  async rejectedCounts(q: TimeRange): Promise<RejectionCount[]> {
    const found = await this.conn.rows<Columns>(sql`
      SELECT source, reason, count() AS n FROM ${this.table("rejections")} FINAL
      WHERE ${inRange(q)}
      GROUP BY source, reason
      ORDER BY source, reason`);
    return found.map((c) => ({ source: c.source as RejectionCount["source"], reason: c.reason as RejectionCount["reason"], count: Number(c.n) }));
  }

  async trainingWindow(q: TimeRange & { units?: readonly string[]; sensors?: readonly string[] }): Promise<ProcessedReadingRow[]> {
    if (q.units?.length === 0 || q.sensors?.length === 0) return [];
    const conditions = [inRange(q)];
    if (q.units !== undefined) conditions.push(sql`unit IN ${q.units}`);
    if (q.sensors !== undefined) conditions.push(sql`sensor IN ${q.sensors}`);
    const found = await this.conn.rows<Columns>(sql`
      SELECT ${rows.PROCESSED_COLUMNS} FROM ${this.table("processed_readings")} FINAL
      WHERE ${joinSql(conditions, " AND ")}
      ORDER BY unit, sensor, ts`);
    return found.map(stored.processedFromColumns);
  }

  async predictions(q: TimeRange & { unit: string; kind?: string }): Promise<PredictionRow[]> {
    const conditions = [sql`unit = ${q.unit}`, inRange(q)];
    if (q.kind !== undefined) conditions.push(sql`kind = ${q.kind}`);
    const found = await this.conn.rows<Columns>(sql`
      SELECT unit, kind, ts, value, label, model_version FROM ${this.table("predictions")} FINAL
      WHERE ${joinSql(conditions, " AND ")}
      ORDER BY ts, kind, model_version`);
    return found.map(stored.predictionFromColumns);
  }

  async labels(q: TimeRange & { unit?: string }): Promise<LabelRow[]> {
    // Overlaps [from, to): starts before the range ends and ends after it starts.
    const conditions = [sql`from_ts < ${q.to}`, sql`to_ts > ${q.from}`];
    if (q.unit !== undefined) conditions.push(sql`unit = ${q.unit}`);
    const found = await this.conn.rows<Columns>(sql`
      SELECT unit, sensor, from_ts, to_ts, label, source FROM ${this.table("labels")} FINAL
      WHERE ${joinSql(conditions, " AND ")}
      ORDER BY unit, from_ts, sensor, to_ts, label, source`);
    return found.map(stored.labelFromColumns);
  }

  async units(): Promise<UnitRow[]> {
    const found = await this.conn.rows<Columns>(sql`
      SELECT unit, type, location, capacity_kw, updated_at FROM ${this.table("units")} FINAL ORDER BY unit`);
    return found.map(stored.unitFromColumns);
  }

  async modelEvents(q: { model?: string }): Promise<ModelEventRow[]> {
    const where = q.model === undefined ? sql`` : sql`WHERE model = ${q.model}`;
    const found = await this.conn.rows<Columns>(sql`
      SELECT ts, model, version, event, actor, detail FROM ${this.table("model_events")} FINAL ${where}
      ORDER BY ts, model, version, event`);
    return found.map(stored.modelEventFromColumns);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

function inRange(q: TimeRange): SqlText {
  return sql`ts >= ${q.from} AND ts < ${q.to}`;
}

function limit(n: number | undefined): SqlText {
  if (n === undefined) return sql``;
  if (!Number.isSafeInteger(n) || n < 0) throw new VigilError("VIGIL_STORE_SQL_INVALID", `limit must be a whole number >= 0, got ${n}`);
  return sql`LIMIT ${n}`;
}
