/**
 * Test rows for the history writer: the i-th processed reading of a
 * sustained load, unique on (unit, sensor, ts) and carrying i as its value,
 * so count, sum(value) and sum(ts) check that every row arrived exactly once.
 */
import type { ProcessedReadingRow, RawReadingRow } from "../../../src/store/history-store.js";
import type { HistorySink } from "../../../src/store/writer/index.js";

export const BASE_TS = Date.UTC(2026, 0, 1);
export const SENSORS = 10;

export function tsOf(i: number): number {
  return BASE_TS + Math.floor(i / SENSORS) * 1000;
}

export function rawRow(i: number): RawReadingRow {
  const ts = tsOf(i);
  return { unit: "UNIT001", sensor: `s${i % SENSORS}`, ts, value: i, quality: "GOOD", source: "mqtt", receivedAt: ts + 5 };
}

export function processedRow(i: number): ProcessedReadingRow {
  const raw = rawRow(i);
  return {
    ...raw,
    anomaly: false,
    score: 0.1,
    severity: null,
    category: null,
    method: "STATISTICAL",
    modelVersion: null,
    reasons: [],
    processedAt: raw.ts + 7,
  };
}

/** What rows 0..n-1 add up to; timestamps summed in seconds, so the sum stays exact below 2^53. */
export function expectedTotals(n: number): { n: number; sumValue: number; sumTsSeconds: number } {
  let sumTsSeconds = 0;
  for (let i = 0; i < n; i++) sumTsSeconds += tsOf(i) / 1000;
  return { n, sumValue: (n * (n - 1)) / 2, sumTsSeconds };
}

export { until } from "../../fixtures/until.js";

/** A sink whose every insert does the same (e.g. succeed at once, or fail as an unreachable store would). */
export function uniformSink(insert: () => Promise<void>): HistorySink {
  return { insertRaw: insert, insertProcessed: insert, insertPredictions: insert, insertRejections: insert, insertAlarmEvents: insert, insertLabels: insert };
}
