/**
 * The embedded (DuckDB) HistoryStore: the shared conformance suite on an
 * in-memory database, then what only this store has — a database file that
 * outlives the process's handle on it, its schema table, and many callers
 * writing at once through one connection.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isVigilError } from "../../src/runtime/errors.js";
import { IN_MEMORY, openEmbeddedHistoryStore } from "../../src/store/embedded/index.js";
import type { RawReadingRow, UnitRow } from "../../src/store/history-store.js";
import { runHistoryStoreConformance } from "./history-store.case.js";

runHistoryStoreConformance("embedded", async () => {
  const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
  return { store, cleanup: () => store.close() };
});

const T0 = Date.UTC(2026, 0, 15);

function raw(sensor: string, ts: number, value: number): RawReadingRow {
  return { unit: "UNIT001", sensor, ts, value, quality: "GOOD", source: "mqtt", receivedAt: ts + 5 };
}

describe("embedded history store", () => {
  const dirs: string[] = [];
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "vigil-embedded-"));
    dirs.push(dir);
    return dir;
  }

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the rows of a database file across close and reopen", async () => {
    const path = join(tempDir(), "history", "vigil.duckdb"); // the directory does not exist yet
    const first = await openEmbeddedHistoryStore({ path });
    await first.migrate();
    const rows = [raw("temperature", T0, 1), raw("temperature", T0 + 1000, 2)];
    await first.insertRaw(rows);
    await first.close();

    const again = await openEmbeddedHistoryStore({ path });
    try {
      expect(await again.migrate()).toEqual({ applied: [], current: 1 });
      expect(await again.rawRange({ unit: "UNIT001", sensor: "temperature", from: T0, to: T0 + 60_000 })).toEqual(rows);
    } finally {
      await again.close();
    }
  });

  it("refuses to open a database file this process already has open, until it is closed", async () => {
    const path = join(tempDir(), "vigil.duckdb");
    const first = await openEmbeddedHistoryStore({ path });
    const err: unknown = await openEmbeddedHistoryStore({ path }).then(
      async (second) => second.close(),
      (e: unknown) => e,
    );
    expect(isVigilError(err, "VIGIL_STORE_QUERY_FAILED")).toBe(true);
    await first.close();
    const again = await openEmbeddedHistoryStore({ path });
    await again.close();
  });

  it("deletes readings, predictions and rejections older than the retention period and keeps alarms and newer rows", async () => {
    const DAY = 24 * 60 * 60 * 1000;
    let now = T0 + 10 * DAY;
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY, retentionDays: 7, now: () => now });
    try {
      await store.migrate();
      const old = T0 + 2 * DAY; // 8 days before now
      const recent = T0 + 5 * DAY; // 5 days before now
      await store.insertRaw([raw("temperature", old, 1), raw("temperature", recent, 2)]);
      await store.insertRejections([{ ts: old, source: "mqtt", reason: "not_a_number", unit: null, sensor: null, detail: "NaN" }]);
      await store.insertPredictions([{ unit: "UNIT001", kind: "health", ts: old, value: 0.9, label: null, modelVersion: "RULES" }]);
      const oldAlarm = { alarmId: "A1", rule: "high_temperature", unit: "UNIT001", sensor: null, state: "cleared", severity: "HIGH" as const, ts: old, actor: "system", message: "", comment: null };
      await store.insertAlarmEvents([oldAlarm]);

      expect(await store.enforceRetention()).toEqual(["raw_readings: 1 rows", "predictions: 1 rows", "rejections: 1 rows"]);
      expect((await store.rawRange({ unit: "UNIT001", sensor: "temperature", from: T0, to: now })).map((r) => r.value)).toEqual([2]);
      expect(await store.rejectedCounts({ from: T0, to: now })).toEqual([]);
      expect(await store.alarmHistory({ from: T0, to: now })).toEqual([oldAlarm]);
      expect(await store.enforceRetention()).toEqual([]);

      now += 3 * DAY; // the recent reading is now 8 days old too
      expect(await store.enforceRetention()).toEqual(["raw_readings: 1 rows"]);
    } finally {
      await store.close();
    }
  });

  it("keeps everything when retentionDays is 0", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY, retentionDays: 0, now: () => T0 + 1000 * 24 * 60 * 60 * 1000 });
    try {
      await store.migrate();
      await store.insertRaw([raw("temperature", T0, 1)]);
      expect(await store.enforceRetention()).toEqual([]);
      expect(await store.rawRange({ unit: "UNIT001", sensor: "temperature", from: T0, to: T0 + 1 })).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it("applies the first migration once and then nothing, however often migrate runs", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY, now: () => T0 });
    try {
      const reports = [await store.migrate(), await store.migrate(), await store.migrate()];
      expect(reports.map((r) => r.applied)).toEqual([[1], [], []]);
      expect(reports.map((r) => r.current)).toEqual([1, 1, 1]);
    } finally {
      await store.close();
    }
  });

  it("applies each migration once when callers migrate at the same time", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
    try {
      const reports = await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
      expect(reports.flatMap((r) => r.applied)).toEqual([1]);
    } finally {
      await store.close();
    }
  });

  it("keeps every row, once, when many callers insert overlapping batches at the same time", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
    try {
      await store.migrate();
      const callers = 20;
      const perCaller = 500;
      // Caller i writes readings i*250 … i*250+499: each overlaps the next caller's half, as retried batches would.
      await Promise.all(
        Array.from({ length: callers }, (_, i) =>
          store.insertRaw(Array.from({ length: perCaller }, (_, j) => raw("flow_rate", T0 + (i * 250 + j) * 1000, i * 250 + j))),
        ),
      );
      const stored = await store.rawRange({ unit: "UNIT001", sensor: "flow_rate", from: T0, to: T0 + 10_000_000 });
      const expected = (callers - 1) * 250 + perCaller;
      expect(stored).toHaveLength(expected);
      expect(stored.map((r) => r.value)).toEqual(Array.from({ length: expected }, (_, k) => k));
    } finally {
      await store.close();
    }
  });

  it("keeps the copy with the newest receivedAt when the same reading arrives again, in the batch or later", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
    try {
      await store.migrate();
      const older = { ...raw("pressure", T0, 1), receivedAt: T0 + 10 };
      const newer = { ...raw("pressure", T0, 2), receivedAt: T0 + 20 };
      await store.insertRaw([newer, older]);
      await store.insertRaw([older]);
      expect(await store.rawRange({ unit: "UNIT001", sensor: "pressure", from: T0, to: T0 + 1 })).toEqual([newer]);
    } finally {
      await store.close();
    }
  });

  it("does not let an older unit row overwrite a newer one", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
    try {
      await store.migrate();
      const current: UnitRow = { unit: "UNIT001", type: "pump", location: "hall B", capacityKw: 80, updatedAt: T0 + 1000 };
      await store.upsertUnits([current]);
      await store.upsertUnits([{ ...current, location: "hall A", updatedAt: T0 }]);
      expect(await store.units()).toEqual([current]);
    } finally {
      await store.close();
    }
  });

  it("buckets with integer arithmetic: floor(ts / bucketMs) * bucketMs for any bucket size", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
    try {
      await store.migrate();
      const bucketMs = 7_001; // not a divisor of T0: buckets start at multiples since the epoch
      const stamps = [T0, T0 + 1, T0 + 7_000, T0 + 7_001, T0 + 20_000];
      await store.insertRaw(stamps.map((ts, i) => raw("vibration", ts, i)));
      const buckets = await store.downsampled({ unit: "UNIT001", bucketMs, from: T0, to: T0 + 60_000 });
      const expected = new Map<number, number>();
      for (const ts of stamps) {
        const start = Math.floor(ts / bucketMs) * bucketMs;
        expected.set(start, (expected.get(start) ?? 0) + 1);
      }
      expect(buckets.map((b) => [b.bucket, b.count])).toEqual([...expected.entries()]);
    } finally {
      await store.close();
    }
  });

  it("answers VIGIL_STORE_QUERY_FAILED once closed, and closing twice is harmless", async () => {
    const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
    await store.migrate();
    await store.close();
    await store.close(); // harmless
    const err: unknown = await store.latest().then(() => undefined, (e: unknown) => e);
    expect(isVigilError(err, "VIGIL_STORE_QUERY_FAILED")).toBe(true);
  });
});
