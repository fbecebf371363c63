/**
 * Retention of time-series history (RETAINED_TABLES).
 *
 * Table TTL arrived in ClickHouse 19.6, so on 18.16 rows are removed by
 * dropping whole month partitions: a month goes once all of it is older
 * than the cutoff (kept up to a month longer than `retentionDays`). The
 * same dropping runs on every version, so retention behaves alike
 * everywhere; on 19.6+ a TTL is also set, so the server removes rows
 * between two runs without waiting for the month to end.
 */
import { qualified, sql } from "../sql/index.js";
import type { ClickHouseConnection } from "./connection.js";
import { DAY_MS, RETAINED_TABLES } from "../retained-tables.js";

/** YYYYMM of the UTC month holding `ms`, as ClickHouse's toYYYYMM names the partition. */
export function monthOf(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/**
 * Drops the partitions of retained tables whose whole month ends before
 * `now - retentionDays`. Returns the partitions dropped, e.g. "raw_readings/202401".
 */
export async function dropExpiredPartitions(
  conn: ClickHouseConnection,
  database: string,
  retentionDays: number,
  now: number,
): Promise<string[]> {
  if (retentionDays <= 0) return [];
  const firstKeptMonth = monthOf(now - retentionDays * DAY_MS);
  const parts = await conn.rows<{ table: string; partition_id: string }>(
    sql`SELECT DISTINCT table, partition_id FROM system.parts
        WHERE database = ${database} AND table IN ${[...RETAINED_TABLES]} AND active`,
  );
  const dropped: string[] = [];
  for (const { table, partition_id: id } of parts) {
    // Month partitions are named YYYYMM; anything else is not ours to drop.
    if (!/^\d{6}$/.test(id) || Number(id) >= firstKeptMonth) continue;
    await conn.exec(sql`ALTER TABLE ${qualified(database, table)} DROP PARTITION ID ${id}`);
    dropped.push(`${table}/${id}`);
  }
  return dropped.sort();
}

/** Whether this server version has table TTL (19.6 and later). */
export function supportsTtl(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 19 || (major === 19 && minor >= 6);
}

/**
 * On 19.6+, sets the TTL of each retained table to `retentionDays` (0: a
 * century, i.e. kept). Skips a table whose TTL already says so: a changed TTL
 * makes current servers rewrite the table's parts, which must not happen on
 * every start. Not exercised here (the test server is 18.16, which has no TTL).
 */
export async function applyTtl(conn: ClickHouseConnection, database: string, retentionDays: number): Promise<void> {
  const days = retentionDays > 0 ? Math.trunc(retentionDays) : 36_500;
  const tables = await conn.rows<{ name: string; engine_full: string }>(
    sql`SELECT name, engine_full FROM system.tables WHERE database = ${database} AND name IN ${[...RETAINED_TABLES]}`,
  );
  for (const { name, engine_full: engine } of tables) {
    // The server spells `INTERVAL n DAY` back as toIntervalDay(n).
    if (engine.includes(`toIntervalDay(${days})`)) continue;
    await conn.exec(sql`ALTER TABLE ${qualified(database, name)} MODIFY TTL toDateTime(intDiv(ts, 1000)) + INTERVAL ${days} DAY`);
  }
}
