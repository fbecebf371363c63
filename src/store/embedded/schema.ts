/**
 * The numbered migrations of the embedded (DuckDB) schema. Only append: a
 * released migration is never edited. Each migration runs in one
 * transaction together with its schema_migrations row, so it is applied
 * wholly or not at all.
 *
 * Epoch-ms BIGINT timestamps, as in the ClickHouse store, so bucket
 * arithmetic gives the same numbers in both. Each table's primary key is its
 * row kind's natural key (see history-store.ts): that is what makes a
 * retried batch replace rows instead of doubling them. Key columns cannot be
 * NULL, so a missing sensor or unit is stored there as '' (ids are never
 * empty), as the ClickHouse store does.
 */

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at BIGINT NOT NULL
)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "history tables",
    statements: [
      `CREATE TABLE IF NOT EXISTS raw_readings (
        unit VARCHAR NOT NULL, sensor VARCHAR NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL,
        quality VARCHAR NOT NULL, source VARCHAR NOT NULL, received_at BIGINT NOT NULL,
        PRIMARY KEY (unit, sensor, ts))`,
      `CREATE TABLE IF NOT EXISTS processed_readings (
        unit VARCHAR NOT NULL, sensor VARCHAR NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL,
        quality VARCHAR NOT NULL, source VARCHAR NOT NULL, received_at BIGINT NOT NULL,
        anomaly BOOLEAN NOT NULL, score DOUBLE NOT NULL, severity VARCHAR, category VARCHAR, method VARCHAR NOT NULL,
        model_version VARCHAR, reasons VARCHAR[] NOT NULL, processed_at BIGINT NOT NULL,
        PRIMARY KEY (unit, sensor, ts))`,
      `CREATE TABLE IF NOT EXISTS predictions (
        unit VARCHAR NOT NULL, kind VARCHAR NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL,
        label VARCHAR, model_version VARCHAR NOT NULL,
        PRIMARY KEY (unit, kind, model_version, ts))`,
      `CREATE TABLE IF NOT EXISTS alarm_events (
        alarm_id VARCHAR NOT NULL, rule VARCHAR NOT NULL, unit VARCHAR NOT NULL, sensor VARCHAR, state VARCHAR NOT NULL,
        severity VARCHAR NOT NULL, ts BIGINT NOT NULL, actor VARCHAR NOT NULL, message VARCHAR NOT NULL, comment VARCHAR,
        PRIMARY KEY (alarm_id, state, ts))`,
      `CREATE TABLE IF NOT EXISTS rejections (
        ts BIGINT NOT NULL, source VARCHAR NOT NULL, reason VARCHAR NOT NULL, unit VARCHAR NOT NULL, sensor VARCHAR NOT NULL,
        detail VARCHAR NOT NULL,
        PRIMARY KEY (ts, source, reason, unit, sensor, detail))`,
      `CREATE TABLE IF NOT EXISTS units (
        unit VARCHAR PRIMARY KEY, type VARCHAR, location VARCHAR, capacity_kw DOUBLE, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS labels (
        unit VARCHAR NOT NULL, sensor VARCHAR NOT NULL, from_ts BIGINT NOT NULL, to_ts BIGINT NOT NULL,
        label VARCHAR NOT NULL, source VARCHAR NOT NULL,
        PRIMARY KEY (unit, sensor, from_ts, to_ts, label, source))`,
      `CREATE TABLE IF NOT EXISTS model_events (
        ts BIGINT NOT NULL, model VARCHAR NOT NULL, version VARCHAR NOT NULL, event VARCHAR NOT NULL,
        actor VARCHAR NOT NULL, detail VARCHAR NOT NULL,
        PRIMARY KEY (model, version, event, ts))`,
    ],
  },
];
