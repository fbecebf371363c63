/**
 * The generic long format: one reading per row — timestamp, unit, sensor,
 * value and optionally quality (GOOD, UNCERTAIN or BAD; empty is GOOD).
 * Ids are data here, not headers, so an id that is not [A-Za-z0-9_-]{1,64}
 * is refused rather than rewritten. --unit does not apply.
 */
import { ID_PATTERN, QUALITIES, type ReadingQuality } from "../../../actors/readings/reading.js";
import { splitCsvLine } from "../csv-line.js";
import { parseTimestamp } from "../timestamps.js";
import { fileInvalid, findColumn, readHeader, TIMESTAMP_COLUMNS } from "./header.js";
import type { FormatParser, ParseContext, ParsedFile } from "./types.js";
import { timestampRangeProblem } from "./wide-rows.js";

export const LONG_COLUMNS = ["unit", "sensor", "value"];

export const long: FormatParser = {
  format: "long",
  parse(ctx: ParseContext): ParsedFile {
    const header = readHeader(ctx.lines[0], 1, "header");
    const at = {
      ts: findColumn(header, TIMESTAMP_COLUMNS),
      unit: findColumn(header, ["unit", "unit_id"]),
      sensor: findColumn(header, ["sensor", "sensor_id"]),
      value: findColumn(header, ["value"]),
      quality: findColumn(header, ["quality"]),
    };
    const missing = Object.entries(at).filter(([k, i]) => k !== "quality" && i < 0).map(([k]) => (k === "ts" ? "timestamp" : k));
    if (missing.length > 0) throw fileInvalid(`long-format header on line 1 lacks ${missing.join(", ")}; it has ${header.names.join(", ")}`);
    const { lines, issues, collector } = ctx;
    const width = header.names.length;
    const valueColumn = header.names[at.value] as string;
    let rowsRead = 0;
    for (let i = 1; i < lines.length; i++) {
      const text = lines[i] as string;
      if (text.trim() === "") continue;
      rowsRead++;
      const line = i + 1;
      const fail = (reason: "malformed_row" | "invalid_timestamp" | "timestamp_out_of_range" | "invalid_id" | "invalid_quality", column: string | null, detail: string): void => {
        collector.readingsRead++;
        issues.add({ line, column, reason, detail });
      };
      const split = splitCsvLine(text);
      if (!split.ok) {
        fail("malformed_row", null, split.detail);
        continue;
      }
      const f = split.fields;
      if (f.length !== width) {
        fail("malformed_row", null, `${f.length} fields, the header has ${width}`);
        continue;
      }
      const tsText = f[at.ts] as string;
      const ts = parseTimestamp(tsText);
      if (ts === undefined) {
        fail("invalid_timestamp", header.names[at.ts] as string, `${JSON.stringify(tsText)} is not a timestamp`);
        continue;
      }
      const range = timestampRangeProblem(ts, ctx.now);
      if (range !== undefined) {
        fail("timestamp_out_of_range", header.names[at.ts] as string, range);
        continue;
      }
      const unit = (f[at.unit] as string).trim();
      const sensor = (f[at.sensor] as string).trim();
      const badId = !ID_PATTERN.test(unit) ? ["unit", unit] : !ID_PATTERN.test(sensor) ? ["sensor", sensor] : undefined;
      if (badId !== undefined) {
        fail("invalid_id", header.names[badId[0] === "unit" ? at.unit : at.sensor] as string, `${JSON.stringify(badId[1])} is not a ${badId[0]} id ([A-Za-z0-9_-], 1 to 64)`);
        continue;
      }
      const quality = at.quality < 0 ? 0 : qualityCode(f[at.quality] as string);
      if (quality === undefined) {
        fail("invalid_quality", header.names[at.quality] as string, `${JSON.stringify(f[at.quality])} is not GOOD, UNCERTAIN or BAD`);
        continue;
      }
      collector.add(line, unit, sensor, valueColumn, ts, f[at.value] as string, quality);
    }
    return { format: "long", rowsRead, site: { utcOffsetHours: 0 } };
  },
};

function qualityCode(text: string): number | undefined {
  const q = text.trim().toUpperCase();
  if (q === "") return 0;
  const i = QUALITIES.indexOf(q as ReadingQuality);
  return i < 0 ? undefined : i;
}
