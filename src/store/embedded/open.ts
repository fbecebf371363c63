/**
 * Opening the embedded store. `path` is a database file (its directory is
 * created if missing; a relative path is relative to the working directory,
 * so `npm start` from the repository writes `.cache/history/vigil.duckdb`,
 * the config default) or ":memory:" for a throwaway database in tests.
 * DuckDB locks the file: one process at a time opens it.
 */
import { EmbeddedConnection } from "./connection.js";
import { EmbeddedHistoryStore } from "./store.js";

export interface EmbeddedStoreOptions {
  /** A file path, or ":memory:". */
  path: string;
  /** Epoch ms, recorded with each applied migration and the retention cutoff; injected for tests. */
  now?: () => number;
  /** Days of time-series history kept by enforceRetention(); 0 (the default) keeps everything. */
  retentionDays?: number;
}

/** Opens (not migrates) the embedded store; call `migrate()` before use. */
export async function openEmbeddedHistoryStore(options: EmbeddedStoreOptions): Promise<EmbeddedHistoryStore> {
  const conn = await EmbeddedConnection.open(options.path);
  return new EmbeddedHistoryStore(conn, options.now, options.retentionDays);
}
