/**
 * Picks and opens the history store the config asks for: ClickHouse when
 * `history.clickhouse.url` is set, otherwise the embedded DuckDB database at
 * `history.embedded.path`, so a node needs no database server by default.
 * The store is migrated before it is returned, ready for writes.
 */
import type { VigilConfig } from "../config/index.js";
import type { Logger } from "../runtime/log.js";
import { ClickHouseHistoryStore } from "./clickhouse/index.js";
import { openEmbeddedHistoryStore } from "./embedded/index.js";
import type { HistoryStore } from "./history-store.js";

export async function openHistoryStore(history: VigilConfig["history"], log: Logger): Promise<HistoryStore> {
  const store = await open(history);
  try {
    const report = await store.migrate();
    log.info({ store: store.kind, schemaVersion: report.current, migrationsApplied: report.applied }, "history store ready");
    return store;
  } catch (err) {
    await store.close().catch(() => undefined); // the migrate error is the one worth reporting
    throw err;
  }
}

function open(history: VigilConfig["history"]): Promise<HistoryStore> {
  const { clickhouse, embedded } = history;
  if (clickhouse.url !== "") {
    return Promise.resolve(
      new ClickHouseHistoryStore({
        url: clickhouse.url,
        database: clickhouse.database,
        username: clickhouse.username,
        password: clickhouse.password,
        retentionDays: clickhouse.retentionDays,
      }),
    );
  }
  return openEmbeddedHistoryStore({ path: embedded.path, retentionDays: embedded.retentionDays });
}
