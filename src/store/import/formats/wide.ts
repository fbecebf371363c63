/**
 * Timestamped wide files: meter data (timestamp, active_power_kw,
 * reactive_power_kvar, voltage_v, current_a, frequency_hz, ...), weather
 * data (timestamp, temperature_c, humidity_percent, wind_speed_ms,
 * pressure_mb, cloud_cover_percent, ...) and any other "timestamp, then one
 * numeric column per sensor" file. They differ only in the columns that
 * identify them and in the physical ranges their columns get (columns.ts).
 *
 * The unit of a row is --unit when given, else the row's unit column (unit,
 * meter_id, station_id, ...), else the file name.
 */
import { ID_PATTERN } from "../../../actors/readings/reading.js";
import { unitIdOfFile } from "../columns.js";
import { parseTimestamp } from "../timestamps.js";
import { fileInvalid, findColumn, readHeader, TIMESTAMP_COLUMNS, UNIT_COLUMNS, type Header } from "./header.js";
import type { FormatParser, ImportFormat, ParseContext, ParsedFile } from "./types.js";
import { readWideRows, type SensorColumn } from "./wide-rows.js";

/** Columns that say "this is meter data" (any one of them). */
export const METER_COLUMNS = ["active_power_kw", "reactive_power_kvar", "voltage_v", "current_a", "frequency_hz", "energy_kwh", "power_factor", "apparent_power_kva"];
/** Columns that say "this is weather data" (any one of them). */
export const WEATHER_COLUMNS = ["temperature_c", "humidity_percent", "wind_speed_ms", "pressure_mb", "cloud_cover_percent", "precipitation_mm", "solar_radiation_wm2"];

function wideFormat(format: Exclude<ImportFormat, "nsrdb" | "long">): FormatParser {
  return {
    format,
    parse(ctx: ParseContext): ParsedFile {
      const header = readHeader(ctx.lines[0], 1, "header");
      const tsAt = findColumn(header, TIMESTAMP_COLUMNS);
      if (tsAt < 0) throw fileInvalid(`${format} header on line 1 has no timestamp column (one of ${TIMESTAMP_COLUMNS.join(", ")}); it has ${header.names.join(", ")}`);
      const unitAt = findColumn(header, UNIT_COLUMNS);
      const sensors = sensorColumns(header, [tsAt, unitAt]);
      if (sensors.length === 0) throw fileInvalid(`${format} header on line 1 has no value columns besides the timestamp`);
      const fixedUnit = ctx.unit ?? (unitAt < 0 ? unitIdOfFile(ctx.fileStem) : undefined);
      if (fixedUnit === undefined && unitAt < 0) throw fileInvalid(`no unit id: the file name "${ctx.fileStem}" has no letters or digits; pass --unit`);
      const tsColumn = header.names[tsAt] as string;
      const unitColumn = unitAt < 0 ? "" : (header.names[unitAt] as string);
      const rowsRead = readWideRows(ctx, {
        header,
        firstData: 1,
        sensors,
        timestamp(fields) {
          const text = fields[tsAt] as string;
          const t = parseTimestamp(text);
          return t === undefined ? { ok: false, column: tsColumn, detail: `${JSON.stringify(text)} is not a timestamp` } : { ok: true, value: t };
        },
        unit(fields) {
          if (fixedUnit !== undefined) return { ok: true, value: fixedUnit };
          const id = (fields[unitAt] as string).trim();
          return ID_PATTERN.test(id) ? { ok: true, value: id } : { ok: false, column: unitColumn, detail: `${JSON.stringify(id)} is not a unit id ([A-Za-z0-9_-], 1 to 64)` };
        },
      });
      return { format, rowsRead, site: { utcOffsetHours: 0 } };
    },
  };
}

function sensorColumns(header: Header, skip: readonly number[]): SensorColumn[] {
  const out: SensorColumn[] = [];
  header.ids.forEach((id, index) => {
    if (skip.includes(index)) return;
    if (id === undefined) throw fileInvalid(`header column ${index + 1} (${JSON.stringify(header.names[index])}) cannot be a sensor id`);
    out.push({ index, column: header.names[index] as string, sensor: id });
  });
  return out;
}

export const meter = wideFormat("meter");
export const weather = wideFormat("weather");
export const wide = wideFormat("wide");
