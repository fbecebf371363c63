/**
 * What the writer does with a spool directory it finds and with batches the
 * store refuses: crash leftovers are ignored, unreadable files are moved
 * aside, invalid batches are dropped and counted rather than retried forever.
 * Uses an in-memory sink (the spool is the component under test here).
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { VigilError } from "../../../src/runtime/errors.js";
import type { ProcessedReadingRow } from "../../../src/store/history-store.js";
import { HistoryWriter, type HistorySink } from "../../../src/store/writer/index.js";
import { processedRow } from "./rows.js";

const silentLog = pino({ level: "silent" });
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function spoolDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-spool-"));
  dirs.push(dir);
  return dir;
}

function collectingSink(refuse: (rows: readonly ProcessedReadingRow[]) => boolean = () => false) {
  const stored: number[] = [];
  const sink: HistorySink = {
    insertRaw: () => Promise.resolve(),
    insertPredictions: () => Promise.resolve(),
    insertRejections: () => Promise.resolve(),
    insertAlarmEvents: () => Promise.resolve(),
    insertLabels: () => Promise.resolve(),
    insertProcessed: (rows) => {
      if (refuse(rows)) return Promise.reject(new VigilError("VIGIL_STORE_ROW_INVALID", "refused"));
      stored.push(...rows.map((r) => r.value));
      return Promise.resolve();
    },
  };
  return { sink, stored };
}

describe("history writer spool recovery", () => {
  it("drains a spool left on disk, ignoring a half-written .tmp file and moving an unreadable batch aside", async () => {
    const dir = await spoolDir();
    const rows = (from: number, n: number) => JSON.stringify(Array.from({ length: n }, (_, k) => processedRow(from + k)));
    await writeFile(join(dir, "0000000000000000.processed.json"), rows(0, 3));
    await writeFile(join(dir, "0000000000000001.processed.json"), "[{not json");
    await writeFile(join(dir, "0000000000000002.processed.json"), rows(3, 2));
    await writeFile(join(dir, "0000000000000003.processed.json.tmp"), rows(100, 1));
    const { sink, stored } = collectingSink();

    const writer = await HistoryWriter.open({ store: sink, spoolDir: dir, log: silentLog });
    writer.write(processedRow(5));
    await writer.flush();
    await writer.close();

    expect(stored).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await readdir(dir)).toEqual(["0000000000000001.processed.json.bad"]);
  });

  it("drops a batch the store refuses as invalid, counts its rows, and goes on with the next", async () => {
    const { sink, stored } = collectingSink((rows) => rows[0]?.value === 0);
    const registry = new Registry();
    const writer = await HistoryWriter.open({ store: sink, spoolDir: await spoolDir(), log: silentLog, registry, batchRows: 10 });
    for (let i = 0; i < 20; i++) writer.write(processedRow(i));
    await writer.flush();
    await writer.close();

    expect(stored).toEqual(Array.from({ length: 10 }, (_, k) => 10 + k));
    const dropped = await registry.getSingleMetric("vigil_history_rows_dropped_total")?.get();
    expect(dropped?.values).toEqual([expect.objectContaining({ labels: { reason: "rejected_by_store" }, value: 10 })]);
  });
});
