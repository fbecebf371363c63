/**
 * Bad rows in a CSV: each problem reported with its line, column and
 * reason, counted per reason, and every good value still imported;
 * --no-validate keeps what is only implausible; outliers are flagged, not
 * removed.
 */
import { describe, expect, it } from "vitest";
import { fixture, processed, readingsOf, useTempDirs, vibrationWithSpike, writeCsv } from "./helpers.js";

const tempDir = useTempDirs();

const METER_HEADER = "timestamp,active_power_kw,voltage_v,frequency_hz";

function malformedMeter(): string {
  return writeCsv(tempDir(), "feeder.csv", [
    METER_HEADER,
    "2024-03-04T00:00:00Z,50.5,400.1,50.01", // line 2: good
    "2024-03-04T00:15:00Z,51.0,abc,50.00", // line 3: voltage not a number
    "yesterday,52.0,400.0,50.02", // line 4: no timestamp: the whole row
    "2024-03-04T00:45:00Z,NaN,401.0,49.99", // line 5: NaN power
    "2024-03-04T01:00:00Z,53.0,402.0", // line 6: a field short
    "2024-03-04T01:15:00Z,54.0,-3,50.00", // line 7: negative voltage
    "2024-03-04T01:30:00Z,55.0,399.0,112", // line 8: frequency out of range
    "2024-03-04T00:00:00Z,56.0,398.0,50.00", // line 9: the timestamp of line 2 again
    "2024-03-04T01:45:00Z,,400.5,50.03", // line 10: empty power
    '2024-03-04T02:00:00Z,"57.5",400.2,50.01', // line 11: good, quoted
    "2099-01-01T00:00:00Z,58.0,400.0,50.00", // line 12: far in the future
    '2024-03-04T02:15:00Z,"59,400.0,50.00', // line 13: unterminated quote
  ]);
}

describe("import validation", () => {
  it("reports each malformed row with its file line, column and reason", async () => {
    const file = await processed(malformedMeter());
    expect(file.issues).toEqual([
      { line: 3, column: "voltage_v", reason: "not_a_number", detail: '"abc" is not a number' },
      { line: 4, column: "timestamp", reason: "invalid_timestamp", detail: '"yesterday" is not a timestamp' },
      { line: 5, column: "active_power_kw", reason: "not_finite", detail: "NaN is not a finite number" },
      { line: 6, column: null, reason: "malformed_row", detail: "3 fields, the header has 4" },
      { line: 7, column: "voltage_v", reason: "out_of_range", detail: "-3 V is below the physical minimum 0 V" },
      { line: 8, column: "frequency_hz", reason: "out_of_range", detail: "112 Hz is above the physical maximum 70 Hz" },
      { line: 9, column: null, reason: "duplicate_timestamp", detail: "feeder already has a row at 2024-03-04T00:00:00.000Z" },
      { line: 12, column: null, reason: "timestamp_out_of_range", detail: "2099-01-01T00:00:00.000Z is more than a day in the future" },
      { line: 13, column: null, reason: "malformed_row", detail: "unterminated quoted field starting at character 22" },
    ]);
    expect(file.issuesTotal).toBe(9);
  });

  it("counts removed readings per reason: a bad row loses all its readings, a bad cell only its own", async () => {
    const file = await processed(malformedMeter());
    expect(file.rowsRead).toBe(12);
    expect(file.readingsRead).toBe(36);
    expect(file.removed).toEqual({
      not_a_number: 1,
      invalid_timestamp: 3,
      not_finite: 1,
      malformed_row: 6,
      out_of_range: 2,
      duplicate_timestamp: 3,
      missing_value: 1,
      timestamp_out_of_range: 3,
    });
    expect(file.readingsKept).toBe(36 - 20);
  });

  it("imports every good value of a file with bad rows", async () => {
    const file = await processed(malformedMeter());
    const power = readingsOf(file).filter((r) => r.sensor === "active_power_kw");
    expect(power.map((r) => [new Date(r.ts).toISOString().slice(11, 16), r.value])).toEqual([
      ["00:00", 50.5],
      ["00:15", 51],
      ["01:15", 54],
      ["01:30", 55],
      ["02:00", 57.5],
    ]);
    const voltage = readingsOf(file).filter((r) => r.sensor === "voltage_v");
    expect(voltage.map((r) => r.value)).toEqual([400.1, 401, 399, 400.5, 400.2]);
  });

  it("keeps out-of-range values with --no-validate but still drops what cannot be stored", async () => {
    const file = await processed(malformedMeter(), { validate: false });
    expect(file.removed.out_of_range).toBeUndefined();
    const values = readingsOf(file);
    expect(values.find((r) => r.sensor === "voltage_v" && r.ts === Date.UTC(2024, 2, 4, 1, 15))?.value).toBe(-3);
    expect(values.find((r) => r.sensor === "frequency_hz" && r.ts === Date.UTC(2024, 2, 4, 1, 30))?.value).toBe(112);
    expect(file.removed).toMatchObject({ not_a_number: 1, invalid_timestamp: 3, not_finite: 1, malformed_row: 6, duplicate_timestamp: 3 });
    expect(file.readingsKept).toBe(36 - 18);
  });

  it("refuses long-format rows with bad ids or qualities, one issue per row", async () => {
    const path = writeCsv(tempDir(), "plant.csv", [
      "timestamp,unit,sensor,value,quality",
      "2024-03-04T00:00:00Z,UNIT001,temperature,21.5,GOOD",
      "2024-03-04T00:00:00Z,UNIT 1,temperature,21.5,GOOD",
      "2024-03-04T00:00:00Z,UNIT001,temp/erature,21.5,GOOD",
      "2024-03-04T00:00:00Z,UNIT001,pressure,4.1,SO-SO",
      "2024-03-04T00:00:00Z,UNIT001,temperature,22.0,GOOD",
      "2024-03-04T00:05:00Z,UNIT001,pressure,4.2,bad",
    ]);
    const file = await processed(path);
    expect(file.issues.map((i) => [i.line, i.column, i.reason])).toEqual([
      [3, "unit", "invalid_id"],
      [4, "sensor", "invalid_id"],
      [5, "quality", "invalid_quality"],
      [6, "value", "duplicate_timestamp"],
    ]);
    expect(readingsOf(file)).toEqual([
      { unit: "UNIT001", sensor: "pressure", ts: Date.UTC(2024, 2, 4, 0, 5), value: 4.2, quality: "BAD" },
      { unit: "UNIT001", sensor: "temperature", ts: Date.UTC(2024, 2, 4), value: 21.5, quality: "GOOD" },
    ]);
  });

  it("keeps the earliest line of a duplicated long-format reading even when the file is out of time order", async () => {
    const path = writeCsv(tempDir(), "plant.csv", [
      "timestamp,unit,sensor,value",
      "2024-03-04T00:10:00Z,UNIT001,flow_rate,120",
      "2024-03-04T00:00:00Z,UNIT001,flow_rate,100",
      "2024-03-04T00:05:00Z,UNIT001,flow_rate,110",
      "2024-03-04T00:00:00Z,UNIT001,flow_rate,999",
    ]);
    const file = await processed(path);
    expect(file.issues).toEqual([{ line: 5, column: "value", reason: "duplicate_timestamp", detail: "UNIT001/flow_rate already has a value at 2024-03-04T00:00:00.000Z (line 3)" }]);
    expect(readingsOf(file).map((r) => r.value)).toEqual([100, 110, 120]);
  });

  it("gives long-format sensors no physical range: a plant's 4 bar pressure is not air pressure", async () => {
    const path = writeCsv(tempDir(), "plant.csv", ["timestamp,unit,sensor,value", "2024-03-04T00:00:00Z,UNIT001,pressure,4.2", "2024-03-04T00:00:00Z,UNIT001,temperature,95"]);
    const file = await processed(path);
    expect(file.removed).toEqual({});
    expect(file.readingsKept).toBe(2);
  });

  it("flags values beyond Tukey's far-out fences as UNCERTAIN outliers and keeps them", async () => {
    const file = await processed(vibrationWithSpike(tempDir()));
    expect(file.outliersFlagged).toBe(1);
    const readings = readingsOf(file);
    expect(readings).toHaveLength(41);
    expect(readings.filter((r) => r.quality === "UNCERTAIN").map((r) => r.value)).toEqual([9.5]);
  });

  it("flags no outliers with --no-validate", async () => {
    const file = await processed(vibrationWithSpike(tempDir()), { validate: false });
    expect(file.outliersFlagged).toBe(0);
    expect(readingsOf(file).every((r) => r.quality === "GOOD")).toBe(true);
  });

  it("leaves irradiance alone when looking for outliers, since every noon would stand out against the nights", async () => {
    const file = await processed(fixture("nsrdb_golden_2019.csv"));
    const ghi = file.series.find((s) => s.sensor === "ghi");
    // GHI runs from 0 at night to about 990 at noon; only the two fill-flagged rows are UNCERTAIN.
    expect(ghi?.value.filter((v) => v === 0).length).toBeGreaterThan(30);
    expect(ghi?.quality.filter((q) => q !== 0)).toHaveLength(2);
    expect(file.outliersFlagged).toBe(0);
  });
});
