/**
 * Label files: `vigil import` of a CSV with the columns unit, sensor
 * (optional; empty: the whole unit), from, to and label — intervals the
 * trainers join to readings (src/actors/trainer/labels.ts: `fault`,
 * `normal`, a scenario kind, `state:<STATE>`, `failure`, …). Told apart from
 * reading files by that header; stored as label rows of source `import`.
 * Small files: read whole, in this thread.
 */
import { open, readFile } from "node:fs/promises";
import type { HistoryStore, LabelRow } from "../history-store.js";
import { fileLines, splitCsvLine } from "./csv-line.js";
import { readHeader } from "./formats/header.js";
import { addCounts, type RemovedCounts } from "./issues.js";
import { parseTimestamp } from "./timestamps.js";

export const LABEL_COLUMNS = ["unit", "from", "to", "label"] as const;
export const LABEL_SOURCE = "import";
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LABEL = 64;

/** True when the file's header names unit, from, to and label (the first 4 KiB are enough for a header). */
export async function isLabelsFile(file: string): Promise<boolean> {
  const handle = await open(file, "r").catch(() => undefined);
  if (handle === undefined) return false; // the reading path reports the error
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead).toString("utf8").split(/\r?\n/)[0];
    const ids = readHeader(first, 1, "header").ids;
    return LABEL_COLUMNS.every((c) => ids.includes(c));
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

export interface LabelsRead {
  readonly rows: LabelRow[];
  readonly rowsRead: number;
  readonly removed: RemovedCounts;
}

/** Parses a label file; a row that does not fit (bad id, timestamp, `to` not after `from`, empty label) is counted and left out. */
export function parseLabels(text: string): LabelsRead {
  const lines = fileLines(text);
  const header = readHeader(lines[0], 1, "header");
  const col = (name: string): number => header.ids.indexOf(name);
  const [unitAt, sensorAt, fromAt, toAt, labelAt] = [col("unit"), col("sensor"), col("from"), col("to"), col("label")];
  const rows: LabelRow[] = [];
  const removed: RemovedCounts = {};
  let rowsRead = 0;
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    rowsRead++;
    const split = splitCsvLine(line);
    if (!split.ok || split.fields.length !== header.names.length) {
      addCounts(removed, { malformed_row: 1 });
      continue;
    }
    const f = split.fields.map((v) => v.trim());
    const unit = f[unitAt] ?? "";
    const sensor = sensorAt < 0 ? "" : (f[sensorAt] ?? "");
    if (!ID.test(unit) || (sensor !== "" && !ID.test(sensor))) {
      addCounts(removed, { invalid_id: 1 });
      continue;
    }
    const from = parseTimestamp(f[fromAt] ?? "");
    const to = parseTimestamp(f[toAt] ?? "");
    if (from === undefined || to === undefined || to <= from) {
      addCounts(removed, { invalid_timestamp: 1 });
      continue;
    }
    const label = f[labelAt] ?? "";
    if (label === "" || label.length > MAX_LABEL) {
      addCounts(removed, { missing_value: 1 });
      continue;
    }
    rows.push({ unit, sensor: sensor === "" ? null : sensor, from, to, label, source: LABEL_SOURCE });
  }
  return { rows, rowsRead, removed };
}

/** Reads a label file and stores its rows (none without a store); returns what was read. */
export async function importLabels(file: string, store: HistoryStore | undefined): Promise<LabelsRead> {
  const read = parseLabels(await readFile(file, "utf8"));
  if (store !== undefined && read.rows.length > 0) await store.insertLabels(read.rows);
  return read;
}
