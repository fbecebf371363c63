/**
 * The processed CSV of a file: its feature tables as one data frame
 * (danfojs), written in chunks so a long file never becomes one huge frame,
 * under the name `{source}_processed_{timestamp}_{original_name}.csv`.
 * Columns: timestamp (ISO 8601, UTC), unit, then every feature column any
 * unit has; a cell is empty where the unit has no value at that instant.
 *
 * danfojs is loaded here and only here: it is big (about a second to load)
 * and pulls in TensorFlow.js, which nothing else in Vigil needs.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import type { FeatureTable } from "./features.js";

/** Rows per data frame while writing. */
const CHUNK_ROWS = 5_000;

/** `20260102T030405Z`: sorts by time, no characters a file system minds. */
export function fileStamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** `{source}_processed_{timestamp}_{original_name}.csv`, the original name without its .csv. */
export function processedFileName(source: string, stamp: string, fileStem: string): string {
  return `${source}_processed_${stamp}_${fileStem}.csv`;
}

/** Writes the tables to `file`; returns the number of data rows written. */
export async function writeProcessedCsv(file: string, tables: readonly FeatureTable[]): Promise<number> {
  const { DataFrame, toCSV } = await import("danfojs-node");
  const names = unionOfColumns(tables);
  const columns = ["timestamp", "unit", ...names];
  const out = createWriteStream(path.resolve(file), { encoding: "utf8" });
  const closed = once(out, "close");
  let rows = 0;
  try {
    out.write(`${columns.join(",")}\n`);
    for (const table of tables) {
      const cells = names.map((name) => table.columns.get(name));
      for (let from = 0; from < table.ts.length; from += CHUNK_ROWS) {
        const to = Math.min(from + CHUNK_ROWS, table.ts.length);
        const data: (number | string | null)[][] = [];
        for (let r = from; r < to; r++) {
          const row: (number | string | null)[] = [new Date(table.ts[r] as number).toISOString(), table.unit];
          // danfojs writes NaN as "NaN" but null as an empty cell.
          for (const c of cells) row.push(c === undefined || Number.isNaN(c[r]) ? null : (c[r] as number));
          data.push(row);
        }
        // Row arrays with explicit columns keep the column order (object keys that look like numbers would not).
        if (!out.write(toCSV(new DataFrame(data, { columns }), { header: false }))) await once(out, "drain");
        rows += to - from;
      }
    }
  } finally {
    out.end();
    await closed;
  }
  return rows;
}

function unionOfColumns(tables: readonly FeatureTable[]): string[] {
  const names = new Set<string>();
  for (const t of tables) for (const name of t.columns.keys()) names.add(name);
  return [...names];
}
