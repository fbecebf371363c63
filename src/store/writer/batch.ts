/**
 * A batch is the unit the writer inserts, spools and retries: rows of one
 * kind, and a sequence number given when the batch is sealed. Sequence order
 * is write order; the writer inserts batches strictly in that order.
 */
import type { ProcessedReadingRow, RawReadingRow } from "../history-store.js";

export type HistoryBatch =
  | { readonly seq: number; readonly kind: "raw"; readonly rows: readonly RawReadingRow[] }
  | { readonly seq: number; readonly kind: "processed"; readonly rows: readonly ProcessedReadingRow[] };

export type BatchKind = HistoryBatch["kind"];
export const BATCH_KINDS: readonly BatchKind[] = ["raw", "processed"];
