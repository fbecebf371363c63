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

import type { Columns } from "../stored-rows.js";

export type { Columns };

const RAW = "unit, sensor, ts, value, quality, source, received_at";
export const RAW_COLUMNS = new SqlText(RAW);
export const PROCESSED_COLUMNS = new SqlText(`${RAW}, anomaly, score, severity, category, method, model_version, reasons, processed_at`);

export function rawToColumns(r: RawReadingRow): Columns {
  return { unit: r.unit, sensor: r.sensor, ts: r.ts, value: r.value, quality: r.quality, source: r.source, received_at: r.receivedAt };
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

export function predictionToColumns(r: PredictionRow): Columns {
  return { unit: r.unit, kind: r.kind, ts: r.ts, value: r.value, label: r.label, model_version: r.modelVersion };
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

export function rejectionToColumns(r: RejectionRow): Columns {
  return { ts: r.ts, source: r.source, reason: r.reason, unit: r.unit ?? "", sensor: r.sensor ?? "", detail: r.detail };
}

export function unitToColumns(r: UnitRow): Columns {
  return { unit: r.unit, type: r.type, location: r.location, capacity_kw: r.capacityKw, updated_at: r.updatedAt };
}

export function labelToColumns(r: LabelRow): Columns {
  return { unit: r.unit, sensor: r.sensor ?? "", from_ts: r.from, to_ts: r.to, label: r.label, source: r.source };
}

export function modelEventToColumns(r: ModelEventRow): Columns {
  return { ts: r.ts, model: r.model, version: r.version, event: r.event, actor: r.actor, detail: r.detail };
}

