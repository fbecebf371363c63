/**
 * Brings a database up to the newest migration: creates the database and
 * the schema_migrations table if missing, then runs, in order, each
 * migration not recorded there and records it. Running it again finds
 * nothing to do.
 */
import { qualified, sql } from "../sql/index.js";
import type { MigrationReport } from "../history-store.js";
import type { ClickHouseConnection } from "./connection.js";
import { MIGRATIONS, createDatabase, createMigrationsTable, type Migration } from "./schema.js";

export async function migrate(
  conn: ClickHouseConnection,
  database: string,
  now: () => number,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  await conn.exec(createDatabase(database));
  await conn.exec(createMigrationsTable(database));
  const done = await conn.rows<{ version: number }>(sql`SELECT DISTINCT version FROM ${qualified(database, "schema_migrations")}`);
  const appliedBefore = new Set(done.map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (appliedBefore.has(migration.version)) continue;
    for (const statement of migration.statements(database)) await conn.exec(statement);
    await conn.insert(qualified(database, "schema_migrations"), [
      { version: migration.version, name: migration.name, applied_at: now() },
    ]);
    applied.push(migration.version);
  }
  const current = Math.max(0, ...appliedBefore, ...applied);
  return { applied, current };
}
