/**
 * Engineered features in the processed CSV: its name and layout, time of
 * day and week, rolling statistics from the one feature definition in
 * src/ml/features, and the solar features (sun position, Haurwitz clear sky,
 * clear-sky index, capacity-normalised power).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { featureRows } from "../../../src/ml/index.js";
import { IMPORT_FEATURE_SPEC } from "../../../src/store/import/features.js";
import { fileStamp, processedFileName } from "../../../src/store/import/processed-csv.js";
import { haurwitzGhi, solarZenithDeg } from "../../../src/store/import/solar.js";
import { fixture, processed, useTempDirs, vibrationWithSpike, writeCsv } from "./helpers.js";

const tempDir = useTempDirs();

/** The processed CSV as header + rows of cells (our output never needs quoting). */
function readProcessed(file: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = readFileSync(file, "utf8").trimEnd().split("\n");
  const header = (head as string).split(",");
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i] as string, v]))) };
}

const num = (cell: string | undefined): number => (cell === undefined || cell === "" ? Number.NaN : Number(cell));

describe("solar position and clear sky", () => {
  it("puts the noon sun at latitude − 23.44° from the zenith on the June solstice", () => {
    let lowest = 180;
    for (let m = 0; m < 24 * 60; m++) lowest = Math.min(lowest, solarZenithDeg(Date.UTC(2019, 5, 21) + m * 60_000, 39.73, -105.18));
    expect(lowest).toBeGreaterThan(39.73 - 23.44 - 0.3);
    expect(lowest).toBeLessThan(39.73 - 23.44 + 0.3);
  });

  it("puts the noon sun at the latitude from the zenith at the March equinox, at about 12:00 local solar time", () => {
    let lowest = 180;
    let at = 0;
    for (let m = 0; m < 24 * 60; m++) {
      const z = solarZenithDeg(Date.UTC(2019, 2, 20) + m * 60_000, 0, 0);
      if (z < lowest) [lowest, at] = [z, m];
    }
    expect(Math.abs(lowest)).toBeLessThan(0.5);
    // The equation of time is about −7.5 minutes on 20 March: solar noon at 12:07 UTC on the prime meridian.
    expect(at).toBeGreaterThanOrEqual(12 * 60 + 5);
    expect(at).toBeLessThanOrEqual(12 * 60 + 10);
  });

  it("computes Haurwitz clear-sky GHI: 1098·cos z·exp(−0.057/cos z), 0 below the horizon", () => {
    expect(haurwitzGhi(0)).toBeCloseTo(1098 * Math.exp(-0.057), 9);
    expect(haurwitzGhi(60)).toBeCloseTo(549 * Math.exp(-0.114), 9);
    expect(haurwitzGhi(90)).toBe(0);
    expect(haurwitzGhi(120)).toBe(0);
  });
});

// The first processed CSV loads danfojs (and TensorFlow.js), seconds on a busy machine.
describe("processed CSV", { timeout: 120_000 }, () => {
  it("is named {source}_processed_{timestamp}_{original_name}.csv", () => {
    expect(fileStamp(Date.UTC(2026, 10, 23, 22, 5, 9, 120))).toBe("20261123T220509Z");
    expect(processedFileName("nsrdb", "20261123T220509Z", "denver_2019")).toBe("nsrdb_processed_20261123T220509Z_denver_2019.csv");
  });

  it("is written to --output-dir with one row per unit and instant, timestamp and unit first", async () => {
    const out = tempDir();
    const file = await processed(fixture("nsrdb_golden_2019.csv"), { outputDir: out });
    expect(readdirSync(out)).toEqual(["nsrdb_processed_20260101T000000Z_nsrdb_golden_2019.csv"]);
    expect(file.processedCsv).toBe(join(out, "nsrdb_processed_20260101T000000Z_nsrdb_golden_2019.csv"));
    const { header, rows } = readProcessed(file.processedCsv as string);
    expect(header.slice(0, 8)).toEqual(["timestamp", "unit", "hour_of_day", "hour_sin", "hour_cos", "day_of_week", "dow_sin", "dow_cos"]);
    expect(rows).toHaveLength(96);
    expect(rows[0]).toMatchObject({ timestamp: "2019-06-20T00:00:00.000Z", unit: "nsrdb_golden_2019", ghi: "418", temperature: "26.6" });
  });

  it("gives time of day in the site's local standard time as angles, and the ISO day of week", async () => {
    const file = await processed(fixture("nsrdb_golden_2019.csv"), { outputDir: tempDir() });
    const { rows } = readProcessed(file.processedCsv as string);
    const noonLocal = rows.find((r) => r["timestamp"] === "2019-06-20T19:00:00.000Z") as Record<string, string>; // UTC−7: 12:00
    expect(num(noonLocal["hour_of_day"])).toBe(12);
    expect(num(noonLocal["hour_sin"])).toBeCloseTo(0, 12);
    expect(num(noonLocal["hour_cos"])).toBeCloseTo(-1, 12);
    expect(num(noonLocal["day_of_week"])).toBe(3); // Thursday 20 June 2019; Monday is 0
  });

  it("has each sensor's rolling features exactly as src/ml/features computes them over the same readings", async () => {
    const file = await processed(fixture("nsrdb_golden_2019.csv"), { outputDir: tempDir() });
    const { rows } = readProcessed(file.processedCsv as string);
    const temperature = file.series.find((s) => s.sensor === "temperature");
    if (temperature === undefined) throw new Error("no temperature series");
    const expected = featureRows(IMPORT_FEATURE_SPEC, temperature.ts, temperature.value);
    expect(expected.names).toEqual(["t86400s_mean", "t86400s_std", "t86400s_min", "t86400s_max", "t86400s_slope", "t86400s_zscore", "ewma", "rate_of_change"]);
    for (let k = 0; k < expected.rows; k++) {
      const row = rows[k] as Record<string, string>;
      expected.names.forEach((name, j) => expect(num(row[`temperature_${name}`])).toBe(expected.data[k * expected.names.length + j]));
    }
  });

  it("adds the sun's zenith, Haurwitz clear-sky GHI and the clear-sky index where the clear sky gives at least 50 W/m²", async () => {
    const file = await processed(fixture("nsrdb_golden_2019.csv"), { outputDir: tempDir() });
    const { rows } = readProcessed(file.processedCsv as string);
    for (const r of rows) {
      const ts = Date.parse(r["timestamp"] as string);
      const zenith = solarZenithDeg(ts, 39.73, -105.18);
      expect(num(r["solar_zenith_deg"])).toBeCloseTo(zenith, 9);
      expect(num(r["clear_sky_ghi"])).toBeCloseTo(haurwitzGhi(zenith), 9);
      const cs = haurwitzGhi(zenith);
      if (cs >= 50) expect(num(r["clear_sky_index"])).toBeCloseTo(num(r["ghi"]) / cs, 9);
      else expect(r["clear_sky_index"]).toBe("");
    }
    // The fixture's cloudy hours (21 June, 19:00–21:59 UTC) read well below the clear sky.
    const cloudy = rows.find((r) => r["timestamp"] === "2019-06-21T20:00:00.000Z") as Record<string, string>;
    expect(num(cloudy["clear_sky_index"])).toBeLessThan(0.6);
  });

  it("adds capacity-normalised power with --capacity: expected and clear-sky power from irradiance, capacity factor from measured power", async () => {
    const solar = await processed(fixture("nsrdb_golden_2019.csv"), { outputDir: tempDir(), capacityKw: 250 });
    const { rows } = readProcessed(solar.processedCsv as string);
    const noon = rows.find((r) => r["timestamp"] === "2019-06-20T19:00:00.000Z") as Record<string, string>;
    expect(num(noon["expected_power_kw"])).toBeCloseTo((250 * num(noon["ghi"])) / 1000, 9);
    expect(num(noon["clear_sky_power_kw"])).toBeCloseTo((250 * num(noon["clear_sky_ghi"])) / 1000, 9);
    const meter = await processed(fixture("meter_feeder.csv"), { outputDir: tempDir(), capacityKw: 100 });
    const first = readProcessed(meter.processedCsv as string).rows[0] as Record<string, string>;
    expect(num(first["capacity_factor"])).toBeCloseTo(30.75 / 100, 12);
  });

  it("has no capacity columns without --capacity", async () => {
    const file = await processed(fixture("nsrdb_golden_2019.csv"), { outputDir: tempDir() });
    const { header } = readProcessed(file.processedCsv as string);
    expect(header.filter((h) => /power|capacity/.test(h))).toEqual([]);
  });

  it("leaves a cell empty where a unit has no value of a sensor at that instant", async () => {
    const path = writeCsv(tempDir(), "plant.csv", [
      "timestamp,unit,sensor,value",
      "2024-03-04T00:00:00Z,UNIT001,temperature,21.5",
      "2024-03-04T00:00:00Z,UNIT001,pressure,4.1",
      "2024-03-04T00:01:00Z,UNIT001,temperature,21.7",
      "2024-03-04T00:00:30Z,UNIT002,pressure,3.9",
    ]);
    const file = await processed(path, { outputDir: tempDir() });
    const { rows } = readProcessed(file.processedCsv as string);
    expect(rows.map((r) => [r["timestamp"], r["unit"], r["temperature"], r["pressure"]])).toEqual([
      ["2024-03-04T00:00:00.000Z", "UNIT001", "21.5", "4.1"],
      ["2024-03-04T00:01:00.000Z", "UNIT001", "21.7", ""],
      ["2024-03-04T00:00:30.000Z", "UNIT002", "", "3.9"],
    ]);
  });

  it("marks flagged outliers in <sensor>_outlier and leaves the column out with --no-validate", async () => {
    const path = vibrationWithSpike(tempDir());
    const flagged = readProcessed((await processed(path, { outputDir: tempDir() })).processedCsv as string).rows;
    expect(flagged.filter((r) => r["vibration_outlier"] === "1").map((r) => r["vibration"])).toEqual(["9.5"]);
    const unvalidated = readProcessed((await processed(path, { outputDir: tempDir(), validate: false })).processedCsv as string);
    expect(unvalidated.header).not.toContain("vibration_outlier");
  });

  it("writes the rejected rows to {source}_errors_{timestamp}_{original_name}.csv next to it", async () => {
    const out = tempDir();
    const path = writeCsv(tempDir(), "feeder.csv", ["timestamp,voltage_v", "2024-03-04T00:00:00Z,400", "soon,401", '2024-03-04T00:02:00Z,"4,02"']);
    const file = await processed(path, { outputDir: out });
    expect(readdirSync(out).sort()).toEqual(["meter_errors_20260101T000000Z_feeder.csv", "meter_processed_20260101T000000Z_feeder.csv"]);
    expect(readFileSync(file.errorsCsv as string, "utf8")).toBe(
      ["file,line,column,reason,detail", `${path},3,timestamp,invalid_timestamp,"""soon"" is not a timestamp"`, `${path},4,voltage_v,not_a_number,"""4,02"" is not a number"`, ""].join("\n"),
    );
  });
});
