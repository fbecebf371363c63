/**
 * Retention deletes time series by their own timestamps, imported ones too:
 * import says so when a file holds readings older than the store keeps.
 */
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { defaults } from "../../../src/config/index.js";
import { openHistoryStore } from "../../../src/store/index.js";
import { importOptionsSchema, runImport } from "../../../src/store/import/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { fixture, NOW, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

async function warningsOfImport(retentionDays: number): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const store = await openHistoryStore({ ...defaults.history, embedded: { ...defaults.history.embedded, path: join(tempDir(), "h.duckdb") } }, silentLog);
  try {
    await runImport(importOptionsSchema.parse({ files: [fixture("nsrdb_golden_2019.csv"), fixture("weather_station.csv")] }), { store, log, now: () => NOW, retentionDays });
  } finally {
    await store.close();
  }
  return lines;
}

describe("import and retention", () => {
  it("warns, per file, how many readings are older than the store's retention", async () => {
    // NOW is 2026-01-01: the 2019 NSRDB rows are past 365 days, the March 2024 weather rows too; with 700 days only the 2019 ones.
    const warnings = await warningsOfImport(700);
    expect(warnings.map((w) => [w["file"], w["readings"], w["retentionDays"]])).toEqual([[fixture("nsrdb_golden_2019.csv"), 96 * 8, 700]]);
    expect(warnings[0]?.["msg"]).toMatch(/set history\.embedded\.retentionDays to 0 to keep imported history/);
  });

  it("says nothing when the store keeps everything (retentionDays 0)", async () => {
    expect(await warningsOfImport(0)).toEqual([]);
  });
});
