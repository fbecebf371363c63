/**
 * Label files through `vigil import`: told apart from reading files by their
 * header (unit, sensor?, from, to, label), stored as labels of source
 * "import" in a real (embedded) history store next to the readings of the
 * same run, bad rows counted and left out.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importOptionsSchema, runImport } from "../../../src/store/import/index.js";
import { IN_MEMORY, openEmbeddedHistoryStore } from "../../../src/store/embedded/index.js";
import type { HistoryStore } from "../../../src/store/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { fixture, NOW, useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
let store: HistoryStore;
beforeEach(async () => {
  store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
  await store.migrate();
});
afterEach(() => store.close());

const LABELS = [
  "unit,sensor,from,to,label",
  "UNIT001,temperature,2025-06-01T10:00:00Z,2025-06-01T10:15:00Z,fault",
  "UNIT001,,2025-06-01 12:00,2025-06-01 12:30,state:DEGRADED",
  "UNIT002,,1748779200,1748779260,failure",
  "UNIT002,,2025-06-01T10:00:00Z,2025-06-01T09:00:00Z,fault", // ends before it starts
  "UNIT 3,,2025-06-01T10:00:00Z,2025-06-01T11:00:00Z,fault", // not an id
  "UNIT004,,2025-06-01T10:00:00Z,2025-06-01T11:00:00Z,", // no label
].join("\n");

describe("importing a label file", () => {
  it("stores its rows as labels of source import, beside the readings of the same run, and counts the rows left out", async () => {
    const file = join(tempDir(), "labels.csv");
    writeFileSync(file, LABELS);
    const summary = await runImport(importOptionsSchema.parse({ files: [file, fixture("long_plant.csv")] }), { store, log: silentLog, now: () => NOW });
    expect(summary.perFile[0]).toMatchObject({ ok: true, format: "labels", rowsRead: 6, labelsImported: 3, removed: { invalid_timestamp: 1, invalid_id: 1, missing_value: 1 } });
    expect(summary.perFile[1]).toMatchObject({ ok: true, format: "long" });
    const labels = await store.labels({ from: 0, to: Date.UTC(2100, 0, 1) });
    expect(labels).toEqual([
      { unit: "UNIT001", sensor: "temperature", from: Date.UTC(2025, 5, 1, 10), to: Date.UTC(2025, 5, 1, 10, 15), label: "fault", source: "import" },
      { unit: "UNIT001", sensor: null, from: Date.UTC(2025, 5, 1, 12), to: Date.UTC(2025, 5, 1, 12, 30), label: "state:DEGRADED", source: "import" },
      { unit: "UNIT002", sensor: null, from: 1748779200_000, to: 1748779260_000, label: "failure", source: "import" },
    ]);
  });
});
