/**
 * Rows as the store's callers see them ↔ rows as ClickHouse columns hold
 * them (snake_case, UInt8 flags, '' for a missing id in a sort key).
 */
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
import { SqlText } from "../sql/index.js";

/** What a JSONEachRow line holds before mapping. */
export type Columns = Record<string, unknown>;

const RAW = "unit, sensor, ts, value, quality, source, received_at";
export const RAW_COLUMNS = new SqlText(RAW);
export const PROCESSED_COLUMNS = new SqlText(`${RAW}, anomaly, score, severity, category, method, model_version, reasons, processed_at`);

export function rawToColumns(r: RawReadingRow): Columns {
  return { unit: r.unit, sensor: r.sensor, ts: r.ts, value: r.value, quality: r.quality, source: r.source, received_at: r.receivedAt };
}

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

export function processedToColumns(r: ProcessedReadingRow): Columns {
  return {
    ...rawToColumns(r),
    anomaly: r.anomaly ? 1 : 0,
    score: r.score,
    severity: r.severity,
    category: r.category,
    method: r.method,
    model_version: r.modelVersion,
    reasons: r.reasons,
    processed_at: r.processedAt,
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

export function predictionToColumns(r: PredictionRow): Columns {
  return { unit: r.unit, kind: r.kind, ts: r.ts, value: r.value, label: r.label, model_version: r.modelVersion };
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

export function alarmToColumns(r: AlarmEventRow): Columns {
  return {
    alarm_id: r.alarmId,
    rule: r.rule,
    unit: r.unit,
    sensor: r.sensor,
    state: r.state,
    severity: r.severity,
    ts: r.ts,
    actor: r.actor,
    message: r.message,
    comment: r.comment,
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

export function rejectionToColumns(r: RejectionRow): Columns {
  return { ts: r.ts, source: r.source, reason: r.reason, unit: r.unit ?? "", sensor: r.sensor ?? "", detail: r.detail };
}

export function unitToColumns(r: UnitRow): Columns {
  return { unit: r.unit, type: r.type, location: r.location, capacity_kw: r.capacityKw, updated_at: r.updatedAt };
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

export function labelToColumns(r: LabelRow): Columns {
  return { unit: r.unit, sensor: r.sensor ?? "", from_ts: r.from, to_ts: r.to, label: r.label, source: r.source };
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

export function modelEventToColumns(r: ModelEventRow): Columns {
  return { ts: r.ts, model: r.model, version: r.version, event: r.event, actor: r.actor, detail: r.detail };
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
