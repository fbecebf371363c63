/**
 * Stored rows back into the contract's rows, shared by both stores: columns
 * are snake_case, ids missing from a sort key are '', and numbers may arrive
 * as number, string (ClickHouse Int64 in JSON) or bigint (DuckDB BIGINT), so
 * every number goes through Number(), and a flag is 1 or true.
 */
import type { AlarmEventRow, LabelRow, ModelEventRow, PredictionRow, ProcessedReadingRow, RawReadingRow, UnitRow } from "./history-store.js";

/** One stored row as the engine hands it back, keyed by column name. */
export type Columns = Record<string, unknown>;

export function rawFromColumns(c: Columns): RawReadingRow {
  return {
    unit: c.unit as string,
    sensor: c.sensor as string,
    ts: Number(c.ts),
    value: Number(c.value),
    quality: c.quality as RawReadingRow["quality"],
    source: c.source as RawReadingRow["source"],
    receivedAt: Number(c.received_at),
  };
}

export function processedFromColumns(c: Columns): ProcessedReadingRow {
  return {
    ...rawFromColumns(c),
    anomaly: Number(c.anomaly) === 1,
    score: Number(c.score),
    severity: c.severity as ProcessedReadingRow["severity"],
    category: c.category as ProcessedReadingRow["category"],
    method: c.method as ProcessedReadingRow["method"],
    modelVersion: c.model_version as string | null,
    reasons: c.reasons as string[],
    processedAt: Number(c.processed_at),
  };
}

export function predictionFromColumns(c: Columns): PredictionRow {
  return {
    unit: c.unit as string,
    kind: c.kind as string,
    ts: Number(c.ts),
    value: Number(c.value),
    label: c.label as string | null,
    modelVersion: c.model_version as string,
  };
}

export function alarmFromColumns(c: Columns): AlarmEventRow {
  return {
    alarmId: c.alarm_id as string,
    rule: c.rule as string,
    unit: c.unit as string,
    sensor: c.sensor as string | null,
    state: c.state as string,
    severity: c.severity as AlarmEventRow["severity"],
    ts: Number(c.ts),
    actor: c.actor as string,
    message: c.message as string,
    comment: c.comment as string | null,
  };
}

export function unitFromColumns(c: Columns): UnitRow {
  return {
    unit: c.unit as string,
    type: c.type as string | null,
    location: c.location as string | null,
    capacityKw: c.capacity_kw === null ? null : Number(c.capacity_kw),
    updatedAt: Number(c.updated_at),
  };
}

export function labelFromColumns(c: Columns): LabelRow {
  const sensor = c.sensor as string;
  return {
    unit: c.unit as string,
    sensor: sensor === "" ? null : sensor,
    from: Number(c.from_ts),
    to: Number(c.to_ts),
    label: c.label as string,
    source: c.source as string,
  };
}

export function modelEventFromColumns(c: Columns): ModelEventRow {
  return {
    ts: Number(c.ts),
    model: c.model as string,
    version: c.version as string,
    event: c.event as string,
    actor: c.actor as string,
    detail: c.detail as string,
  };
}
