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
import { qualified, sql, type SqlText } from "../sql/index.js";
import type { ClickHouseConnection } from "./connection.js";
import { RETAINED_TABLES } from "./schema.js";

const DAY_MS = 24 * 60 * 60 * 1000;

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

/** TTL statements for 19.6+: rows older than `retentionDays` go (0 keeps them for a century). */
export function ttlStatements(database: string, retentionDays: number): SqlText[] {
  const days = retentionDays > 0 ? retentionDays : 36_500;
  return RETAINED_TABLES.map(
    (table) =>
      sql`ALTER TABLE ${qualified(database, table)} MODIFY TTL toDateTime(intDiv(ts, 1000)) + INTERVAL ${Math.trunc(days)} DAY`,
  );
}
