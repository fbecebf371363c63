/**
 * Each row kind's table as the writer sees it: its natural key, the column
 * deciding which copy wins on a conflict, and how a row is appended (stored
 * rows read back through ../stored-rows.ts, shared with ClickHouse). Rows are appended to a per-table staging table and
 * moved into the real one by one INSERT … ON CONFLICT (upsert.ts), because
 * DuckDB's appender itself cannot skip or replace a conflicting row.
 */
import { LIST, VARCHAR, type DuckDBAppender } from "@duckdb/node-api";
import type {
  AlarmEventRow,
  LabelRow,
  ModelEventRow,
  PredictionRow,
  ProcessedReadingRow,
  RawReadingRow,
  RejectionRow,
  UnitRow,
} from "../history-store.js";

export interface TableSpec<T> {
  table: string;
  /** The natural key; the table's primary key. */
  key: readonly string[];
  /** Columns a later copy of the same key overwrites (empty: the key is the whole row). */
  updated: readonly string[];
  /**
   * When set, a copy replaces the stored row only if its version is not
   * older — the same rule as the ClickHouse store's ReplacingMergeTree(version).
   */
  version?: string;
  append: (appender: DuckDBAppender, row: T) => void;
}

const REASONS = LIST(VARCHAR);

function text(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

function double(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendDouble(v);
}

function ms(a: DuckDBAppender, v: number): void {
  a.appendBigInt(BigInt(v));
}

function appendRaw(a: DuckDBAppender, r: RawReadingRow): void {
  a.appendVarchar(r.unit);
  a.appendVarchar(r.sensor);
  ms(a, r.ts);
  a.appendDouble(r.value);
  a.appendVarchar(r.quality);
  a.appendVarchar(r.source);
  ms(a, r.receivedAt);
}

const READING_VALUES = ["value", "quality", "source", "received_at"] as const;

export const RAW: TableSpec<RawReadingRow> = {
  table: "raw_readings",
  key: ["unit", "sensor", "ts"],
  updated: READING_VALUES,
  version: "received_at",
  append: appendRaw,
};

export const PROCESSED: TableSpec<ProcessedReadingRow> = {
  table: "processed_readings",
  key: ["unit", "sensor", "ts"],
  updated: [...READING_VALUES, "anomaly", "score", "severity", "category", "method", "model_version", "reasons", "processed_at"],
  version: "processed_at",
  append(a, r) {
    appendRaw(a, r);
    a.appendBoolean(r.anomaly);
    a.appendDouble(r.score);
    text(a, r.severity);
    text(a, r.category);
    a.appendVarchar(r.method);
    text(a, r.modelVersion);
    a.appendList(r.reasons, REASONS);
    ms(a, r.processedAt);
  },
};

export const PREDICTIONS: TableSpec<PredictionRow> = {
  table: "predictions",
  key: ["unit", "kind", "model_version", "ts"],
  updated: ["value", "label"],
  append(a, r) {
    a.appendVarchar(r.unit);
    a.appendVarchar(r.kind);
    ms(a, r.ts);
    a.appendDouble(r.value);
    text(a, r.label);
    a.appendVarchar(r.modelVersion);
  },
};

export const ALARM_EVENTS: TableSpec<AlarmEventRow> = {
  table: "alarm_events",
  key: ["alarm_id", "state", "ts"],
  updated: ["rule", "unit", "sensor", "severity", "actor", "message", "comment"],
  append(a, r) {
    a.appendVarchar(r.alarmId);
    a.appendVarchar(r.rule);
    a.appendVarchar(r.unit);
    text(a, r.sensor);
    a.appendVarchar(r.state);
    a.appendVarchar(r.severity);
    ms(a, r.ts);
    a.appendVarchar(r.actor);
    a.appendVarchar(r.message);
    text(a, r.comment);
  },
};

export const REJECTIONS: TableSpec<RejectionRow> = {
  table: "rejections",
  key: ["ts", "source", "reason", "unit", "sensor", "detail"],
  updated: [],
  append(a, r) {
    ms(a, r.ts);
    a.appendVarchar(r.source);
    a.appendVarchar(r.reason);
    a.appendVarchar(r.unit ?? "");
    a.appendVarchar(r.sensor ?? "");
    a.appendVarchar(r.detail);
  },
};

export const UNITS: TableSpec<UnitRow> = {
  table: "units",
  key: ["unit"],
  updated: ["type", "location", "capacity_kw", "updated_at"],
  version: "updated_at",
  append(a, r) {
    a.appendVarchar(r.unit);
    text(a, r.type);
    text(a, r.location);
    double(a, r.capacityKw);
    ms(a, r.updatedAt);
  },
};

export const LABELS: TableSpec<LabelRow> = {
  table: "labels",
  key: ["unit", "sensor", "from_ts", "to_ts", "label", "source"],
  updated: [],
  append(a, r) {
    a.appendVarchar(r.unit);
    a.appendVarchar(r.sensor ?? "");
    ms(a, r.from);
    ms(a, r.to);
    a.appendVarchar(r.label);
    a.appendVarchar(r.source);
  },
};

export const MODEL_EVENTS: TableSpec<ModelEventRow> = {
  table: "model_events",
  key: ["model", "version", "event", "ts"],
  updated: ["actor", "detail"],
  append(a, r) {
    ms(a, r.ts);
    a.appendVarchar(r.model);
    a.appendVarchar(r.version);
    a.appendVarchar(r.event);
    a.appendVarchar(r.actor);
    a.appendVarchar(r.detail);
  },
};
