/**
 * The writer's metrics (prom-client): rows written, rows waiting in memory,
 * bytes on the spool, failed inserts and rows dropped. Rows per second is
 * `rate(vigil_history_rows_written_total[1m])`.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { BatchKind } from "./batch.js";

export type DropReason = "rejected_by_store" | "spool_failed" | "overloaded";

export class HistoryWriterMetrics {
  readonly rowsWritten: Counter<"kind">;
  readonly queueDepth: Gauge;
  readonly spoolBytes: Gauge;
  readonly spoolBatches: Gauge;
  readonly failures: Counter;
  readonly rowsDropped: Counter<"reason">;

  constructor(registry?: Registry) {
    const registers = registry === undefined ? [] : [registry];
    this.rowsWritten = new Counter({
      name: "vigil_history_rows_written_total",
      help: "Rows the history store accepted, by kind (raw, processed)",
      labelNames: ["kind"],
      registers,
    });
    this.queueDepth = new Gauge({
      name: "vigil_history_queue_depth",
      help: "Rows held in the writer's memory: open batches, sealed batches waiting for the store, batches being written to the spool",
      registers,
    });
    this.spoolBytes = new Gauge({ name: "vigil_history_spool_bytes", help: "Bytes of batches spooled to disk", registers });
    this.spoolBatches = new Gauge({ name: "vigil_history_spool_batches", help: "Batches spooled to disk", registers });
    this.failures = new Counter({
      name: "vigil_history_insert_failures_total",
      help: "Batch inserts that failed (each is retried with backoff)",
      registers,
    });
    this.rowsDropped = new Counter({
      name: "vigil_history_rows_dropped_total",
      help: "Rows given up on: refused by the store as invalid, lost because the spool could not be written, or refused because even the spool fell behind",
      labelNames: ["reason"],
      registers,
    });
  }

  wrote(kind: BatchKind, rows: number): void {
    this.rowsWritten.inc({ kind }, rows);
  }

  dropped(reason: DropReason, rows: number): void {
    this.rowsDropped.inc({ reason }, rows);
  }
}
