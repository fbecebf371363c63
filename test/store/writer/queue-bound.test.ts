/**
 * The writer's memory bound and order, against a store that stops answering:
 * a sink whose inserts hang until released (no process boundary is crossed,
 * so no server is needed to show what stays in memory).
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { ProcessedReadingRow, RawReadingRow } from "../../../src/store/history-store.js";
import { HistoryWriter, type HistorySink } from "../../../src/store/writer/index.js";
import { processedRow, until } from "./rows.js";

const silentLog = pino({ level: "silent" });
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Inserts hang until release(); records each batch's first value in the order inserted. */
function hangingSink() {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const firstValues: number[] = [];
  const sink: HistorySink = {
    insertRaw: async (_rows: readonly RawReadingRow[]) => released,
    insertPredictions: async () => released,
    insertRejections: async () => released,
    insertAlarmEvents: async () => released,
    insertLabels: async () => released,
    insertProcessed: async (rows: readonly ProcessedReadingRow[]) => {
      await released;
      firstValues.push(rows[0]?.value ?? -1);
    },
  };
  return { sink, release, firstValues };
}

describe("history writer queue", () => {
  it("holds at most maxQueuedRows in memory while the store hangs, sends the rest to the spool, then inserts all in write order", async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), "vigil-spool-"));
    dirs.push(spoolDir);
    const { sink, release, firstValues } = hangingSink();
    const writer = await HistoryWriter.open({ store: sink, spoolDir, log: silentLog, batchRows: 100, maxQueuedRows: 400 });

    for (let i = 0; i < 1_000; i++) expect(writer.write(processedRow(i))).toBe(true);
    const spooledFiles = async () => (await readdir(spoolDir)).filter((f) => f.endsWith(".json")).length;
    // A file shows under its final name just before the directory fsync that makes it durable; rows leave memory after that.
    await until(async () => (await spooledFiles()) === 6 && writer.status().queuedRows === 400, "6 batches spooled and durable");

    expect(writer.status()).toMatchObject({ queuedRows: 400, spoolBatches: 6 });

    release();
    await writer.flush();
    expect(firstValues).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(writer.status()).toMatchObject({ queuedRows: 0, spoolBatches: 0, spoolBytes: 0 });
    await writer.close();
    expect(await readdir(spoolDir)).toEqual([]);
  });

  it("refuses rows, counted as overloaded, once the rows waiting for the disk reach twice maxQueuedRows", async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), "vigil-spool-"));
    dirs.push(spoolDir);
    const { sink, release, firstValues } = hangingSink();
    const registry = new Registry();
    const writer = await HistoryWriter.open({ store: sink, spoolDir, log: silentLog, registry, batchRows: 100, maxQueuedRows: 300 });

    // In one synchronous run no spool write can finish: 300 rows wait in memory, 600 for the disk, the rest are refused.
    let accepted = 0;
    for (let i = 0; i < 2_000; i++) if (writer.write(processedRow(i))) accepted++;

    expect(accepted).toBe(900);
    const dropped = await registry.getSingleMetric("vigil_history_rows_dropped_total")?.get();
    expect(dropped?.values).toEqual([expect.objectContaining({ labels: { reason: "overloaded" }, value: 1_100 })]);
    release();
    await writer.flush();
    expect(firstValues).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800]);
    await writer.close();
  });

  it("refuses rows once closed", async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), "vigil-spool-"));
    dirs.push(spoolDir);
    const writer = await HistoryWriter.open({ store: hangingSink().sink, spoolDir, log: silentLog });
    await writer.close();
    expect(writer.write(processedRow(0))).toBe(false);
  });
});
