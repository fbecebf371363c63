/**
 * runImport into real history stores — the embedded DuckDB file and a
 * clickhouse-server from the harness — read back through the store's own
 * queries; importing the same files again leaves every reading once.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type VigilConfig } from "../../../src/config/index.js";
import { openHistoryStore, type HistoryStore } from "../../../src/store/index.js";
import { ClickHouseConnection } from "../../../src/store/clickhouse/connection.js";
import { ident, qualified, sql } from "../../../src/store/sql/index.js";
import { importOptionsSchema, runImport, type ImportOptionsInput } from "../../../src/store/import/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { startClickHouse, type ServerHandle } from "../../harness/servers.js";
import { fixture, NOW, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const FILES = ["nsrdb_golden_2019.csv", "meter_feeder.csv", "weather_station.csv", "long_plant.csv"].map(fixture);
const ALL_TIME = { from: 0, to: Date.UTC(2100, 0, 1) };

function history(over: { url?: string; database?: string; path?: string }): VigilConfig["history"] {
  return {
    ...defaults.history,
    clickhouse: { ...defaults.history.clickhouse, url: over.url ?? "", database: over.database ?? defaults.history.clickhouse.database },
    embedded: { ...defaults.history.embedded, path: over.path ?? defaults.history.embedded.path },
  };
}

function importInto(store: HistoryStore, over: Partial<ImportOptionsInput> = {}) {
  return runImport(importOptionsSchema.parse({ files: FILES, ...over }), { store, log: silentLog, now: () => NOW });
}

/** How many raw readings each unit/sensor has, as the store answers (downsampled over all time). */
async function countsOf(store: HistoryStore, units: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const unit of units) {
    for (const b of await store.downsampled({ unit, bucketMs: ALL_TIME.to, ...ALL_TIME })) counts[`${unit}/${b.sensor}`] = (counts[`${unit}/${b.sensor}`] ?? 0) + b.count;
  }
  return counts;
}

const UNITS = ["nsrdb_golden_2019", "MTR01", "weather_station", "UNIT001", "UNIT002"];

/** The checks both stores must pass. */
function storeSpecs(open: () => Promise<{ store: HistoryStore; rawCount?: () => Promise<number> }>): void {
  it("stores every imported reading as a raw reading of source import, readable per sensor", async () => {
    const { store } = await open();
    try {
      const summary = await importInto(store);
      expect(summary.filesFailed).toBe(0);
      const ghi = await store.rawRange({ unit: "nsrdb_golden_2019", sensor: "ghi", ...ALL_TIME });
      expect(ghi).toHaveLength(96);
      expect(ghi.find((r) => r.ts === Date.UTC(2019, 5, 20, 18, 0))).toEqual({
        unit: "nsrdb_golden_2019",
        sensor: "ghi",
        ts: Date.UTC(2019, 5, 20, 18, 0),
        value: 938,
        quality: "GOOD",
        source: "import",
        receivedAt: NOW,
      });
      const pressure = await store.rawRange({ unit: "UNIT002", sensor: "pressure", ...ALL_TIME });
      expect(pressure.map((r) => r.quality).filter((q) => q !== "GOOD")).toEqual(["UNCERTAIN"]);
      const counts = await countsOf(store, UNITS);
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(summary.readingsImported);
      expect(summary.readingsImported).toBe(96 * 8 + 96 * 5 + 48 * 5 + 48);
    } finally {
      await store.close();
    }
  });

  it("leaves every reading once when the same files are imported again", async () => {
    const { store, rawCount } = await open();
    try {
      await importInto(store);
      const once = await countsOf(store, UNITS);
      await importInto(store, { workers: 2 });
      expect(await countsOf(store, UNITS)).toEqual(once);
      if (rawCount !== undefined) expect(await rawCount()).toBe(Object.values(once).reduce((a, b) => a + b, 0));
    } finally {
      await store.close();
    }
  });

  it("records an NSRDB site's coordinates and the --capacity in the unit table", async () => {
    const { store } = await open();
    try {
      await runImport(importOptionsSchema.parse({ files: [fixture("nsrdb_golden_2019.csv")], unit: "SOLAR01", capacityKw: "250" }), { store, log: silentLog, now: () => NOW });
      expect(await store.units()).toEqual([{ unit: "SOLAR01", type: "solar", location: "39.73,-105.18", capacityKw: 250, updatedAt: NOW }]);
    } finally {
      await store.close();
    }
  });
}

describe("import into the embedded store", { timeout: 120_000 }, () => {
  storeSpecs(async () => {
    const store = await openHistoryStore(history({ path: join(tempDir(), "history.duckdb") }), silentLog);
    return { store };
  });
});

describe("import into ClickHouse", { timeout: 120_000 }, () => {
  let server: ServerHandle;
  let admin: ClickHouseConnection;
  let databases = 0;
  const created: string[] = [];

  beforeAll(async () => {
    server = await startClickHouse();
    admin = new ClickHouseConnection({ url: server.url, username: "default", password: "" });
  });

  afterAll(async () => {
    for (const db of created) await admin.exec(sql`DROP DATABASE IF EXISTS ${ident(db)}`);
    await admin?.close();
    await server?.stop();
  });

  storeSpecs(async () => {
    const database = `vigil_import_${process.pid}_${++databases}`;
    created.push(database);
    const store = await openHistoryStore(history({ url: server.url, database }), silentLog);
    // Past FINAL: merge the parts and count what is physically there, so a re-import is shown to replace rows, not hide them.
    // OPTIMIZE returns without merging while a background merge holds the parts (a loaded machine), so it is
    // asked again until each partition is one part.
    const rawCount = async (): Promise<number> => {
      for (let attempt = 0; attempt < 50; attempt++) {
        await admin.exec(sql`OPTIMIZE TABLE ${qualified(database, "raw_readings")} FINAL`);
        const [parts] = await admin.rows<{ n: string | number }>(
          sql`SELECT count() - uniqExact(partition) AS n FROM system.parts WHERE database = ${database} AND table = 'raw_readings' AND active`,
        );
        if (Number(parts?.n) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const [row] = await admin.rows<{ n: string | number }>(sql`SELECT count() AS n FROM ${qualified(database, "raw_readings")}`);
      return Number(row?.n);
    };
    return { store, rawCount };
  });
});
