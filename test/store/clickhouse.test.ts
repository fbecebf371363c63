/**
 * The ClickHouse HistoryStore against a real clickhouse-server (the
 * harness's 18.16): the shared conformance suite, then what only this
 * store has — retention by dropped month partitions and its schema table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClickHouseHistoryStore } from "../../src/store/clickhouse/index.js";
import { ClickHouseConnection } from "../../src/store/clickhouse/connection.js";
import { migrate } from "../../src/store/clickhouse/migrate.js";
import { MIGRATIONS } from "../../src/store/clickhouse/schema.js";
import { supportsTtl } from "../../src/store/clickhouse/retention.js";
import { ident, qualified, sql } from "../../src/store/sql/index.js";
import { isVigilError } from "../../src/runtime/errors.js";
import { startClickHouse, type ServerHandle } from "../harness/servers.js";
import { runHistoryStoreConformance } from "./history-store.case.js";

let server: ServerHandle;
let admin: ClickHouseConnection;
let databases = 0;

beforeAll(async () => {
  server = await startClickHouse();
  admin = new ClickHouseConnection({ url: server.url, username: "default", password: "" });
});

afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

/** A store on a database of its own, dropped by `cleanup`. */
function freshStore(options: { retentionDays?: number; now?: () => number } = {}) {
  const database = `vigil_test_${process.pid}_${++databases}`;
  const store = new ClickHouseHistoryStore({
    url: server.url,
    database,
    username: "default",
    password: "",
    retentionDays: options.retentionDays ?? 0,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const cleanup = async () => {
    await store.close();
    await admin.exec(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
  };
  return { store, database, cleanup };
}

runHistoryStoreConformance("clickhouse", () => Promise.resolve(freshStore()));

describe("ClickHouse history store", () => {
  it("records each applied migration once in schema_migrations, however often migrate runs", async () => {
    const { store, database, cleanup } = freshStore();
    try {
      const first = await store.migrate();
      await store.migrate();
      expect(first.applied).toEqual([1, 2]);
      const recorded = await admin.rows<{ version: number; n: number }>(
        sql`SELECT version, count() AS n FROM ${qualified(database, "schema_migrations")} FINAL GROUP BY version`,
      );
      expect(recorded.sort((a, b) => a.version - b.version)).toEqual([
        { version: 1, n: 1 },
        { version: 2, n: 1 },
      ]);
    } finally {
      await cleanup();
    }
  });

  it("upgrading a database from migration 1 fills the latest readings from the history already there", async () => {
    const { store, database, cleanup } = freshStore();
    try {
      await migrate(admin, database, () => 0, MIGRATIONS.slice(0, 1));
      const ts = Date.UTC(2026, 0, 1);
      await admin.insert(qualified(database, "raw_readings"), [
        { unit: "UNIT001", sensor: "temperature", ts, value: 1, quality: "GOOD", source: "mqtt", received_at: ts },
        { unit: "UNIT001", sensor: "temperature", ts: ts + 1, value: 2, quality: "BAD", source: "mqtt", received_at: ts + 1 },
      ]);
      expect((await store.migrate()).applied).toEqual([2]);
      expect(await store.latest()).toEqual([
        { unit: "UNIT001", sensor: "temperature", ts: ts + 1, value: 2, quality: "BAD", source: "mqtt", receivedAt: ts + 1 },
      ]);
    } finally {
      await cleanup();
    }
  });

  it("still shows a retried batch once after ClickHouse merges the parts", async () => {
    const { store, database, cleanup } = freshStore();
    try {
      await store.migrate();
      const row = { unit: "UNIT001", sensor: "temperature", ts: Date.UTC(2026, 0, 1), value: 1, quality: "GOOD", source: "mqtt", receivedAt: 1 } as const;
      await store.insertRaw([row]);
      await store.insertRaw([row]);
      await admin.exec(sql`OPTIMIZE TABLE ${qualified(database, "raw_readings")} FINAL`);
      const [{ n } = { n: -1 }] = await admin.rows<{ n: number }>(sql`SELECT count() AS n FROM ${qualified(database, "raw_readings")}`);
      expect(n).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it("drops months of time-series history wholly older than the retention period, keeping the rest", async () => {
    const now = Date.UTC(2026, 5, 15); // 2026-06-15
    const { store, cleanup } = freshStore({ retentionDays: 30, now: () => now });
    try {
      await store.migrate();
      const at = (ms: number) => ({ unit: "UNIT001", sensor: "power", ts: ms, value: ms, quality: "GOOD", source: "import", receivedAt: ms }) as const;
      const old = Date.UTC(2026, 3, 30); // April: ended before the cutoff (May 16)
      const straddling = Date.UTC(2026, 4, 2); // May: partly inside the period, so kept whole
      const recent = Date.UTC(2026, 5, 1);
      await store.insertRaw([at(old), at(straddling), at(recent)]);
      await store.insertRejections([{ ts: old, source: "mqtt", reason: "malformed_payload", unit: null, sensor: null, detail: "" }]);
      await store.insertAlarmEvents([
        { alarmId: "A1", rule: "r", unit: "UNIT001", sensor: null, state: "cleared", severity: "LOW", ts: old, actor: "system", message: "", comment: null },
      ]);

      expect(await store.enforceRetention()).toEqual(["raw_readings/202604", "rejections/202604"]);

      const kept = await store.rawRange({ unit: "UNIT001", sensor: "power", from: 0, to: now });
      expect(kept.map((r) => r.ts)).toEqual([straddling, recent]);
      expect(await store.rejectedCounts({ from: 0, to: now })).toEqual([]);
      expect(await store.alarmHistory({ from: 0, to: now })).toHaveLength(1); // alarms are an audit trail: kept
      expect(await store.enforceRetention()).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("keeps everything when retentionDays is 0", async () => {
    const { store, cleanup } = freshStore({ retentionDays: 0, now: () => Date.UTC(2030, 0, 1) });
    try {
      await store.migrate();
      await store.insertRaw([{ unit: "U", sensor: "s", ts: Date.UTC(2020, 0, 1), value: 1, quality: "GOOD", source: "import", receivedAt: 0 }]);
      expect(await store.enforceRetention()).toEqual([]);
      expect(await store.latest()).toHaveLength(1);
    } finally {
      await cleanup();
    }
  });

  it("sets table TTL only on servers that have it (19.6 and later)", () => {
    expect(["18.16.1", "19.5.3.8"].map(supportsTtl)).toEqual([false, false]);
    expect(["19.6.2.11", "20.3.1", "24.8.4.13"].map(supportsTtl)).toEqual([true, true, true]);
  });

  it("refuses a database name that is not a plain identifier", () => {
    let err: unknown;
    try {
      new ClickHouseHistoryStore({ url: server.url, database: "vigil`; DROP", username: "default", password: "", retentionDays: 0 });
    } catch (e) {
      err = e;
    }
    expect(isVigilError(err, "VIGIL_STORE_SQL_INVALID")).toBe(true);
  });

  it("reports an unreachable server as VIGIL_STORE_QUERY_FAILED", async () => {
    const store = new ClickHouseHistoryStore({ url: "http://127.0.0.1:9", database: "vigil", username: "default", password: "", retentionDays: 0 });
    const err: unknown = await store.migrate().then(() => undefined, (e: unknown) => e);
    await store.close();
    expect(isVigilError(err, "VIGIL_STORE_QUERY_FAILED")).toBe(true);
  });
});
