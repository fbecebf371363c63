/**
 * The numbered migrations of the ClickHouse schema. Every statement is
 * idempotent (IF NOT EXISTS), so a migration cut off half way is simply run
 * again. Only append: a released migration is never edited.
 *
 * Written for ClickHouse 18.16 and current releases alike: epoch-ms Int64
 * timestamps (no DateTime64), months as partitions (a per-sensor time range
 * reads few parts; retention drops whole months), and ReplacingMergeTree
 * keyed by each row kind's natural key. Plain MergeTree on 18.16 has no
 * insert deduplication, so a retried batch would double rows; the replacing
 * engine collapses them in background merges, and reads use FINAL so they
 * never see the copies that are still waiting for a merge.
 *
 * Columns that are part of a sort key cannot be Nullable (18.16), so a
 * missing sensor or unit is stored there as '' (ids are never empty).
 */
import { ident, qualified, sql, type SqlText } from "../sql/index.js";

export interface Migration {
  version: number;
  name: string;
  statements(database: string): SqlText[];
}

/** Months in UTC, whatever the server's time zone. */
export const MONTH_PARTITION = sql`PARTITION BY toYYYYMM(toDateTime(intDiv(ts, 1000), 'UTC'))`;

export { RETAINED_TABLES } from "../retained-tables.js";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "history tables",
    statements: (db) => [
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "raw_readings")} (
        unit String, sensor String, ts Int64, value Float64, quality String, source String, received_at UInt64
      ) ENGINE = ReplacingMergeTree(received_at) ${MONTH_PARTITION} ORDER BY (unit, sensor, ts)`,
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "processed_readings")} (
        unit String, sensor String, ts Int64, value Float64, quality String, source String, received_at UInt64,
        anomaly UInt8, score Float64, severity Nullable(String), category Nullable(String), method String,
        model_version Nullable(String), reasons Array(String), processed_at UInt64
      ) ENGINE = ReplacingMergeTree(processed_at) ${MONTH_PARTITION} ORDER BY (unit, sensor, ts)`,
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "predictions")} (
        unit String, kind String, ts Int64, value Float64, label Nullable(String), model_version String
      ) ENGINE = ReplacingMergeTree ${MONTH_PARTITION} ORDER BY (unit, ts, kind, model_version)`,
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "alarm_events")} (
        alarm_id String, rule String, unit String, sensor Nullable(String), state String, severity String,
        ts Int64, actor String, message String, comment Nullable(String)
      ) ENGINE = ReplacingMergeTree ${MONTH_PARTITION} ORDER BY (unit, ts, alarm_id, state)`,
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "rejections")} (
        ts Int64, source String, reason String, unit String, sensor String, detail String
      ) ENGINE = ReplacingMergeTree ${MONTH_PARTITION} ORDER BY (ts, source, reason, unit, sensor, detail)`,
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "units")} (
        unit String, type Nullable(String), location Nullable(String), capacity_kw Nullable(Float64), updated_at UInt64
      ) ENGINE = ReplacingMergeTree(updated_at) ORDER BY unit`,
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "labels")} (
        unit String, sensor String, from_ts Int64, to_ts Int64, label String, source String
      ) ENGINE = ReplacingMergeTree ORDER BY (unit, from_ts, sensor, to_ts, label, source)`,
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "model_events")} (
        ts Int64, model String, version String, event String, actor String, detail String
      ) ENGINE = ReplacingMergeTree ORDER BY (model, version, event, ts)`,
    ],
  },
  {
    version: 2,
    name: "latest reading per sensor",
    // latest() then reads one row per sensor instead of scanning all history. The
    // materialised view fills it on every insert into raw_readings; the backfill
    // covers rows from before this migration (and is harmless when run again).
    statements: (db) => [
      sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "latest_readings")} (
        unit String, sensor String, ts Int64, value Float64, quality String, source String, received_at UInt64
      ) ENGINE = ReplacingMergeTree(ts) ORDER BY (unit, sensor)`,
      sql`CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(db, "latest_readings_mv")} TO ${qualified(db, "latest_readings")}
        AS SELECT unit, sensor, ts, value, quality, source, received_at FROM ${qualified(db, "raw_readings")}`,
      sql`INSERT INTO ${qualified(db, "latest_readings")}
        SELECT unit, sensor, max(ts), argMax(value, ts), argMax(quality, ts), argMax(source, ts), argMax(received_at, ts)
        FROM ${qualified(db, "raw_readings")} FINAL GROUP BY unit, sensor`,
    ],
  },
];

export function createDatabase(db: string): SqlText {
  return sql`CREATE DATABASE IF NOT EXISTS ${ident(db)}`;
}

export function createMigrationsTable(db: string): SqlText {
  // Replacing, so two nodes migrating at once leave one row per version.
  return sql`CREATE TABLE IF NOT EXISTS ${qualified(db, "schema_migrations")} (
    version UInt32, name String, applied_at UInt64
  ) ENGINE = ReplacingMergeTree ORDER BY version`;
}
