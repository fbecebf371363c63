/**
 * Reads the data rows of a wide file (one row per instant, one column per
 * sensor), whatever says when and for which unit a row is: each format
 * supplies that, this walks the lines, reports whole-row problems once
 * (losing all the row's readings) and hands every cell to the collector.
 */
import { splitCsvLine } from "../csv-line.js";
import type { IssueReason } from "../issues.js";
import type { Header } from "./header.js";
import type { ParseContext } from "./types.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SensorColumn {
  readonly index: number;
  /** The header as written, for messages. */
  readonly column: string;
  readonly sensor: string;
}

export type RowVerdict<T> = { ok: true; value: T } | { ok: false; column: string; detail: string };

export interface WideRowReader {
  readonly header: Header;
  /** Index into ctx.lines of the first data line. */
  readonly firstData: number;
  readonly sensors: readonly SensorColumn[];
  timestamp(fields: readonly string[]): RowVerdict<number>;
  unit(fields: readonly string[]): RowVerdict<string>;
  /** Quality code of every reading of the row (GOOD unless the format says otherwise). */
  quality?(fields: readonly string[]): number;
}

/** Feeds every data row to the collector; returns how many data rows there were. */
export function readWideRows(ctx: ParseContext, reader: WideRowReader): number {
  const { lines, issues, collector } = ctx;
  const width = reader.header.names.length;
  const perRow = reader.sensors.length;
  let rows = 0;
  for (let i = reader.firstData; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text.trim() === "") continue;
    rows++;
    const line = i + 1;
    // A row-level problem loses every reading of the row.
    const reject = (reason: IssueReason, column: string | null, detail: string): void => {
      collector.readingsRead += perRow;
      issues.add({ line, column, reason, detail }, perRow);
    };
    const split = splitCsvLine(text);
    if (!split.ok) {
      reject("malformed_row", null, split.detail);
      continue;
    }
    const fields = split.fields;
    if (fields.length !== width) {
      reject("malformed_row", null, `${fields.length} fields, the header has ${width}`);
      continue;
    }
    const ts = reader.timestamp(fields);
    if (!ts.ok) {
      reject("invalid_timestamp", ts.column, ts.detail);
      continue;
    }
    const range = timestampRangeProblem(ts.value, ctx.now);
    if (range !== undefined) {
      reject("timestamp_out_of_range", null, range);
      continue;
    }
    const unit = reader.unit(fields);
    if (!unit.ok) {
      reject("invalid_id", unit.column, unit.detail);
      continue;
    }
    if (!collector.claimRow(unit.value, ts.value)) {
      reject("duplicate_timestamp", null, `${unit.value} already has a row at ${new Date(ts.value).toISOString()}`);
      continue;
    }
    const quality = reader.quality?.(fields) ?? 0;
    for (const s of reader.sensors) collector.add(line, unit.value, s.sensor, s.column, ts.value, fields[s.index] as string, quality);
  }
  return rows;
}

/** Why a timestamp cannot be history: before 1970, or more than a day after the import. */
export function timestampRangeProblem(ts: number, now: number): string | undefined {
  if (ts < 0) return `${show(ts)} is before 1970`;
  if (ts > now + DAY_MS) return `${show(ts)} is more than a day in the future`;
  return undefined;
}

/** ISO text, or the raw number when it is beyond what Date can show. */
function show(ts: number): string {
  return Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : `${ts} ms`;
}
