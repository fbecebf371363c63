/**
 * The header conventions shared by the formats: which column holds the
 * timestamp, which names a unit, and the file-level error when a header does
 * not fit the format at all (nothing in the file can be imported then).
 */
import { VigilError } from "../../../runtime/errors.js";
import { splitCsvLine } from "../csv-line.js";
import { sensorIdOf } from "../columns.js";

export const TIMESTAMP_COLUMNS = ["timestamp", "time", "datetime", "date_time", "time_stamp", "ts"];
export const UNIT_COLUMNS = ["unit", "unit_id", "meter_id", "station_id", "site_id", "device_id"];

export interface Header {
  /** As written in the file. */
  readonly names: string[];
  /** Each name as a sensor id (undefined when it cannot be one). */
  readonly ids: (string | undefined)[];
}

export function readHeader(line: string | undefined, lineNumber: number, what: string): Header {
  if (line === undefined) throw fileInvalid(`no ${what} on line ${lineNumber}: the file ends before it`);
  const split = splitCsvLine(line);
  if (!split.ok) throw fileInvalid(`${what} on line ${lineNumber}: ${split.detail}`);
  const names = split.fields.map((f) => f.trim());
  return { names, ids: names.map(sensorIdOf) };
}

/** Index of the first header whose id is one of `candidates` (in the candidates' order of preference), or -1. */
export function findColumn(header: Header, candidates: readonly string[]): number {
  for (const c of candidates) {
    const i = header.ids.indexOf(c);
    if (i >= 0) return i;
  }
  return -1;
}

export function fileInvalid(message: string): VigilError {
  return new VigilError("VIGIL_IMPORT_FILE_INVALID", message);
}
