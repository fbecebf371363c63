/**
 * Brings the embedded database up to the newest migration: creates the
 * schema_migrations table if missing, then applies, in order, each
 * migration not recorded there, each in its own transaction with its record.
 * Running it again finds nothing to do.
 */
import type { MigrationReport } from "../history-store.js";
import type { EmbeddedConnection } from "./connection.js";
import { MIGRATIONS, MIGRATIONS_TABLE, type Migration } from "./schema.js";

export async function migrate(
  conn: EmbeddedConnection,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  await conn.serially("create schema_migrations", (c) => c.run(MIGRATIONS_TABLE));
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    // Checked inside the transaction, so two callers migrating at once apply each version once.
    const ran = await conn.transaction(`migration ${migration.version} (${migration.name})`, async (c) => {
      const done = await c.runAndReadAll("SELECT 1 FROM schema_migrations WHERE version = $1", [migration.version]);
      if (done.currentRowCount > 0) return false;
      for (const statement of migration.statements) await c.run(statement);
      await c.run("INSERT INTO schema_migrations VALUES ($1, $2, $3)", [migration.version, migration.name, BigInt(now())]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  const [row] = await conn.rows("SELECT coalesce(max(version), 0) AS current FROM schema_migrations");
  return { applied, current: Number(row?.current ?? 0) };
}
