/**
 * src/store — history stores (ClickHouse in production, an embedded engine
 * by default) behind one interface, and batch import.
 *
 * Must not depend on actors' internals, connectors or HTTP (it shares only
 * the reading types); SQL literals go through one escaping helper.
 */
export type * from "./history-store.js";
export { openHistoryStore } from "./open.js";
export { HistoryWriter, type HistoryWriterStatus } from "./writer/index.js";
