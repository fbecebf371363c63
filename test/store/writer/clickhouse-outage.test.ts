/**
 * The history writer against a real clickhouse-server (the harness's 18.16):
 * rows arrive; killing ClickHouse in the middle of a sustained load and
 * starting it again loses no row and duplicates none; the spool drains in
 * order and ends empty; a spool outlives the writer that filled it.
 *
 * Rows are counted with FINAL: the writer re-sends a batch whose insert
 * failed, including one ClickHouse committed just before it died, and relies
 * on the store's idempotent inserts (ReplacingMergeTree on the natural key)
 * to keep that row once — exactly what every store query sees.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ClickHouseConnection } from "../../../src/store/clickhouse/connection.js";
import { ClickHouseHistoryStore } from "../../../src/store/clickhouse/index.js";
import type { ProcessedReadingRow, RawReadingRow } from "../../../src/store/history-store.js";
import { ident, qualified, sql } from "../../../src/store/sql/index.js";
import { HistoryWriter, type HistorySink } from "../../../src/store/writer/index.js";
import { startClickHouse, type ServerHandle } from "../../harness/servers.js";
import { expectedTotals, processedRow, rawRow, until } from "./rows.js";

const silentLog = pino({ level: "silent" });
let server: ServerHandle;
let admin: ClickHouseConnection;
let databases = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startClickHouse();
  admin = new ClickHouseConnection({ url: server.url, username: "default", password: "" });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await admin?.close();
  await server?.stop();
});

/** A migrated store on a database of its own, and a spool dir; both removed after the test. */
async function setup() {
  const database = `vigil_writer_${process.pid}_${++databases}`;
  const store = new ClickHouseHistoryStore({ url: server.url, database, username: "default", password: "", retentionDays: 0 });
  await store.migrate();
  const spoolDir = await mkdtemp(join(tmpdir(), "vigil-spool-"));
  cleanups.push(async () => {
    await store.close();
    await admin.exec(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
    await rm(spoolDir, { recursive: true, force: true });
  });
  const totals = async (table: "processed_readings" | "raw_readings") => {
    const [row] = await admin.rows<{ n: number; sumValue: number; sumTsSeconds: number }>(
      sql`SELECT count() AS n, sum(value) AS sumValue, sum(intDiv(ts, 1000)) AS sumTsSeconds FROM ${qualified(database, table)} FINAL`,
    );
    return { n: Number(row?.n), sumValue: Number(row?.sumValue), sumTsSeconds: Number(row?.sumTsSeconds) };
  };
  const spoolFiles = async () => (await readdir(spoolDir)).filter((f) => !f.endsWith(".bad"));
  return { store, spoolDir, totals, spoolFiles };
}

/** Passes inserts through to the store and records the first value of each batch the store acknowledged. */
function recording(store: HistorySink) {
  const acknowledged: number[] = [];
  let rows = 0;
  const sink: HistorySink = {
    insertRaw: (batch: readonly RawReadingRow[]) => store.insertRaw(batch),
    insertPredictions: (batch) => store.insertPredictions(batch),
    insertRejections: (batch) => store.insertRejections(batch),
    insertAlarmEvents: (batch) => store.insertAlarmEvents(batch),
    insertLabels: (batch) => store.insertLabels(batch),
    insertProcessed: async (batch: readonly ProcessedReadingRow[]) => {
      await store.insertProcessed(batch);
      acknowledged.push(batch[0]?.value ?? -1);
      rows += batch.length;
    },
  };
  return { sink, acknowledged, insertedRows: () => rows };
}

describe("history writer on ClickHouse", () => {
  it("rows written arrive in the store, counted in vigil_history_rows_written_total", async () => {
    const { store, spoolDir, totals } = await setup();
    const registry = new Registry();
    const writer = await HistoryWriter.open({ store, spoolDir, log: silentLog, registry, batchRows: 10_000 });
    for (let i = 0; i < 25_000; i++) writer.write(processedRow(i));
    for (let i = 0; i < 3; i++) writer.writeRaw(rawRow(i));
    await writer.flush();
    await writer.close();

    expect(await totals("processed_readings")).toEqual(expectedTotals(25_000));
    expect((await totals("raw_readings")).n).toBe(3);
    const written = await registry.getSingleMetric("vigil_history_rows_written_total")?.get();
    expect(written?.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { kind: "processed" }, value: 25_000 }),
        expect.objectContaining({ labels: { kind: "raw" }, value: 3 }),
      ]),
    );
  });

  it("loses no row and duplicates none when ClickHouse is killed and restarted during a sustained load, and drains the spool in order", async () => {
    const { store, spoolDir, totals, spoolFiles } = await setup();
    const rec = recording(store);
    const registry = new Registry();
    const writer = await HistoryWriter.open({
      store: rec.sink,
      spoolDir,
      log: silentLog,
      registry,
      batchRows: 2_000,
      batchDelayMs: 50,
      maxQueuedRows: 10_000,
      retryInitialMs: 20,
      retryMaxMs: 200,
    });

    // The load: 500 rows per timer tick until told to stop.
    let written = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        for (let k = 0; k < 500; k++) writer.write(processedRow(written++));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();

    await until(() => rec.insertedRows() >= 20_000, "20,000 rows inserted before the kill");
    await server.kill();
    await until(() => writer.status().spoolBatches >= 3 && writer.status().spoolBytes > 0, "batches spooled while ClickHouse is down");
    await server.start();
    const insertedAtRestart = rec.insertedRows();
    await until(() => rec.insertedRows() >= insertedAtRestart + 20_000 && !writer.status().storeFailing, "20,000 more rows inserted after the restart");
    stop = true;
    await load;
    await writer.flush();
    await writer.close();

    expect(await totals("processed_readings")).toEqual(expectedTotals(written));
    expect(rec.acknowledged).toEqual([...rec.acknowledged].sort((a, b) => a - b));
    expect(new Set(rec.acknowledged).size).toBe(rec.acknowledged.length);
    expect(writer.status()).toMatchObject({ queuedRows: 0, spoolBatches: 0, spoolBytes: 0 });
    expect(await spoolFiles()).toEqual([]);
    expect((await registry.getSingleMetric("vigil_history_insert_failures_total")?.get())?.values[0]?.value).toBeGreaterThan(0);
  }, 120_000); // a sustained load, a kill and a restart: slow on a busy 2-core machine

  it("a spool left by a writer closed while ClickHouse was down is drained by the next writer on the same directory", async () => {
    const { store, spoolDir, totals, spoolFiles } = await setup();
    await server.kill();
    const first = await HistoryWriter.open({ store, spoolDir, log: silentLog, batchRows: 5_000, retryInitialMs: 20 });
    for (let i = 0; i < 25_000; i++) first.write(processedRow(i));
    await first.close();
    expect(await spoolFiles()).toHaveLength(5);

    await server.start();
    const second = await HistoryWriter.open({ store, spoolDir, log: silentLog, batchRows: 5_000 });
    expect(second.status().spoolBatches).toBe(5);
    await second.flush();
    await second.close();

    expect(await totals("processed_readings")).toEqual(expectedTotals(25_000));
    expect(await spoolFiles()).toEqual([]);
  });
});
