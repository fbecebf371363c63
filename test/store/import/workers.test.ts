/**
 * --workers N runs files in piscina worker threads (loading the TypeScript
 * task through the tsx bootstrap when run from sources) and gives exactly
 * what one in-thread worker gives: the same summary, the same processed
 * CSVs byte for byte, the same stored readings.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaults } from "../../../src/config/index.js";
import { openHistoryStore, type HistoryStore, type RawReadingRow } from "../../../src/store/index.js";
import { importOptionsSchema, runImport, type ImportSummary } from "../../../src/store/import/index.js";
import { createFileRunner } from "../../../src/store/import/pool.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { fixture, NOW, task, useTempDirs, writeCsv } from "./helpers.js";

const tempDir = useTempDirs();

async function importWith(workers: number, files: string[]): Promise<{ summary: ImportSummary; out: string; rows: RawReadingRow[] }> {
  const out = tempDir();
  const store = await openHistoryStore({ ...defaults.history, embedded: { ...defaults.history.embedded, path: join(tempDir(), "h.duckdb") } }, silentLog);
  try {
    const summary = await runImport(importOptionsSchema.parse({ files, workers, outputDir: out, capacityKw: 120 }), { store, log: silentLog, now: () => NOW });
    return { summary, out, rows: await everyReading(store) };
  } finally {
    await store.close();
  }
}

async function everyReading(store: HistoryStore): Promise<RawReadingRow[]> {
  const rows: RawReadingRow[] = [];
  for (const latest of await store.latest()) rows.push(...(await store.rawRange({ unit: latest.unit, sensor: latest.sensor, from: 0, to: Date.UTC(2100, 0, 1) })));
  return rows.sort((a, b) => a.unit.localeCompare(b.unit) || a.sensor.localeCompare(b.sensor) || a.ts - b.ts);
}

// Worker threads each load the TypeScript loader and danfojs: slow on a busy machine.
describe("import workers", { timeout: 180_000 }, () => {
  it("runs a file in a piscina worker thread to the same outcome as in this thread", async () => {
    const pool = createFileRunner(2);
    try {
      const inPool = await pool.run(task(fixture("meter_feeder.csv")));
      const inThread = await createFileRunner(1).run(task(fixture("meter_feeder.csv")));
      expect(pool.threads).toBe(2);
      expect(inPool).toEqual(inThread);
    } finally {
      await pool.close();
    }
  });

  it("gives with --workers 2 the same summary, processed CSVs and stored readings as with 1", async () => {
    const bad = writeCsv(tempDir(), "bad_meter.csv", ["timestamp,voltage_v", "2024-03-04T00:00:00Z,400", "then,401", "2024-03-04T00:02:00Z,-1"]);
    const files = ["nsrdb_golden_2019.csv", "meter_feeder.csv", "weather_station.csv", "long_plant.csv"].map(fixture).concat(bad, "/nonexistent/file.csv");
    const one = await importWith(1, files);
    const two = await importWith(2, files);
    const withoutPaths = (s: ImportSummary) => ({ ...s, seconds: 0, perFile: s.perFile.map(({ processedCsv: _p, errorsCsv: _e, ...f }) => f) });
    expect(withoutPaths(two.summary)).toEqual(withoutPaths(one.summary));
    expect(one.summary.filesFailed).toBe(1);
    expect(readdirSync(two.out).sort()).toEqual(readdirSync(one.out).sort());
    expect(readdirSync(one.out)).toContain("meter_errors_20260101T000000Z_bad_meter.csv");
    for (const name of readdirSync(one.out)) {
      expect(readFileSync(join(two.out, name), "utf8")).toBe(readFileSync(join(one.out, name), "utf8"));
    }
    expect(two.rows).toEqual(one.rows);
    expect(one.rows).toHaveLength(one.summary.readingsImported);
  });
});
