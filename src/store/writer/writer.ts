/**
 * HistoryWriter: takes readings one at a time, inserts them into the history
 * store in batches, and never loses them when the store is down.
 *
 * The path of a row: an open batch per kind (sealed at `batchRows` rows or
 * after `batchDelayMs`), then one ordered stream of sealed batches — memory
 * first, the disk spool behind it — which one sender inserts oldest first.
 *
 * - Bounded memory: sealed batches wait in memory only while the spool is
 *   empty, the store healthy and the queue under `maxQueuedRows`; any other
 *   batch goes to the spool (declared overflow). Rows on their way to disk
 *   are held until durable; when even the disk falls behind (2 × maxQueuedRows
 *   rows not yet written), write() refuses rows — returns false and counts them
 *   as dropped ("overloaded") — so memory never exceeds about
 *   3 × maxQueuedRows + one open batch per kind.
 * - Order: every batch in memory is older than every spooled batch (once the
 *   spool is non-empty, new batches join it), so memory-then-spool is write order.
 * - Failure: the first failed insert spills memory to the spool (the store is
 *   likely unreachable and memory dies with the process), then the oldest
 *   batch is retried with exponential backoff until the store takes it.
 * - No duplicates: a batch is removed only after the store acknowledged it;
 *   when an insert fails after the store committed it (the connection died
 *   before the answer), the batch is sent again. That is safe because the
 *   store's inserts are idempotent on each row's natural key
 *   (src/store/history-store.ts) — the writer relies on it rather than on
 *   distributed bookkeeping it could not make exact anyway.
 * - A batch the store refuses as invalid (VIGIL_STORE_ROW_INVALID) would fail
 *   forever: it is dropped, logged and counted rather than blocking the rest.
 */
import { isVigilError } from "../../runtime/errors.js";
import type { AlarmEventRow, LabelRow, PredictionRow, ProcessedReadingRow, RawReadingRow, RejectionRow } from "../history-store.js";
import { BATCH_KINDS, type BatchKind, type HistoryBatch, type RowsOf } from "./batch.js";
import { HistoryWriterMetrics } from "./metrics.js";
import { fillWriterOptions, type FilledWriterOptions, type HistoryWriterOptions } from "./options.js";
import { Spool } from "./spool.js";

interface OpenBatch<R> {
  rows: R[];
  timer: NodeJS.Timeout | undefined;
}

interface FlushWaiter {
  readonly through: number;
  readonly resolve: () => void;
}

export interface HistoryWriterStatus {
  /** Rows in memory: open batches, sealed batches waiting for the store, and batches being written to the spool. */
  queuedRows: number;
  /** Batches on the spool, counting those still being written to it. */
  spoolBatches: number;
  /** Bytes of the batches already durable on the spool. */
  spoolBytes: number;
  /** True from a failed insert until the next successful one. */
  storeFailing: boolean;
}

export class HistoryWriter {
  private readonly options: FilledWriterOptions;
  private readonly metrics: HistoryWriterMetrics;
  /** One open batch per kind of row. */
  private readonly open: { [K in BatchKind]: OpenBatch<RowsOf[K]> } = {
    raw: { rows: [], timer: undefined },
    processed: { rows: [], timer: undefined },
    prediction: { rows: [], timer: undefined },
    rejection: { rows: [], timer: undefined },
    alarm: { rows: [], timer: undefined },
    label: { rows: [], timer: undefined },
  };
  private readonly memory: HistoryBatch[] = [];
  private memoryRows = 0;
  /** Rows handed to the spool whose file is not durable yet (still in memory). */
  private spoolingRows = 0;
  private nextSeq: number;
  private failing = false;
  private closed = false;
  private waiters: FlushWaiter[] = [];
  /** Ends an idle wait: new work, a flush or close. */
  private wake: (() => void) | undefined;
  /** Ends a retry backoff: only close (new work must not make the writer hammer a down store). */
  private wakeOnClose: (() => void) | undefined;
  private readonly sender: Promise<void>;

  private constructor(
    options: FilledWriterOptions,
    private readonly spool: Spool,
  ) {
    this.options = options;
    this.metrics = new HistoryWriterMetrics(options.registry);
    this.nextSeq = spool.lastSeq + 1;
    this.updateGauges();
    this.sender = this.send().catch((err: unknown) => {
      // Only a bug gets here (insert and spool failures are handled in the loop); say so loudly rather than crash the node.
      options.log.error({ err }, "history writer: sender stopped; rows now stay in memory and on the spool");
    });
  }

  /** Opens the spool (draining what a previous writer left there, oldest first) and starts sending. */
  static async open(options: HistoryWriterOptions): Promise<HistoryWriter> {
    const filled = fillWriterOptions(options);
    const spool = await Spool.open(filled.spoolDir);
    if (spool.batches > 0) filled.log.info({ spoolBatches: spool.batches, spoolBytes: spool.bytes }, "history writer: draining the spool a previous run left");
    return new HistoryWriter(filled, spool);
  }

  /** Takes one processed reading. False when the row is not taken: the writer is closed, or overloaded (see above). */
  write(row: ProcessedReadingRow): boolean {
    return this.add("processed", row);
  }

  /** Takes one raw reading. False when the row is not taken: the writer is closed, or overloaded (see above). */
  writeRaw(row: RawReadingRow): boolean {
    return this.add("raw", row);
  }

  /** Takes one prediction (a unit state, a RUL estimate, …); false as for write(). */
  writePrediction(row: PredictionRow): boolean {
    return this.add("prediction", row);
  }

  /** Takes one rejected reading; false as for write(). */
  writeRejection(row: RejectionRow): boolean {
    return this.add("rejection", row);
  }

  /** Takes one alarm transition; false as for write(). */
  writeAlarmEvent(row: AlarmEventRow): boolean {
    return this.add("alarm", row);
  }

  /** Takes one label (e.g. operator feedback on an alarm); false as for write(). */
  writeLabel(row: LabelRow): boolean {
    return this.add("label", row);
  }

  status(): HistoryWriterStatus {
    return {
      queuedRows: this.queuedRows(),
      spoolBatches: this.spool.batches,
      spoolBytes: this.spool.bytes,
      storeFailing: this.failing,
    };
  }

  /**
   * Seals the open batches and resolves once every row written before the
   * call is in the store, or the writer is closed. While the store is down
   * that waits for it to come back (close() stops with the rows safe on disk).
   */
  flush(): Promise<void> {
    this.sealAll();
    const through = this.nextSeq - 1;
    if (this.closed || this.doneThrough(through)) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ through, resolve });
      this.nudge();
    });
  }

  /**
   * Stops taking rows and empties memory: into the store while it answers,
   * into the spool at its first failure (or at once when it is failing
   * already). The spool is left for the next writer on the same directory.
   */
  async close(): Promise<void> {
    if (this.closed) return this.sender;
    this.closed = true;
    this.sealAll();
    this.nudge();
    this.wakeOnClose?.();
    await this.sender;
    await this.spool.close();
    this.updateGauges();
    // Flushes still waiting cannot finish now: their rows are on the spool, for the next writer.
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private add<K extends BatchKind>(kind: K, row: RowsOf[K]): boolean {
    if (this.closed) return false;
    const open = this.open[kind] as OpenBatch<RowsOf[K]>;
    if (this.spoolingRows >= 2 * this.options.maxQueuedRows) {
      this.metrics.dropped("overloaded", 1);
      return false;
    }
    open.rows.push(row);
    if (open.rows.length >= this.options.batchRows) {
      this.seal(kind);
    } else if (open.timer === undefined) {
      open.timer = setTimeout(() => this.seal(kind), this.options.batchDelayMs);
      open.timer.unref(); // a pending batch must not keep the process alive; close() seals it
    }
    this.metrics.queueDepth.set(this.queuedRows());
    return true;
  }

  private sealAll(): void {
    for (const kind of BATCH_KINDS) this.seal(kind);
  }

  private seal(kind: BatchKind): void {
    const open: OpenBatch<unknown> = this.open[kind];
    clearTimeout(open.timer);
    open.timer = undefined;
    if (open.rows.length === 0) return;
    const rows = open.rows;
    open.rows = [];
    const batch = { seq: this.nextSeq++, kind, rows } as HistoryBatch;
    const fitsInMemory = this.memoryRows + rows.length <= this.options.maxQueuedRows;
    if (this.spool.batches === 0 && !this.failing && fitsInMemory) {
      this.memory.push(batch);
      this.memoryRows += rows.length;
    } else {
      this.toSpool(batch);
    }
    this.updateGauges();
    this.nudge();
  }

  private toSpool(batch: HistoryBatch): void {
    this.spoolingRows += batch.rows.length;
    const written = this.spool.append(batch);
    void written.finally(() => (this.spoolingRows -= batch.rows.length)).catch(() => undefined);
    written.then(
      () => this.updateGauges(),
      (err: unknown) => {
        this.metrics.dropped("spool_failed", batch.rows.length);
        this.options.log.error({ err, seq: batch.seq, rows: batch.rows.length }, "history writer: could not spool a batch; its rows are lost");
        this.updateGauges();
        this.settleWaiters();
      },
    );
  }

  /** The store looks unreachable: memory would die with the process, so it goes to disk, in order. */
  private spillMemory(): void {
    for (const batch of this.memory.splice(0)) this.toSpool(batch);
    this.memoryRows = 0;
    this.updateGauges();
  }

  /** The one sender: oldest batch first, retried with backoff until the store takes it. */
  private async send(): Promise<void> {
    let delayMs = this.options.retryInitialMs;
    for (;;) {
      if (this.closed && (this.failing || this.memory.length === 0)) {
        this.spillMemory();
        return;
      }
      const batch = await this.nextBatch();
      if (batch === undefined) {
        if (!this.closed) await this.idle();
        continue;
      }
      try {
        await this.insert(batch);
        this.metrics.wrote(batch.kind, batch.rows.length);
        if (this.failing) this.options.log.info({ spoolBatches: this.spool.batches }, "history writer: the store takes batches again");
        this.failing = false;
        delayMs = this.options.retryInitialMs;
        await this.done(batch);
      } catch (err) {
        if (isVigilError(err, "VIGIL_STORE_ROW_INVALID")) {
          this.metrics.dropped("rejected_by_store", batch.rows.length);
          this.options.log.error({ err, seq: batch.seq, kind: batch.kind }, "history writer: the store refused a batch as invalid; dropped");
          await this.done(batch);
          continue;
        }
        this.metrics.failures.inc();
        if (!this.failing) this.options.log.warn({ err }, "history writer: insert failed; spooling to disk and retrying with backoff");
        this.failing = true;
        this.spillMemory();
        if (!this.closed) await this.backoff(delayMs);
        delayMs = Math.min(delayMs * 2, this.options.retryMaxMs);
      }
    }
  }

  private async nextBatch(): Promise<HistoryBatch | undefined> {
    const inMemory = this.memory[0];
    if (inMemory !== undefined) return inMemory;
    if (this.closed) return undefined; // closing empties memory only; the spool waits for the next writer
    const seq = this.spool.oldestSeq;
    if (seq === undefined) return undefined;
    try {
      return await this.spool.oldest();
    } catch (err) {
      if (this.spool.oldestSeq === seq) {
        const bytes = await this.spool.quarantine(seq);
        this.options.log.error({ err, seq, bytes }, "history writer: unreadable spool file moved aside (.bad)");
      } // else its write failed, already counted as spool_failed
      this.updateGauges();
      this.settleWaiters();
      return this.nextBatch(); // the batches behind it are still waiting
    }
  }

  private insert(batch: HistoryBatch): Promise<void> {
    const { store } = this.options;
    switch (batch.kind) {
      case "raw":
        return store.insertRaw(batch.rows);
      case "processed":
        return store.insertProcessed(batch.rows);
      case "prediction":
        return store.insertPredictions(batch.rows);
      case "rejection":
        return store.insertRejections(batch.rows);
      case "alarm":
        return store.insertAlarmEvents(batch.rows);
      case "label":
        return store.insertLabels(batch.rows);
    }
  }

  private async done(batch: HistoryBatch): Promise<void> {
    if (this.memory[0] === batch) {
      this.memory.shift();
      this.memoryRows -= batch.rows.length;
    } else {
      await this.spool.remove(batch.seq);
    }
    this.updateGauges();
    this.settleWaiters();
  }

  /** True when no batch with seq ≤ `through` is still waiting (in memory or on the spool). */
  private doneThrough(through: number): boolean {
    const pending = Math.min(this.memory[0]?.seq ?? Infinity, this.spool.oldestSeq ?? Infinity);
    return pending > through;
  }

  private settleWaiters(): void {
    const ready = this.waiters.filter((w) => this.doneThrough(w.through));
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  /** Waits for new work; nudge() ends the wait. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Waits `ms` before the next retry; close() ends the wait early. */
  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeOnClose = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeOnClose = finish;
    });
  }

  private nudge(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private queuedRows(): number {
    let open = 0;
    for (const kind of BATCH_KINDS) open += this.open[kind].rows.length;
    return this.memoryRows + this.spoolingRows + open;
  }

  private updateGauges(): void {
    this.metrics.queueDepth.set(this.queuedRows());
    this.metrics.spoolBytes.set(this.spool.bytes);
    this.metrics.spoolBatches.set(this.spool.batches);
  }
}
