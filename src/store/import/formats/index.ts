/**
 * The CSV formats import reads, and recognising them by their header when
 * the user says --format auto.
 */
import { findColumn, readHeader, TIMESTAMP_COLUMNS } from "./header.js";
import { long, LONG_COLUMNS } from "./long.js";
import { looksLikeNsrdb, nsrdb } from "./nsrdb.js";
import type { FormatParser, ImportFormat } from "./types.js";
import { meter, METER_COLUMNS, weather, WEATHER_COLUMNS, wide } from "./wide.js";

export { IMPORT_FORMATS } from "./types.js";
export type { FormatChoice, ImportFormat, ParseContext, ParsedFile, SiteInfo } from "./types.js";

export const PARSERS: Readonly<Record<ImportFormat, FormatParser>> = { nsrdb, meter, weather, wide, long };

/**
 * The format of a file from its first lines: NSRDB by its metadata rows and
 * date columns; long by timestamp, unit, sensor and value; meter or weather
 * by any of their typical columns; any other file with a timestamp column is
 * wide. Undefined when not even a timestamp column is there.
 */
export function detectFormat(lines: readonly string[]): ImportFormat | undefined {
  if (looksLikeNsrdb(lines)) return "nsrdb";
  let header;
  try {
    header = readHeader(lines[0], 1, "header");
  } catch {
    return undefined;
  }
  if (findColumn(header, TIMESTAMP_COLUMNS) < 0) return undefined;
  if (LONG_COLUMNS.every((c) => header.ids.includes(c))) return "long";
  if (METER_COLUMNS.some((c) => header.ids.includes(c))) return "meter";
  if (WEATHER_COLUMNS.some((c) => header.ids.includes(c))) return "weather";
  return "wide";
}
