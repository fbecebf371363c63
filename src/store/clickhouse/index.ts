/**
 * src/store/clickhouse — the HistoryStore on ClickHouse (18.16 and current
 * releases): schema and numbered migrations, queries, retention.
 *
 * Must not depend on the embedded store, actors or the config loader: it
 * takes plain options, so the composition root maps config onto them.
 */
export { ClickHouseHistoryStore } from "./store.js";
export type { ClickHouseStoreOptions } from "./store.js";
export { MIGRATIONS, RETAINED_TABLES } from "./schema.js";
