/**
 * The HistoryStore contract suite: every implementation's test calls
 * `runHistoryStoreConformance` with a factory for a fresh, empty (not yet
 * migrated) store. Each test gets its own store, so tests never see each
 * other's rows.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isVigilError } from "../../src/runtime/errors.js";
import type {
  AlarmEventRow,
  HistoryStore,
  LabelRow,
  ModelEventRow,
  PredictionRow,
  ProcessedReadingRow,
  RawReadingRow,
  RejectionRow,
  UnitRow,
} from "../../src/store/history-store.js";

export type HistoryStoreFactory = () => Promise<{ store: HistoryStore; cleanup: () => Promise<void> }>;

/** 2026-01-15T00:00:00Z: a multiple of every bucket size used below. */
const T0 = Date.UTC(2026, 0, 15);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

function raw(unit: string, sensor: string, ts: number, value: number, extra: Partial<RawReadingRow> = {}): RawReadingRow {
  return { unit, sensor, ts, value, quality: "GOOD", source: "mqtt", receivedAt: ts + 5, ...extra };
}

function processed(unit: string, sensor: string, ts: number, value: number, extra: Partial<ProcessedReadingRow> = {}): ProcessedReadingRow {
  return {
    ...raw(unit, sensor, ts, value),
    anomaly: false,
    score: 0.1,
    severity: null,
    category: null,
    method: "STATISTICAL",
    modelVersion: null,
    reasons: [],
    processedAt: ts + 7,
    ...extra,
  };
}

function alarm(alarmId: string, unit: string, ts: number, state: string, extra: Partial<AlarmEventRow> = {}): AlarmEventRow {
  return {
    alarmId,
    rule: "high_temperature",
    unit,
    sensor: "temperature",
    state,
    severity: "HIGH",
    ts,
    actor: "system",
    message: `${alarmId} ${state}`,
    comment: null,
    ...extra,
  };
}

function rejection(ts: number, source: RejectionRow["source"], reason: RejectionRow["reason"], detail = "bad"): RejectionRow {
  return { ts, source, reason, unit: null, sensor: null, detail };
}

/** Strings that break naive SQL quoting or encodings. */
const AWKWARD = [
  "it's",
  "back\\slash",
  "trailing backslash\\",
  "\\'",
  "line\nbreak\r\ttab",
  "nul\u0000byte",
  "quote\"double",
  "`backtick`",
  "unicode: température 温度 🚀 \u00e9",
  "'); DROP TABLE raw_readings; --",
  "",
] as const;

export function runHistoryStoreConformance(name: string, factory: HistoryStoreFactory): void {
  describe(`HistoryStore conformance: ${name}`, () => {
    let store: HistoryStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const made = await factory();
      store = made.store;
      cleanup = made.cleanup;
      await store.migrate();
    });

    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    describe("migrations", () => {
      it("running migrate again applies nothing and keeps the same version", async () => {
        const first = await store.migrate();
        const second = await store.migrate();
        expect(first.applied).toEqual([]);
        expect(second).toEqual({ applied: [], current: first.current });
        expect(first.current).toBeGreaterThan(0);
      });
    });

    describe("raw readings", () => {
      it("round-trips every field of a raw reading", async () => {
        const row = raw("UNIT001", "temperature", T0 + 123, 71.25, { quality: "UNCERTAIN", source: "opcua", receivedAt: T0 + 456 });
        await store.insertRaw([row]);
        expect(await store.rawRange({ unit: "UNIT001", sensor: "temperature", from: T0, to: T0 + MINUTE })).toEqual([row]);
      });

      it("returns a raw range within [from, to), oldest first, of that sensor only", async () => {
        await store.insertRaw([
          raw("UNIT001", "temperature", T0 + 3 * SECOND, 3),
          raw("UNIT001", "temperature", T0 - 1, -1),
          raw("UNIT001", "temperature", T0 + 10 * SECOND, 10),
          raw("UNIT001", "temperature", T0, 0),
          raw("UNIT001", "temperature", T0 + SECOND, 1),
          raw("UNIT001", "pressure", T0 + SECOND, 99),
          raw("UNIT002", "temperature", T0 + SECOND, 98),
        ]);
        const rows = await store.rawRange({ unit: "UNIT001", sensor: "temperature", from: T0, to: T0 + 10 * SECOND });
        expect(rows.map((r) => r.value)).toEqual([0, 1, 3]);
      });

      it("returns at most `limit` raw readings, the oldest ones", async () => {
        await store.insertRaw([0, 1, 2, 3, 4].map((i) => raw("UNIT001", "flow_rate", T0 + i * SECOND, i)));
        const rows = await store.rawRange({ unit: "UNIT001", sensor: "flow_rate", from: T0, to: T0 + MINUTE, limit: 2 });
        expect(rows.map((r) => r.value)).toEqual([0, 1]);
      });

      it("keeps one copy of each reading when a batch is inserted twice", async () => {
        const batch = [0, 1, 2].map((i) => raw("UNIT001", "temperature", T0 + i * SECOND, i));
        await store.insertRaw(batch);
        await store.insertRaw(batch);
        expect(await store.rawRange({ unit: "UNIT001", sensor: "temperature", from: T0, to: T0 + MINUTE })).toEqual(batch);
        const buckets = await store.downsampled({ unit: "UNIT001", bucketMs: MINUTE, from: T0, to: T0 + MINUTE });
        expect(buckets.map((b) => b.count)).toEqual([3]);
        expect(await store.latest()).toEqual([batch[2]]);
      });

      it("refuses a batch holding NaN or Infinity and stores none of it", async () => {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const batch = [raw("UNIT001", "temperature", T0, 1), raw("UNIT001", "temperature", T0 + SECOND, bad)];
          const err: unknown = await store.insertRaw(batch).then(() => undefined, (e: unknown) => e);
          expect(isVigilError(err, "VIGIL_STORE_ROW_INVALID")).toBe(true);
        }
        expect(await store.rawRange({ unit: "UNIT001", sensor: "temperature", from: T0, to: T0 + MINUTE })).toEqual([]);
      });

      it("keeps very large, very small and inexact finite values exactly", async () => {
        const rows = [
          raw("UNIT001", "power", T0, Number.MAX_VALUE),
          raw("UNIT001", "power", T0 + 1, -Number.MAX_VALUE),
          // Not Number.MIN_VALUE: ClickHouse 18.16 reads subnormal doubles back as 0; no sensor produces one.
          raw("UNIT001", "power", T0 + 2, 1e-300),
          raw("UNIT001", "power", T0 + 3, 0.1 + 0.2),
        ];
        await store.insertRaw(rows);
        expect(await store.rawRange({ unit: "UNIT001", sensor: "power", from: T0, to: T0 + MINUTE })).toEqual(rows);
      });
    });

    describe("downsampled ranges", () => {
      it("gives avg, min, max and count per bucket, oldest first then by sensor", async () => {
        await store.insertRaw([
          raw("UNIT001", "temperature", T0, 10),
          raw("UNIT001", "temperature", T0 + 10 * SECOND, 20),
          raw("UNIT001", "temperature", T0 + 59_999, 60),
          raw("UNIT001", "temperature", T0 + MINUTE, 5),
          raw("UNIT001", "pressure", T0 + 30 * SECOND, 2),
          raw("UNIT001", "pressure", T0 + 31 * SECOND, 4),
          raw("UNIT001", "temperature", T0 + 2 * MINUTE, 1000), // outside [from, to)
          raw("UNIT002", "temperature", T0, 500), // another unit
        ]);
        const buckets = await store.downsampled({ unit: "UNIT001", bucketMs: MINUTE, from: T0, to: T0 + 2 * MINUTE });
        expect(buckets).toEqual([
          { unit: "UNIT001", sensor: "pressure", bucket: T0, avg: 3, min: 2, max: 4, count: 2 },
          { unit: "UNIT001", sensor: "temperature", bucket: T0, avg: 30, min: 10, max: 60, count: 3 },
          { unit: "UNIT001", sensor: "temperature", bucket: T0 + MINUTE, avg: 5, min: 5, max: 5, count: 1 },
        ]);
      });

      it("aligns buckets to multiples of bucketMs since the epoch, not to `from`", async () => {
        await store.insertRaw([raw("UNIT001", "temperature", T0 + 45 * SECOND, 1), raw("UNIT001", "temperature", T0 + 75 * SECOND, 3)]);
        const buckets = await store.downsampled({ unit: "UNIT001", bucketMs: MINUTE, from: T0 + 30 * SECOND, to: T0 + 2 * MINUTE });
        expect(buckets.map((b) => [b.bucket, b.count])).toEqual([
          [T0, 1],
          [T0 + MINUTE, 1],
        ]);
      });

      it("limits buckets to the sensors asked for", async () => {
        await store.insertRaw([raw("UNIT001", "temperature", T0, 1), raw("UNIT001", "pressure", T0, 2), raw("UNIT001", "vibration", T0, 3)]);
        const buckets = await store.downsampled({ unit: "UNIT001", sensors: ["vibration", "pressure"], bucketMs: MINUTE, from: T0, to: T0 + MINUTE });
        expect(buckets.map((b) => b.sensor)).toEqual(["pressure", "vibration"]);
      });
    });

    describe("downsampled ranges of many units at once", () => {
      it("gives avg, min, max and count per bucket for every unit and sensor in one call, ordered by unit, sensor, bucket", async () => {
        await store.insertRaw([
          raw("UNIT002", "temperature", T0, 10),
          raw("UNIT002", "temperature", T0 + 30 * SECOND, 30),
          raw("UNIT001", "temperature", T0 + MINUTE, 5),
          raw("UNIT001", "temperature", T0, 7),
          raw("UNIT001", "pressure", T0, 2),
          raw("UNIT003", "pressure", T0 + 2 * MINUTE, 1), // outside [from, to)
        ]);
        const buckets = await store.downsampledMany({ bucketMs: MINUTE, from: T0, to: T0 + 2 * MINUTE });
        expect(buckets).toEqual([
          { unit: "UNIT001", sensor: "pressure", bucket: T0, avg: 2, min: 2, max: 2, count: 1 },
          { unit: "UNIT001", sensor: "temperature", bucket: T0, avg: 7, min: 7, max: 7, count: 1 },
          { unit: "UNIT001", sensor: "temperature", bucket: T0 + MINUTE, avg: 5, min: 5, max: 5, count: 1 },
          { unit: "UNIT002", sensor: "temperature", bucket: T0, avg: 20, min: 10, max: 30, count: 2 },
        ]);
      });

      it("limits buckets to the units and sensors asked for", async () => {
        await store.insertRaw([
          raw("UNIT001", "temperature", T0, 1),
          raw("UNIT001", "pressure", T0, 2),
          raw("UNIT002", "temperature", T0, 3),
          raw("UNIT003", "temperature", T0, 4),
        ]);
        const buckets = await store.downsampledMany({ units: ["UNIT003", "UNIT001"], sensors: ["temperature"], bucketMs: MINUTE, from: T0, to: T0 + MINUTE });
        expect(buckets.map((b) => [b.unit, b.sensor, b.avg])).toEqual([
          ["UNIT001", "temperature", 1],
          ["UNIT003", "temperature", 4],
        ]);
        expect(await store.downsampledMany({ units: [], bucketMs: MINUTE, from: T0, to: T0 + MINUTE })).toEqual([]);
      });

      it("agrees with the per-unit downsampled query", async () => {
        const rows: RawReadingRow[] = [];
        for (let i = 0; i < 120; i++) rows.push(raw(`UNIT00${i % 3}`, i % 2 === 0 ? "speed" : "current", T0 + i * 7 * SECOND, (i * 37) % 101));
        await store.insertRaw(rows);
        const range = { bucketMs: 5 * MINUTE, from: T0, to: T0 + 15 * MINUTE };
        const perUnit = (await Promise.all(["UNIT000", "UNIT001", "UNIT002"].map((unit) => store.downsampled({ unit, ...range })))).flat();
        const byKey = (a: { unit: string; sensor: string; bucket: number }, b: { unit: string; sensor: string; bucket: number }): number =>
          a.unit.localeCompare(b.unit) || a.sensor.localeCompare(b.sensor) || a.bucket - b.bucket;
        expect(await store.downsampledMany(range)).toEqual(perUnit.sort(byKey));
      });
    });

    describe("latest", () => {
      it("returns the newest raw reading of every sensor", async () => {
        await store.insertRaw([
          raw("UNIT001", "temperature", T0, 1),
          raw("UNIT001", "temperature", T0 + 2 * SECOND, 3),
          raw("UNIT001", "temperature", T0 + SECOND, 2),
          raw("UNIT001", "pressure", T0, 7),
          raw("UNIT002", "temperature", T0 + 5 * SECOND, 9),
        ]);
        const latest = await store.latest();
        const byKey = (r: RawReadingRow) => `${r.unit}/${r.sensor}`;
        expect(latest.map((r) => [byKey(r), r.value]).sort()).toEqual([
          ["UNIT001/pressure", 7],
          ["UNIT001/temperature", 3],
          ["UNIT002/temperature", 9],
        ]);
      });

      it("returns the newest readings of the given units only", async () => {
        await store.insertRaw([raw("UNIT001", "temperature", T0, 1), raw("UNIT002", "temperature", T0, 2), raw("UNIT003", "temperature", T0, 3)]);
        const latest = await store.latest({ units: ["UNIT001", "UNIT003"] });
        expect(latest.map((r) => r.unit).sort()).toEqual(["UNIT001", "UNIT003"]);
      });
    });

    describe("processed readings and training windows", () => {
      it("round-trips every field of a processed reading", async () => {
        const row = processed("UNIT001", "vibration", T0, 4.5, {
          anomaly: true,
          score: 0.875,
          severity: "CRITICAL",
          category: "MECHANICAL",
          method: "MODEL",
          modelVersion: "vibration-iforest@3",
          reasons: ["z=6.1", "above max 4.0", "it's \"odd\""],
          processedAt: T0 + 99,
        });
        await store.insertProcessed([row]);
        expect(await store.trainingWindow({ from: T0, to: T0 + 1 })).toEqual([row]);
      });

      it("returns a training window of many sensors ordered by unit, sensor, ts", async () => {
        const rows: ProcessedReadingRow[] = [];
        for (const unit of ["UNIT003", "UNIT001", "UNIT002"]) {
          for (const sensor of ["vibration", "flow_rate", "temperature", "pressure"]) {
            for (const i of [4, 0, 3, 1, 2]) rows.push(processed(unit, sensor, T0 + i * SECOND, i));
          }
        }
        await store.insertProcessed(rows);
        const window = await store.trainingWindow({ from: T0, to: T0 + MINUTE });
        const key = (r: ProcessedReadingRow) => [r.unit, r.sensor, r.ts] as const;
        const expected = [...rows].sort((a, b) => compareTuples(key(a), key(b)));
        expect(window.map(key)).toEqual(expected.map(key));
        expect(window).toHaveLength(3 * 4 * 5);
      });

      it("limits a training window to the units, sensors and [from, to) asked for", async () => {
        await store.insertProcessed([
          processed("UNIT001", "temperature", T0, 1),
          processed("UNIT001", "pressure", T0, 2),
          processed("UNIT002", "temperature", T0, 3),
          processed("UNIT003", "temperature", T0, 4),
          processed("UNIT001", "temperature", T0 + MINUTE, 5),
        ]);
        const window = await store.trainingWindow({ from: T0, to: T0 + MINUTE, units: ["UNIT001", "UNIT002"], sensors: ["temperature"] });
        expect(window.map((r) => r.value)).toEqual([1, 3]);
      });

      it("keeps one copy of each processed reading when a batch is inserted twice", async () => {
        const batch = [0, 1].map((i) => processed("UNIT001", "temperature", T0 + i, i));
        await store.insertProcessed(batch);
        await store.insertProcessed(batch);
        expect(await store.trainingWindow({ from: T0, to: T0 + MINUTE })).toEqual(batch);
      });

      it("refuses a processed batch with a NaN score", async () => {
        const err: unknown = await store
          .insertProcessed([processed("UNIT001", "temperature", T0, 1, { score: Number.NaN })])
          .then(() => undefined, (e: unknown) => e);
        expect(isVigilError(err, "VIGIL_STORE_ROW_INVALID")).toBe(true);
        expect(await store.trainingWindow({ from: T0, to: T0 + MINUTE })).toEqual([]);
      });
    });

    describe("predictions", () => {
      it("round-trips predictions of a unit, oldest first, filtered by kind and range", async () => {
        const rows: PredictionRow[] = [
          { unit: "UNIT001", kind: "rul", ts: T0 + 2 * SECOND, value: 118.5, label: null, modelVersion: "rul@1" },
          { unit: "UNIT001", kind: "operational_state", ts: T0 + SECOND, value: 0.92, label: "DEGRADED", modelVersion: "state@4" },
          { unit: "UNIT001", kind: "rul", ts: T0, value: 120, label: null, modelVersion: "rul@1" },
          { unit: "UNIT002", kind: "rul", ts: T0, value: 50, label: null, modelVersion: "rul@1" },
          { unit: "UNIT001", kind: "rul", ts: T0 + MINUTE, value: 100, label: null, modelVersion: "rul@1" },
        ];
        await store.insertPredictions(rows);
        await store.insertPredictions(rows);
        expect(await store.predictions({ unit: "UNIT001", from: T0, to: T0 + MINUTE })).toEqual([rows[2], rows[1], rows[0]]);
        expect(await store.predictions({ unit: "UNIT001", kind: "rul", from: T0, to: T0 + MINUTE })).toEqual([rows[2], rows[0]]);
      });
    });

    describe("alarm history", () => {
      it("returns alarm transitions newest first, within [from, to)", async () => {
        const rows = [
          alarm("A1", "UNIT001", T0, "active_unacknowledged"),
          alarm("A1", "UNIT001", T0 + 2 * SECOND, "acknowledged", { actor: "operator:ana", comment: "checking pump" }),
          alarm("A1", "UNIT001", T0 + 5 * SECOND, "cleared"),
          alarm("A2", "UNIT002", T0 + SECOND, "active_unacknowledged", { sensor: null, severity: "LOW" }),
          alarm("A3", "UNIT001", T0 + MINUTE, "active_unacknowledged"),
        ];
        await store.insertAlarmEvents(rows);
        expect(await store.alarmHistory({ from: T0, to: T0 + MINUTE })).toEqual([rows[2], rows[1], rows[3], rows[0]]);
      });

      it("filters alarm history by unit and limits it to the newest transitions", async () => {
        await store.insertAlarmEvents([
          alarm("A1", "UNIT001", T0, "active_unacknowledged"),
          alarm("A1", "UNIT001", T0 + SECOND, "acknowledged"),
          alarm("A1", "UNIT001", T0 + 2 * SECOND, "cleared"),
          alarm("A2", "UNIT002", T0 + 3 * SECOND, "active_unacknowledged"),
        ]);
        const rows = await store.alarmHistory({ from: T0, to: T0 + MINUTE, unit: "UNIT001", limit: 2 });
        expect(rows.map((r) => r.state)).toEqual(["cleared", "acknowledged"]);
      });

      it("keeps one copy of each alarm transition when a batch is inserted twice", async () => {
        const batch = [alarm("A1", "UNIT001", T0, "active_unacknowledged"), alarm("A1", "UNIT001", T0 + 1, "acknowledged")];
        await store.insertAlarmEvents(batch);
        await store.insertAlarmEvents(batch);
        expect(await store.alarmHistory({ from: T0, to: T0 + MINUTE })).toHaveLength(2);
      });
    });

    describe("rejections", () => {
      it("counts rejections in [from, to) grouped by source and reason", async () => {
        await store.insertRejections([
          rejection(T0, "mqtt", "malformed_payload", "a"),
          rejection(T0 + 1, "mqtt", "malformed_payload", "b"),
          rejection(T0 + 2, "mqtt", "not_a_number", "c"),
          rejection(T0 + 3, "http", "malformed_payload", "d"),
          { ...rejection(T0 + 4, "opcua", "overloaded", "e"), unit: "UNIT001", sensor: "temperature" },
          rejection(T0 + MINUTE, "mqtt", "malformed_payload", "outside"),
        ]);
        expect(await store.rejectedCounts({ from: T0, to: T0 + MINUTE })).toEqual([
          { source: "http", reason: "malformed_payload", count: 1 },
          { source: "mqtt", reason: "malformed_payload", count: 2 },
          { source: "mqtt", reason: "not_a_number", count: 1 },
          { source: "opcua", reason: "overloaded", count: 1 },
        ]);
      });

      it("counts a retried batch of rejections once", async () => {
        const batch = [rejection(T0, "nats", "malformed_payload", "x"), rejection(T0 + 1, "nats", "malformed_payload", "y")];
        await store.insertRejections(batch);
        await store.insertRejections(batch);
        expect(await store.rejectedCounts({ from: T0, to: T0 + MINUTE })).toEqual([{ source: "nats", reason: "malformed_payload", count: 2 }]);
      });
    });

    describe("units", () => {
      it("lists units ordered by unit, an upsert replacing the older row", async () => {
        const pump: UnitRow = { unit: "UNIT002", type: "pump", location: "hall A", capacityKw: 75.5, updatedAt: T0 };
        const bare: UnitRow = { unit: "UNIT001", type: null, location: null, capacityKw: null, updatedAt: T0 };
        await store.upsertUnits([pump, bare]);
        const moved: UnitRow = { ...pump, location: "hall B", capacityKw: 80, updatedAt: T0 + SECOND };
        await store.upsertUnits([moved]);
        expect(await store.units()).toEqual([bare, moved]);
      });
    });

    describe("labels", () => {
      it("returns labels overlapping [from, to), filtered by unit", async () => {
        const rows: LabelRow[] = [
          { unit: "UNIT001", sensor: null, from: T0 - MINUTE, to: T0 + SECOND, label: "fault", source: "simulator" },
          { unit: "UNIT001", sensor: "temperature", from: T0 + SECOND, to: T0 + 2 * SECOND, label: "false_alarm", source: "operator:ana" },
          { unit: "UNIT001", sensor: null, from: T0 + MINUTE, to: T0 + 2 * MINUTE, label: "normal", source: "import" },
          { unit: "UNIT002", sensor: null, from: T0, to: T0 + SECOND, label: "fault", source: "simulator" },
          { unit: "UNIT001", sensor: null, from: T0 - 2 * MINUTE, to: T0, label: "normal", source: "import" },
        ];
        await store.insertLabels(rows);
        await store.insertLabels(rows);
        expect(await store.labels({ from: T0, to: T0 + MINUTE, unit: "UNIT001" })).toEqual([rows[0], rows[1]]);
        expect(await store.labels({ from: T0, to: T0 + MINUTE })).toEqual([rows[0], rows[1], rows[3]]);
      });
    });

    describe("model events", () => {
      it("returns model events oldest first, filtered by model", async () => {
        const rows: ModelEventRow[] = [
          { ts: T0 + SECOND, model: "rul", version: "2", event: "promoted", actor: "operator:ana", detail: "{\"mae\":3.1}" },
          { ts: T0, model: "rul", version: "2", event: "registered", actor: "trainer", detail: "" },
          { ts: T0, model: "iforest", version: "7", event: "registered", actor: "trainer", detail: "" },
        ];
        await store.insertModelEvents(rows);
        await store.insertModelEvents(rows);
        expect(await store.modelEvents({})).toEqual([rows[2], rows[1], rows[0]]);
        expect(await store.modelEvents({ model: "rul" })).toEqual([rows[1], rows[0]]);
      });
    });

    describe("text", () => {
      it("round-trips quotes, backslashes, newlines, NUL and unicode in every kind of text", async () => {
        const awkward = [...AWKWARD];
        await store.insertAlarmEvents(
          awkward.map((s, i) => alarm(`A${i}`, "UNIT001", T0 + i, "active_unacknowledged", { message: s, comment: s, actor: s })),
        );
        const alarms = await store.alarmHistory({ from: T0, to: T0 + MINUTE });
        expect(alarms.map((a) => a.message).reverse()).toEqual(awkward);
        expect(alarms.map((a) => a.comment).reverse()).toEqual(awkward);

        await store.insertModelEvents(awkward.map((s, i) => ({ ts: T0 + i, model: "m", version: "1", event: "registered", actor: "t", detail: s })));
        expect((await store.modelEvents({ model: "m" })).map((e) => e.detail)).toEqual(awkward);
      });

      it("finds rows by awkward strings used as query filters", async () => {
        for (const [i, s] of AWKWARD.entries()) {
          if (s === "") continue;
          await store.insertRaw([raw(s, s, T0 + i, i)]);
          expect((await store.rawRange({ unit: s, sensor: s, from: T0, to: T0 + MINUTE })).map((r) => r.value)).toEqual([i]);
          expect((await store.downsampled({ unit: s, sensors: [s], bucketMs: MINUTE, from: T0, to: T0 + MINUTE })).map((b) => b.count)).toEqual([1]);
          expect((await store.latest({ units: [s] })).map((r) => r.value)).toEqual([i]);
        }
        await store.insertModelEvents([{ ts: T0, model: "it's \\ odd", version: "1", event: "registered", actor: "t", detail: "" }]);
        expect(await store.modelEvents({ model: "it's \\ odd" })).toHaveLength(1);
      });
    });
  });
}

function compareTuples(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
