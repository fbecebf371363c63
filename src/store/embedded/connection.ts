/**
 * One DuckDB database and the one connection the store uses, with every
 * piece of work run strictly one after another. DuckDB's connection is not
 * safe to share between interleaved transactions (an appender and a
 * BEGIN … COMMIT from two callers would mix), so callers queue here instead
 * of each opening connections of their own. Values reach SQL only as bound
 * parameters or through the appender, never as text.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { VigilError } from "../../runtime/errors.js";

export type Row = Record<string, unknown>;

/** The in-memory database: nothing is written to disk (tests). */
export const IN_MEMORY = ":memory:";

/**
 * Database files open in this process. DuckDB's file lock only keeps other
 * processes out; a second instance on the same file in this process would
 * be let in and the two would overwrite each other's writes.
 */
const openFiles = new Set<string>();

export class EmbeddedConnection {
  /** Tail of the queue; each job starts after the previous one settled. */
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    /** The resolved file, undefined in memory. */
    private readonly file: string | undefined,
  ) {}

  /** Opens (creating if missing) the database file at `path`, and its directory. */
  static async open(path: string): Promise<EmbeddedConnection> {
    const file = path === IN_MEMORY ? undefined : resolve(path);
    if (file !== undefined) {
      if (openFiles.has(file)) throw new VigilError("VIGIL_STORE_QUERY_FAILED", `embedded history store: ${file} is already open in this process`);
      openFiles.add(file);
    }
    try {
      if (file !== undefined) mkdirSync(dirname(file), { recursive: true });
      const instance = await DuckDBInstance.create(path);
      return new EmbeddedConnection(path, instance, await instance.connect(), file);
    } catch (err) {
      if (file !== undefined) openFiles.delete(file);
      throw failed(`open ${path}`, err);
    }
  }

  /** Runs `job` alone on the connection, after every job queued before it. */
  serially<T>(what: string, job: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new VigilError("VIGIL_STORE_QUERY_FAILED", `${what}: the embedded history store is closed`);
      try {
        return await job(this.conn);
      } catch (err) {
        throw err instanceof VigilError ? err : failed(what, err);
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Runs `job` inside BEGIN … COMMIT, rolled back if it throws: all of it or none of it. */
  transaction<T>(what: string, job: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.serially(what, async (conn) => {
      await conn.run("BEGIN TRANSACTION");
      try {
        const result = await job(conn);
        await conn.run("COMMIT");
        return result;
      } catch (err) {
        await conn.run("ROLLBACK");
        throw err;
      }
    });
  }

  rows(statement: string, values: DuckDBValue[] = []): Promise<Row[]> {
    return this.serially(statement, async (conn) => (await conn.runAndReadAll(statement, values)).getRowObjectsJS() as Row[]);
  }

  /** Waits for queued work, writes the WAL into the file, then releases the file. Closing again is harmless. */
  close(): Promise<void> {
    this.closing ??= this.serially("close", async (conn) => {
      if (this.file !== undefined) await conn.run("CHECKPOINT");
      this.closed = true;
      conn.closeSync();
      this.instance.closeSync();
      if (this.file !== undefined) openFiles.delete(this.file);
    });
    return this.closing;
  }
}

/** Appends `rows` to a table through DuckDB's appender (no SQL per row); closed even on failure. */
export async function appendRows<T>(
  conn: DuckDBConnection,
  table: string,
  catalog: string | null,
  rows: readonly T[],
  appendRow: (appender: DuckDBAppender, row: T) => void,
): Promise<void> {
  const appender = await conn.createAppender(table, "main", catalog);
  try {
    for (const row of rows) {
      appendRow(appender, row);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function failed(what: string, cause: unknown): VigilError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const shown = what.length > 200 ? `${what.slice(0, 200)}…` : what;
  return new VigilError("VIGIL_STORE_QUERY_FAILED", `embedded history store: ${reason} (in: ${shown.replace(/\s+/g, " ").trim()})`, { cause });
}
