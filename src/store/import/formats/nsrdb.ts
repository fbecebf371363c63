/**
 * NSRDB solar data (the PSM CSV downloads): line 1 names the site's metadata
 * fields, line 2 holds their values (Latitude, Longitude, Time Zone,
 * Elevation, ...), line 3 is the header — Year, Month, Day, Hour, Minute,
 * then the measurements (GHI, DNI, DHI, Temperature, Relative Humidity, Wind
 * Speed, ...) — and data follows from line 4.
 *
 * Date columns are in the zone the metadata's "Time Zone" names (0 for UTC
 * downloads), so a row's instant is its calendar time minus that offset.
 * "Fill Flag" is not a measurement: a non-zero flag means NSRDB filled the
 * row in, so its readings are imported as UNCERTAIN. The unit is --unit, or
 * the file name.
 */
import { splitCsvLine } from "../csv-line.js";
import { sensorIdOf, unitIdOfFile } from "../columns.js";
import { GOOD, UNCERTAIN } from "../series.js";
import { utc } from "../timestamps.js";
import { fileInvalid, readHeader } from "./header.js";
import type { FormatParser, ParseContext, ParsedFile, SiteInfo } from "./types.js";
import { readWideRows, type SensorColumn } from "./wide-rows.js";

const DATE_COLUMNS = ["year", "month", "day", "hour", "minute"] as const;
const NOT_SENSORS = new Set<string>([...DATE_COLUMNS, "second", "fill_flag"]);

/** True when the lines look like an NSRDB download. */
export function looksLikeNsrdb(lines: readonly string[]): boolean {
  const first = lines[0] === undefined ? undefined : splitCsvLine(lines[0]);
  const third = lines[2] === undefined ? undefined : splitCsvLine(lines[2]);
  if (first?.ok !== true || third?.ok !== true) return false;
  const ids = third.fields.map((f) => sensorIdOf(f));
  return sensorIdOf(first.fields[0] ?? "") === "source" && DATE_COLUMNS.every((c) => ids.includes(c));
}

export const nsrdb: FormatParser = {
  format: "nsrdb",
  parse(ctx: ParseContext): ParsedFile {
    const metaNames = readHeader(ctx.lines[0], 1, "metadata names");
    const metaValues = readHeader(ctx.lines[1], 2, "metadata values");
    const meta = new Map<string, string>();
    metaNames.ids.forEach((id, i) => {
      if (id !== undefined) meta.set(id, metaValues.names[i] ?? "");
    });
    const site = siteOf(meta);
    const header = readHeader(ctx.lines[2], 3, "header");
    const at = DATE_COLUMNS.map((c) => header.ids.indexOf(c));
    const missing = DATE_COLUMNS.filter((_, i) => at[i] === -1);
    if (missing.length > 0) throw fileInvalid(`NSRDB header on line 3 lacks ${missing.join(", ")}`);
    const [year, month, day, hour, minute] = at as [number, number, number, number, number];
    const fillFlag = header.ids.indexOf("fill_flag");
    const sensors: SensorColumn[] = [];
    header.ids.forEach((id, index) => {
      if (id !== undefined && !NOT_SENSORS.has(id)) sensors.push({ index, column: header.names[index] as string, sensor: id });
    });
    const unit = ctx.unit ?? unitIdOfFile(ctx.fileStem);
    if (unit === undefined) throw fileInvalid(`no unit id: the file name "${ctx.fileStem}" has no letters or digits; pass --unit`);
    const zoneMs = Math.round(numberOr(meta.get("time_zone"), 0) * 3_600_000);
    const rowsRead = readWideRows(ctx, {
      header,
      firstData: 3,
      sensors,
      timestamp(fields) {
        const parts = [year, month, day, hour, minute].map((i) => (fields[i] as string).trim());
        const t = parts.every((p) => /^\d+$/.test(p)) ? utc(...(parts.map(Number) as [number, number, number, number, number])) : undefined;
        if (t === undefined) return { ok: false, column: "Year..Minute", detail: `${parts.join("-")} is not a date and time` };
        return { ok: true, value: t - zoneMs };
      },
      unit: () => ({ ok: true, value: unit }),
      quality: fillFlag < 0 ? undefined : (fields) => (numberOr(fields[fillFlag], 0) === 0 ? GOOD : UNCERTAIN),
    });
    return { format: "nsrdb", rowsRead, site };
  },
};

function siteOf(meta: ReadonlyMap<string, string>): SiteInfo {
  const latitude = numberOr(meta.get("latitude"), Number.NaN);
  const longitude = numberOr(meta.get("longitude"), Number.NaN);
  const elevation = numberOr(meta.get("elevation"), Number.NaN);
  const site: SiteInfo = {
    // Local standard time for time-of-day features; the data's own zone when the file does not say.
    utcOffsetHours: numberOr(meta.get("local_time_zone"), numberOr(meta.get("time_zone"), 0)),
  };
  if (Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) {
    site.latitude = latitude;
    site.longitude = longitude;
  }
  if (Number.isFinite(elevation)) site.elevationM = elevation;
  return site;
}

function numberOr(text: string | undefined, fallback: number): number {
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  return Number.isFinite(n) ? n : fallback;
}
