/**
 * src/store/embedded — the HistoryStore on an embedded DuckDB database
 * (@duckdb/node-api): the default when no ClickHouse URL is configured, so a
 * node needs no database server. Schema and numbered migrations, idempotent
 * batch writes, the contract's queries.
 *
 * Must not depend on the ClickHouse store, actors or the config loader: it
 * takes plain options, so the composition root maps config onto them.
 */
export { openEmbeddedHistoryStore } from "./open.js";
export type { EmbeddedStoreOptions } from "./open.js";
export { EmbeddedHistoryStore } from "./store.js";
export { IN_MEMORY } from "./connection.js";
export { MIGRATIONS } from "./schema.js";
