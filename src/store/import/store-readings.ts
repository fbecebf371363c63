/**
 * Puts a processed file's readings into the history store as raw readings
 * (source "import"), in batches. Straight through the store's insert rather
 * than the HistoryWriter: import has a user waiting for an answer, so a store
 * that is down should fail the file now (exit 1) instead of spooling it to
 * disk, and running the import again is safe — the store keys raw readings on
 * (unit, sensor, ts), so re-imported rows replace themselves.
 */
import { QUALITIES } from "../../actors/readings/reading.js";
import type { HistoryStore, RawReadingRow, UnitRow } from "../history-store.js";
import type { FileProcessed } from "./process-file.js";

/** Rows per insert: big enough that ClickHouse gets few large parts, small enough to bound memory. */
export const STORE_BATCH_ROWS = 20_000;
/**
 * Calendar months per insert at most. ClickHouse partitions raw readings by
 * month, and newer releases refuse an insert touching more than 100
 * partitions (max_partitions_per_insert_block), which 20,000 daily values
 * would. (The 18.16 test server does not enforce it, so no spec shows it.)
 */
export const STORE_BATCH_MONTHS = 90;

/** Inserts every reading of the file; `onBatch` hears how many rows each batch stored. */
export async function storeReadings(store: HistoryStore, file: FileProcessed, receivedAt: number, onBatch: (rows: number) => void): Promise<void> {
  let batch: RawReadingRow[] = [];
  const months = new Set<number>();
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await store.insertRaw(batch);
    onBatch(batch.length);
    batch = [];
    months.clear();
  };
  for (const s of file.series) {
    for (let i = 0; i < s.ts.length; i++) {
      const month = monthOf(s.ts[i] as number);
      if (!months.has(month)) {
        if (months.size === STORE_BATCH_MONTHS) await flush();
        months.add(month);
      }
      batch.push({
        unit: s.unit,
        sensor: s.sensor,
        ts: s.ts[i] as number,
        value: s.value[i] as number,
        quality: QUALITIES[s.quality[i] as number] ?? "GOOD",
        source: "import",
        receivedAt,
      });
      if (batch.length >= STORE_BATCH_ROWS) await flush();
    }
  }
  await flush();
}

function monthOf(ts: number): number {
  const d = new Date(ts);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/**
 * What the file says about its units, recorded in the store's unit table:
 * an NSRDB site's coordinates, and the capacity given with --capacity.
 * Nothing is written when the file says nothing, so an import never blanks
 * what an operator entered.
 */
export function unitRows(file: FileProcessed, capacityKw: number | undefined, updatedAt: number): UnitRow[] {
  const { latitude, longitude } = file.site;
  const location = latitude !== undefined && longitude !== undefined ? `${latitude},${longitude}` : null;
  if (location === null && capacityKw === undefined) return [];
  const units = [...new Set(file.series.map((s) => s.unit))];
  return units.map((unit) => ({
    unit,
    type: file.format === "nsrdb" ? "solar" : file.format,
    location,
    capacityKw: capacityKw ?? null,
    updatedAt,
  }));
}
