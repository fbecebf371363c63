import { describe, expect, it } from "vitest";
import type { RawReadingRow } from "../../../src/store/index.js";
import { DEFAULT_FEATURE_SPEC, featureNames, RollingFeatures, TIME_FEATURES, UnitFeatures, unitFeatureMatrix, unitFeatureNames, writeTimeFeatures } from "../../../src/ml/index.js";

const T0 = Date.UTC(2024, 0, 1); // a Monday, midnight UTC
const SENSORS = ["temperature", "pressure"];

describe("time features", () => {
  it("put midnight and Monday at angle 0, and 18:00 at three quarters of the day", () => {
    const out = new Float64Array(4);
    writeTimeFeatures(T0, out, 0);
    expect([...out].map((v) => Number(v.toFixed(12)))).toEqual([0, 1, 0, 1]);
    writeTimeFeatures(T0 + 18 * 3_600_000, out, 0);
    expect(out[0]).toBeCloseTo(-1, 12);
    expect(out[1]).toBeCloseTo(0, 12);
  });
});

describe("unit features", () => {
  it("are time features, each sensor's rolling features in sensor order, then the cross-sensor z-scores", () => {
    const names = unitFeatureNames(SENSORS);
    expect(names.slice(0, 4)).toEqual([...TIME_FEATURES]);
    expect(names[4]).toBe(`temperature.${featureNames(DEFAULT_FEATURE_SPEC)[0]}`);
    expect(names.slice(-2)).toEqual(["unit_mean_zscore", "unit_max_abs_zscore"]);
    expect(new UnitFeatures(SENSORS).width).toBe(names.length);
  });

  it("carry each sensor's own rolling vector unchanged", () => {
    const unit = new UnitFeatures(SENSORS);
    const alone = new RollingFeatures();
    for (let i = 0; i < 40; i++) {
      unit.push("temperature", T0 + i * 1000, 20 + (i % 7));
      unit.push("pressure", T0 + i * 1000, 5 - (i % 3));
      alone.push(T0 + i * 1000, 5 - (i % 3));
    }
    const v = unit.vector(T0 + 39_000);
    const w = alone.width;
    expect([...v.subarray(4 + w, 4 + 2 * w)]).toEqual([...alone.vector()]);
  });

  it("from stored rows give, row for row, what a live unit had after each instant, in time order across units", () => {
    const rows = [];
    for (let i = 0; i < 30; i++) {
      for (const unit of ["B", "A"]) {
        for (const sensor of SENSORS) rows.push({ unit, sensor, ts: T0 + i * 1000, value: Math.sin(i + sensor.length + unit.charCodeAt(0)) });
      }
    }
    const shuffled = [...rows].reverse();
    const matrix = unitFeatureMatrix(shuffled, SENSORS);
    expect(matrix.rows).toBe(60);
    expect(matrix.units.slice(0, 4)).toEqual(["A", "B", "A", "B"]);
    const live = new UnitFeatures(SENSORS);
    const width = matrix.names.length;
    let r = 0;
    for (let i = 0; i < 30; i++) {
      for (const row of rows.filter((x) => x.unit === "A" && x.ts === T0 + i * 1000)) live.push(row.sensor, row.ts, row.value);
      expect([...matrix.data.subarray(r * width, (r + 1) * width)]).toEqual([...live.vector(T0 + i * 1000)]);
      r += 2;
    }
  });

  it("start rows only once every sensor of the unit has reported", () => {
    const matrix = unitFeatureMatrix(
      [
        { unit: "A", sensor: "temperature", ts: T0, value: 1 },
        { unit: "A", sensor: "temperature", ts: T0 + 1000, value: 2 },
        { unit: "A", sensor: "pressure", ts: T0 + 1000, value: 3 },
      ],
      SENSORS,
    );
    expect([...matrix.ts]).toEqual([T0 + 1000]);
  });

  it("start rows only once every sensor of the unit is past its warm-up (spec.minSamples)", () => {
    const rows = [];
    for (let i = 0; i < 6; i++) {
      // The pressure sensor starts two seconds late.
      for (const sensor of SENSORS) if (sensor !== "pressure" || i >= 2) rows.push({ unit: "A", sensor, ts: T0 + i * 1000, value: i });
    }
    const matrix = unitFeatureMatrix(rows, SENSORS, { ...DEFAULT_FEATURE_SPEC, minSamples: 3 });
    expect([...matrix.ts]).toEqual([T0 + 4000, T0 + 5000]);
  });

  it("take the history store's raw reading rows as they are", () => {
    const stored: RawReadingRow[] = SENSORS.map((sensor, i) => ({ unit: "A", sensor, ts: T0, value: i, quality: "GOOD", source: "mqtt", receivedAt: T0 }));
    const matrix = unitFeatureMatrix(stored, SENSORS);
    expect(matrix.rows).toBe(1);
    expect(matrix.units).toEqual(["A"]);
  });
});
