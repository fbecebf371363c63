/**
 * A batch is the unit the writer inserts, spools and retries: rows of one
 * kind, and a sequence number given when the batch is sealed. Sequence order
 * is write order; the writer inserts batches strictly in that order.
 */
import type { AlarmEventRow, LabelRow, PredictionRow, ProcessedReadingRow, RawReadingRow, RejectionRow } from "../history-store.js";

/** The kinds of rows the writer carries, and each kind's row type. */
export interface RowsOf {
  raw: RawReadingRow;
  processed: ProcessedReadingRow;
  prediction: PredictionRow;
  rejection: RejectionRow;
  alarm: AlarmEventRow;
  label: LabelRow;
}

export type BatchKind = keyof RowsOf;

export type HistoryBatch = { [K in BatchKind]: { readonly seq: number; readonly kind: K; readonly rows: readonly RowsOf[K][] } }[BatchKind];

export const BATCH_KINDS: readonly BatchKind[] = ["raw", "processed", "prediction", "rejection", "alarm", "label"];
