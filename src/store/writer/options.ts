/**
 * The writer's options, filled with defaults once at construction so the
 * rest of the code sees no optional fields.
 */
import type { Registry } from "prom-client";
import type { Logger } from "../../runtime/log.js";
import type { HistoryStore } from "../history-store.js";

/** The part of the store the writer uses; any HistoryStore fits. */
export type HistorySink = Pick<HistoryStore, "insertRaw" | "insertProcessed" | "insertPredictions" | "insertRejections" | "insertAlarmEvents" | "insertLabels">;

export interface HistoryWriterOptions {
  store: HistorySink;
  /** Where batches go while the store is unreachable; created if missing. One writer per directory. */
  spoolDir: string;
  log: Logger;
  /** Registers the `vigil_history_*` metrics there; none when absent. */
  registry?: Registry;
  /** A batch is sealed when it holds this many rows. @default 10_000 */
  batchRows?: number;
  /** …or when its first row has waited this long. @default 1_000 (1 s) */
  batchDelayMs?: number;
  /** Rows of sealed batches held in memory; beyond it, batches go to the spool. @default 100_000 */
  maxQueuedRows?: number;
  /** First retry delay after a failed insert; doubles per failure. @default 100 */
  retryInitialMs?: number;
  /** Longest retry delay. @default 10_000 (10 s) */
  retryMaxMs?: number;
}

export type FilledWriterOptions = Required<Omit<HistoryWriterOptions, "registry">> & Pick<HistoryWriterOptions, "registry">;

export const WRITER_DEFAULTS = {
  batchRows: 10_000,
  batchDelayMs: 1_000, // 1 s
  maxQueuedRows: 100_000,
  retryInitialMs: 100,
  retryMaxMs: 10_000, // 10 s
} as const;

export function fillWriterOptions(options: HistoryWriterOptions): FilledWriterOptions {
  const filled = { ...WRITER_DEFAULTS, ...options };
  for (const key of ["batchRows", "batchDelayMs", "maxQueuedRows", "retryInitialMs", "retryMaxMs"] as const) {
    const value = filled[key];
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`history writer: ${key} must be a whole number ≥ 1, got ${value}`);
  }
  if (filled.maxQueuedRows < filled.batchRows) throw new RangeError("history writer: maxQueuedRows must hold at least one batch (≥ batchRows)");
  return filled;
}
