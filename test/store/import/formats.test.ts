/**
 * Each CSV format becomes the right readings: units, sensors, instants,
 * values and qualities, and auto-detection picks the format by the header.
 */
import { describe, expect, it } from "vitest";
import { processFile } from "../../../src/store/import/process-file.js";
import { fixture, processed, readingsOf, task, useTempDirs, writeCsv } from "./helpers.js";

const tempDir = useTempDirs();

describe("import formats", () => {
  it("reads an NSRDB file: metadata rows skipped, one sensor per measurement column, unit from the file name, date columns as UTC", async () => {
    const file = await processed(fixture("nsrdb_golden_2019.csv"));
    expect(file.format).toBe("nsrdb");
    expect(file.rowsRead).toBe(96);
    expect(new Set(file.series.map((s) => s.unit))).toEqual(new Set(["nsrdb_golden_2019"]));
    expect(file.series.map((s) => s.sensor)).toEqual(["temperature", "dhi", "dni", "ghi", "relative_humidity", "solar_zenith_angle", "pressure", "wind_speed"]);
    // Line 40: 2019,6,20,18,0,23.3,117,879,938,31.15,20.88,812,1.3,0
    const at = Date.UTC(2019, 5, 20, 18, 0);
    const row = readingsOf(file).filter((r) => r.ts === at);
    expect(Object.fromEntries(row.map((r) => [r.sensor, r.value]))).toEqual({
      temperature: 23.3,
      dhi: 117,
      dni: 879,
      ghi: 938,
      relative_humidity: 31.15,
      solar_zenith_angle: 20.88,
      pressure: 812,
      wind_speed: 1.3,
    });
    expect(file.site).toEqual({ latitude: 39.73, longitude: -105.18, utcOffsetHours: -7, elevationM: 1828 });
  });

  it("imports the readings of NSRDB rows with a non-zero Fill Flag as UNCERTAIN", async () => {
    const file = await processed(fixture("nsrdb_golden_2019.csv"));
    const filled = readingsOf(file).filter((r) => r.ts === Date.UTC(2019, 5, 20, 3, 0) || r.ts === Date.UTC(2019, 5, 20, 3, 30));
    expect(filled).toHaveLength(16);
    expect(new Set(filled.map((r) => r.quality))).toEqual(new Set(["UNCERTAIN"]));
    expect(readingsOf(file).filter((r) => r.quality === "UNCERTAIN")).toHaveLength(16);
  });

  it("takes the NSRDB unit from --unit and shifts local-time downloads by the metadata's Time Zone", async () => {
    const dir = tempDir();
    const path = writeCsv(dir, "site.csv", [
      "Source,Location ID,Latitude,Longitude,Time Zone,Local Time Zone",
      "NSRDB,1,39.73,-105.18,-7,-7",
      "Year,Month,Day,Hour,Minute,GHI,Temperature",
      "2019,6,20,12,0,990,25.5",
    ]);
    const file = await processed(path, { unit: "SOLAR01" });
    expect(readingsOf(file)).toEqual([
      { unit: "SOLAR01", sensor: "ghi", ts: Date.UTC(2019, 5, 20, 19, 0), value: 990, quality: "GOOD" },
      { unit: "SOLAR01", sensor: "temperature", ts: Date.UTC(2019, 5, 20, 19, 0), value: 25.5, quality: "GOOD" },
    ]);
  });

  it("reads meter data with the unit from its meter_id column", async () => {
    const file = await processed(fixture("meter_feeder.csv"));
    expect(file.format).toBe("meter");
    expect(file.series.map((s) => `${s.unit}/${s.sensor}`)).toEqual([
      "MTR01/active_power_kw",
      "MTR01/reactive_power_kvar",
      "MTR01/voltage_v",
      "MTR01/current_a",
      "MTR01/frequency_hz",
    ]);
    // Line 2: 2024-03-04T00:00:00Z,MTR01,30.75,9.23,399.6,44.39,49.974
    const first = readingsOf(file).filter((r) => r.ts === Date.UTC(2024, 2, 4));
    expect(Object.fromEntries(first.map((r) => [r.sensor, r.value]))).toEqual({
      active_power_kw: 30.75,
      reactive_power_kvar: 9.23,
      voltage_v: 399.6,
      current_a: 44.39,
      frequency_hz: 49.974,
    });
    expect(file.readingsKept).toBe(96 * 5);
  });

  it("reads weather data, taking zone-less timestamps as UTC and the unit from the file name", async () => {
    const file = await processed(fixture("weather_station.csv"));
    expect(file.format).toBe("weather");
    const first = readingsOf(file).filter((r) => r.ts === Date.UTC(2024, 2, 4, 0, 0));
    // Line 2: 2024-03-04 00:00:00,3.7,81,3.9,1014.8,0
    expect(first.map((r) => [r.unit, r.sensor, r.value])).toEqual([
      ["weather_station", "cloud_cover_percent", 0],
      ["weather_station", "humidity_percent", 81],
      ["weather_station", "pressure_mb", 1014.8],
      ["weather_station", "temperature_c", 3.7],
      ["weather_station", "wind_speed_ms", 3.9],
    ]);
    expect(file.readingsKept).toBe(48 * 5);
  });

  it("reads the long format: unit, sensor, value and quality per row, epoch-millisecond timestamps", async () => {
    const file = await processed(fixture("long_plant.csv"));
    expect(file.format).toBe("long");
    const readings = readingsOf(file);
    expect(readings).toHaveLength(48);
    expect(new Set(readings.map((r) => `${r.unit}/${r.sensor}`))).toEqual(new Set(["UNIT001/temperature", "UNIT001/pressure", "UNIT002/temperature", "UNIT002/pressure"]));
    expect(readings.find((r) => r.unit === "UNIT001" && r.sensor === "temperature" && r.ts === 1709510700000)?.value).toBe(24.1);
    expect(readings.filter((r) => r.quality === "UNCERTAIN")).toEqual([{ unit: "UNIT002", sensor: "pressure", ts: 1709510400000 + 5 * 300000, value: 4.25, quality: "UNCERTAIN" }]);
  });

  it("reads a timestamped file of no known kind as wide, one sensor per column", async () => {
    const dir = tempDir();
    const path = writeCsv(dir, "machine temperature.csv", ["timestamp,value", "2013-12-02 21:15:00,73.96732207", "2013-12-02 21:20:00,74.935882"]);
    const file = await processed(path);
    expect(file.format).toBe("wide");
    expect(readingsOf(file)).toEqual([
      { unit: "machine_temperature", sensor: "value", ts: Date.UTC(2013, 11, 2, 21, 15), value: 73.96732207, quality: "GOOD" },
      { unit: "machine_temperature", sensor: "value", ts: Date.UTC(2013, 11, 2, 21, 20), value: 74.935882, quality: "GOOD" },
    ]);
  });

  it("fails a file whose format cannot be recognised, naming why, without throwing", async () => {
    const dir = tempDir();
    const path = writeCsv(dir, "notes.csv", ["name,comment", "a,b"]);
    const outcome = await processFile(task(path));
    expect(outcome).toMatchObject({ ok: false, code: "VIGIL_IMPORT_FILE_INVALID" });
    expect(!outcome.ok && outcome.message).toMatch(/format not recognised/);
  });

  it("fails a file that does not exist with the system's error code", async () => {
    const outcome = await processFile(task("/nonexistent/meter.csv"));
    expect(outcome).toMatchObject({ ok: false, code: "ENOENT" });
  });

  it("fails a file forced into a format whose columns it lacks", async () => {
    const outcome = await processFile(task(fixture("weather_station.csv"), { format: "long" }));
    expect(outcome).toMatchObject({ ok: false, code: "VIGIL_IMPORT_FILE_INVALID" });
    expect(!outcome.ok && outcome.message).toMatch(/lacks unit, sensor/);
  });
});
