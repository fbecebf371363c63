/**
 * The writer carries every kind of history row the node produces — raw and
 * processed readings, predictions (unit states), rejections and alarm
 * transitions, labels — into a real (embedded DuckDB) store, across a spool.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, expect, it } from "vitest";
import { IN_MEMORY, openEmbeddedHistoryStore } from "../../../src/store/embedded/index.js";
import { HistoryWriter } from "../../../src/store/writer/index.js";
import { BASE_TS, processedRow, rawRow, uniformSink } from "./rows.js";

const silentLog = pino({ level: "silent" });
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

it("stores raw and processed readings, predictions, rejections, alarm transitions and labels, also when they waited on the spool", async () => {
  const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
  await store.migrate();
  const spoolDir = await mkdtemp(join(tmpdir(), "vigil-spool-kinds-"));
  dirs.push(spoolDir);
  try {
    // The first writer's store is down: everything it takes ends on the spool.
    const unreachable = uniformSink(() => Promise.reject(new Error("connection refused")));
    const first = await HistoryWriter.open({ store: unreachable, spoolDir, log: silentLog, retryInitialMs: 1 });
    const alarm = { alarmId: "A1", rule: "high_temperature", unit: "UNIT001", sensor: "s1", state: "active_unacknowledged", severity: "HIGH" as const, ts: BASE_TS, actor: "system", message: "hot", comment: null };
    const prediction = { unit: "UNIT001", kind: "operational_state", ts: BASE_TS, value: 0.8, label: "DEGRADED", modelVersion: "RULES" };
    const rejection = { ts: BASE_TS, source: "mqtt" as const, reason: "not_a_number" as const, unit: "UNIT001", sensor: "s1", detail: "NaN" };
    const label = { unit: "UNIT001", sensor: "s1", from: BASE_TS, to: BASE_TS + 1000, label: "false_alarm", source: "operator:ana" };
    const taken = [first.writeRaw(rawRow(1)), first.write(processedRow(1)), first.writePrediction(prediction), first.writeRejection(rejection), first.writeAlarmEvent(alarm), first.writeLabel(label)];
    expect(taken).toEqual([true, true, true, true, true, true]);
    await first.close();
    expect(first.status().spoolBatches).toBe(6);

    const second = await HistoryWriter.open({ store, spoolDir, log: silentLog });
    await second.flush();
    await second.close();
    const range = { from: BASE_TS, to: BASE_TS + 60_000 };
    expect(await store.rawRange({ unit: "UNIT001", sensor: "s1", ...range })).toEqual([rawRow(1)]);
    expect(await store.trainingWindow(range)).toEqual([processedRow(1)]);
    expect(await store.predictions({ unit: "UNIT001", ...range })).toEqual([prediction]);
    expect(await store.rejectedCounts(range)).toEqual([{ source: "mqtt", reason: "not_a_number", count: 1 }]);
    expect(await store.alarmHistory(range)).toEqual([alarm]);
    expect(await store.labels(range)).toEqual([label]);
  } finally {
    await store.close();
  }
});
