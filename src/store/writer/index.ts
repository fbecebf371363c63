/**
 * src/store/writer — the history writer: batches readings into the history
 * store, bounded in memory, spooling to disk while the store is down and
 * draining the spool in order when it returns.
 *
 * Must not depend on the transport or the actor runtime: the node feeds it
 * rows (e.g. from `vigil.processed.>`), so it runs and is tested on its own.
 */
export { HistoryWriter, type HistoryWriterStatus } from "./writer.js";
export { WRITER_DEFAULTS, type HistorySink, type HistoryWriterOptions } from "./options.js";
