/**
 * Writes a batch idempotently: the rows are appended (DuckDB's appender, no
 * SQL per row) to a temporary staging table, then moved into the real table
 * by one INSERT … ON CONFLICT on the natural key, all in one transaction.
 * A retried batch therefore replaces the rows it wrote before instead of
 * doubling them, and a failed batch leaves nothing behind.
 *
 * Within one batch the same key may appear twice; the staged copies are
 * reduced to one first (the newest version, then the last appended), the
 * rule ClickHouse's ReplacingMergeTree applies, so both stores keep the same
 * copy.
 */
import type { EmbeddedConnection } from "./connection.js";
import { appendRows } from "./connection.js";
import type { TableSpec } from "./tables.js";

/** Temp tables live in the "temp" catalog, one set per connection (the store has one). */
const TEMP_CATALOG = "temp";

export async function upsert<T>(conn: EmbeddedConnection, spec: TableSpec<T>, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  const stage = `stage_${spec.table}`;
  await conn.transaction(`insert into ${spec.table}`, async (c) => {
    // Derived from the real table, so staging never drifts from the migrated schema.
    await c.run(`CREATE TEMP TABLE IF NOT EXISTS ${stage} AS SELECT * FROM ${spec.table} LIMIT 0`);
    await c.run(`DELETE FROM ${stage}`);
    await appendRows(c, stage, TEMP_CATALOG, rows, spec.append);
    await c.run(upsertStatement(spec, stage));
    await c.run(`DELETE FROM ${stage}`);
  });
}

function upsertStatement<T>(spec: TableSpec<T>, stage: string): string {
  const key = spec.key.join(", ");
  const newestFirst = spec.version === undefined ? "rowid DESC" : `${spec.version} DESC, rowid DESC`;
  const onConflict =
    spec.updated.length === 0
      ? "DO NOTHING"
      : `DO UPDATE SET ${spec.updated.map((c) => `${c} = excluded.${c}`).join(", ")}` +
        (spec.version === undefined ? "" : ` WHERE excluded.${spec.version} >= ${spec.table}.${spec.version}`);
  return `INSERT INTO ${spec.table}
    SELECT * FROM ${stage} QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY ${newestFirst}) = 1
    ON CONFLICT (${key}) ${onConflict}`;
}
