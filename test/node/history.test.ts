/**
 * A node's history, end to end: readings handed to the node's ingest
 * gateway, scored by a real shard worker, reach the history store the config
 * picks — the embedded DuckDB file by default, ClickHouse when its URL is
 * set — together with unit states and rejected readings, and are there to
 * read after the node stopped (stopping flushes the writer). With ClickHouse
 * down, the node's writer spools and drains the spool once it is back, each
 * reading stored once.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONAL_STATES, type RawReading } from "../../src/actors/readings/index.js";
import { ALARM_SUBJECTS } from "../../src/actors/alarm/index.js";
import { SUBJECTS } from "../../src/actors/subjects.js";
import { loadConfig } from "../../src/config/index.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import { ClickHouseConnection } from "../../src/store/clickhouse/connection.js";
import { ClickHouseHistoryStore } from "../../src/store/clickhouse/index.js";
import { openEmbeddedHistoryStore } from "../../src/store/embedded/index.js";
import type { HistoryStore } from "../../src/store/history-store.js";
import { ident, qualified, sql } from "../../src/store/sql/index.js";
import { silentLog } from "../fixtures/actor-system.js";
import { startClickHouse, type ServerHandle } from "../harness/servers.js";
import { until } from "../store/writer/rows.js";

const UNITS = ["UNIT001", "UNIT002"];
const SENSORS = ["temperature", "pressure"];
/** Readings per sensor; timestamps one second apart, ending a minute ago (inside the default ingest limits). */
const PER_SENSOR = 50;

let node: RunningNode | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await node?.stop();
  node = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vigil-node-history-"));
  dirs.push(dir);
  return dir;
}

/** A node fed only by the test: simulator off, one worker, history as `history` env settings say. */
async function start(history: Record<string, string>): Promise<RunningNode> {
  const config = loadConfig({ env: { VIGIL_RUNTIME_WORKERS: "1", VIGIL_HTTP_ENABLED: "false", VIGIL_SIMULATOR_ENABLED: "false", ...history } });
  node = await startNode(config, { logger: silentLog, registry: new Registry() });
  return node;
}

function readings(firstTs: number): RawReading[] {
  const out: RawReading[] = [];
  for (let i = 0; i < PER_SENSOR; i++) {
    for (const unit of UNITS) for (const sensor of SENSORS) out.push({ unit, sensor, value: 20 + ((i * 7) % 13), timestamp: firstTs + i * 1000 });
  }
  return out;
}

const FIRST_TS = Date.now() - 60_000 - PER_SENSOR * 1000;
const RANGE = { from: FIRST_TS, to: FIRST_TS + PER_SENSOR * 1000 };
const TOTAL = UNITS.length * SENSORS.length * PER_SENSOR;

/** Waits until the node's sensor actors have scored `n` readings. */
async function processed(running: RunningNode, n: number): Promise<void> {
  await until(async () => ((await running.system.stats()).kinds["sensor"]?.processed ?? 0) >= n, `${n} readings processed`);
}

/** Resolves with the first message on `subject` (subscribed at once, before the caller sends anything). */
async function firstMessage(running: RunningNode, subject: string): Promise<void> {
  const sub = running.transport.subscribe(subject);
  for await (const _ of sub) break;
  sub.unsubscribe();
}

/** What every history spec checks: each reading stored once as raw and processed, unit states, and the rejections by reason. */
async function expectStored(store: HistoryStore): Promise<void> {
  for (const unit of UNITS) {
    for (const sensor of SENSORS) {
      const raw = await store.rawRange({ unit, sensor, ...RANGE });
      expect(raw.map((r) => r.ts)).toEqual(Array.from({ length: PER_SENSOR }, (_, i) => FIRST_TS + i * 1000));
      expect(raw.every((r) => r.source === "http")).toBe(true);
    }
  }
  const window = await store.trainingWindow(RANGE);
  expect(window).toHaveLength(TOTAL);
  expect(window.every((r) => Number.isFinite(r.score) && r.processedAt >= r.receivedAt)).toBe(true);
  expect((await store.latest()).map((r) => [r.unit, r.sensor, r.ts])).toEqual(
    ["UNIT001", "UNIT002"].flatMap((unit) => ["pressure", "temperature"].map((sensor) => [unit, sensor, FIRST_TS + (PER_SENSOR - 1) * 1000])),
  );
  const states = await store.predictions({ unit: "UNIT001", kind: "operational_state", from: 0, to: Date.now() + 60_000 });
  expect(states.length).toBeGreaterThan(0);
  for (const state of states) {
    expect(OPERATIONAL_STATES).toContain(state.label);
    expect(state.modelVersion).toBe("RULES");
    expect(state.value).toBeGreaterThanOrEqual(0); // health, 0..1
    expect(state.value).toBeLessThanOrEqual(1);
  }
}

describe("node history on the embedded store (the default)", () => {
  it("stores every accepted reading, raw and scored, unit states and rejections, readable from the database file after the node stopped", async () => {
    const dir = tempDir();
    const path = join(dir, "history.duckdb");
    const running = await start({ VIGIL_HISTORY_EMBEDDED_PATH: path, VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool") });
    expect(running.history?.store.kind).toBe("embedded");

    const result = await running.gateway.submitMany(readings(FIRST_TS), "http");
    expect(result.accepted).toBe(TOTAL);
    await running.gateway.submitMany(
      [
        { unit: "UNIT001", sensor: "temperature", value: Number.NaN },
        { unit: "UNIT001", sensor: "temperature", value: "hot" },
        { unit: "bad unit!", sensor: "temperature", value: 1 },
      ],
      "http",
    );
    // The same reading again: the sensor actor rejects it as a duplicate (published by the actor, not the gateway).
    const duplicateReported = firstMessage(running, SUBJECTS.rejected);
    await running.gateway.submit({ unit: "UNIT002", sensor: "pressure", value: 1, timestamp: FIRST_TS }, "http");
    await processed(running, TOTAL);
    await duplicateReported;
    await running.stop();
    node = undefined;

    const store = await openEmbeddedHistoryStore({ path });
    try {
      await store.migrate();
      await expectStored(store);
      const rejected = await store.rejectedCounts({ from: FIRST_TS, to: Date.now() + 1 });
      expect(rejected).toEqual([
        { source: "http", reason: "duplicate", count: 1 },
        { source: "http", reason: "invalid_id", count: 1 },
        { source: "http", reason: "not_a_number", count: 2 },
      ]);
    } finally {
      await store.close();
    }
  });

  it("stores alarm transitions the node's alarm actors publish", async () => {
    const dir = tempDir();
    const path = join(dir, "history.duckdb");
    const running = await start({ VIGIL_HISTORY_EMBEDDED_PATH: path, VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool") });
    const raised = firstMessage(running, ALARM_SUBJECTS.transition("UNIT009", "raised"));
    // 70 °C for 30 s: past the shipped temperature_critical rule's trip limit (50 °C) and its 3 s on-delay.
    const hot = Array.from({ length: 30 }, (_, i) => ({ unit: "UNIT009", sensor: "temperature", value: 70, timestamp: FIRST_TS + i * 1000 }));
    await running.gateway.submitMany(hot, "http");
    await raised;
    await running.stop();
    node = undefined;

    const store = await openEmbeddedHistoryStore({ path });
    try {
      await store.migrate();
      const alarms = await store.alarmHistory({ from: 0, to: Date.now() + 60_000, unit: "UNIT009" });
      expect(alarms).toContainEqual(
        expect.objectContaining({ alarmId: "UNIT009/temperature_critical/temperature", rule: "temperature_critical", state: "active_unacknowledged", severity: "CRITICAL" }),
      );
    } finally {
      await store.close();
    }
  });

  it("stores nothing and opens no database when history.enabled is false", async () => {
    const dir = tempDir();
    const running = await start({ VIGIL_HISTORY_ENABLED: "false", VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "history.duckdb"), VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool") });
    expect(running.history).toBeUndefined();
    await running.gateway.submitMany(readings(FIRST_TS), "http");
    await processed(running, TOTAL);
    await running.stop();
    node = undefined;
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("node history on ClickHouse", () => {
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

  function clickhouseSettings(): { env: Record<string, string>; database: string; store: () => ClickHouseHistoryStore; drop: () => Promise<void> } {
    const database = `vigil_node_${process.pid}_${++databases}`;
    const dir = tempDir();
    return {
      database,
      env: {
        VIGIL_HISTORY_CLICKHOUSE_URL: server.url,
        VIGIL_HISTORY_CLICKHOUSE_DATABASE: database,
        VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool"),
        VIGIL_HISTORY_WRITER_BATCH_DELAY_MS: "50",
        VIGIL_HISTORY_WRITER_RETRY_MAX_MS: "200",
        // Set so that a wrong choice of store would be seen: the embedded file must stay unopened.
        VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "unused.duckdb"),
      },
      store: () => new ClickHouseHistoryStore({ url: server.url, database, username: "default", password: "", retentionDays: 0 }),
      drop: () => admin.exec(sql`DROP DATABASE IF EXISTS ${ident(database)}`),
    };
  }

  it("writes readings, unit states and rejections to ClickHouse when its URL is configured", async () => {
    const settings = clickhouseSettings();
    const running = await start(settings.env);
    expect(running.history?.store.kind).toBe("clickhouse");
    await running.gateway.submitMany([...readings(FIRST_TS), { unit: "UNIT001", sensor: "temperature", value: "hot" }], "http");
    await processed(running, TOTAL);
    await running.stop();
    node = undefined;

    const store = settings.store();
    try {
      await expectStored(store);
      expect(await store.rejectedCounts({ from: FIRST_TS, to: Date.now() + 1 })).toEqual([{ source: "http", reason: "not_a_number", count: 1 }]);
    } finally {
      await store.close();
      await settings.drop();
    }
  });

  it("spools while ClickHouse is down and drains the spool once it is back, each reading stored once", async () => {
    const settings = clickhouseSettings();
    const running = await start(settings.env);
    const writer = running.history?.writer;
    if (writer === undefined) throw new Error("history is off");
    try {
      await server.kill();
      await running.gateway.submitMany(readings(FIRST_TS), "http");
      await processed(running, TOTAL);
      await until(() => writer.status().spoolBatches > 0 && writer.status().queuedRows === 0, "the readings spooled while ClickHouse is down");
      await server.start();
      await until(() => writer.status().spoolBatches === 0 && !writer.status().storeFailing, "the spool drained after ClickHouse came back", 60_000);
      await running.stop();
      node = undefined;

      const store = settings.store();
      try {
        await expectStored(store);
        // Each reading once in the table itself, not only as FINAL reads see it: ClickHouse was down before the
        // readings came, so no insert was cut off after committing and nothing had to be sent twice.
        const [copies] = await admin.rows<{ n: string; distinctKeys: string }>(
          sql`SELECT count() AS n, uniqExact(unit, sensor, ts) AS distinctKeys FROM ${qualified(settings.database, "raw_readings")}`,
        );
        expect(Number(copies?.n)).toBe(TOTAL);
        expect(Number(copies?.distinctKeys)).toBe(TOTAL);
      } finally {
        await store.close();
      }
    } finally {
      if (!server.running) await server.start();
      await settings.drop();
    }
  });
});
