/**
 * The solar forecast: the baseline in models/ measured on simulator data it
 * was never trained on (another seed, other days), rows built the way the
 * trainer builds them (the device's power at an instant from its other
 * fields' features and the time), scored in onnxruntime from the checked-in
 * bytes. The floor sits under the figure measured with these exact
 * settings, written next to it; everything is seeded. And the rows the
 * trainer makes for it: the solar devices' alone, spread over the window.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unitRows } from "../../../src/actors/trainer/datasets.js";
import { LabelIndex } from "../../../src/actors/trainer/labels.js";
import { rowsForKind } from "../../../src/actors/trainer/rows-for-kind.js";
import { simulatedHistory } from "../../../src/actors/trainer/simulated-history.js";
import { simulatedSolarHistory } from "../../../src/actors/trainer/simulated-solar-history.js";
import { resolveSensorTypes } from "../../../src/actors/kinds.js";
import { featureSpecOf, resolveSensorSettings } from "../../../src/actors/sensor/index.js";
import { regressionMetrics, scoreOnnx, type Task } from "../../../src/ml/index.js";

const BASELINE = fileURLToPath(new URL("../../../models/solar_forecast/v000001/", import.meta.url));
const MINUTE = 60 * 1000;
const spec = featureSpecOf(resolveSensorSettings(undefined));

describe("the solar forecast baseline", () => {
  it("predicts a device's power on simulator data it never saw, within 0.135 kW on a 5 kW array (RMSE)", async () => {
    const manifest = JSON.parse(readFileSync(`${BASELINE}manifest.json`, "utf8")) as { features: string[]; task: Task };
    const onnx = readFileSync(`${BASELINE}model.onnx`);
    // Seed 2 (the baseline's is 1), days the baseline skipped (autumn, late winter, high summer), at one reading per second.
    const history = simulatedSolarHistory({
      devices: 2,
      seed: 2,
      days: [Date.UTC(2025, 9, 15), Date.UTC(2026, 1, 20), Date.UTC(2026, 6, 30)],
      hours: [0, 3, 6, 9, 12, 15, 18, 21].map((h) => h + 0.5),
      sliceMs: 10 * MINUTE,
      intervalMs: 1000,
    });
    const rows = unitRows(history.readings, { sensor: "ac_power" }, { spec, labels: new LabelIndex([]), maxRows: 1_000_000 });
    const predicted = await scoreOnnx(onnx, { features: manifest.features, task: manifest.task, label: "solar_forecast baseline" }, rows.data);
    const truth = rows.data.y as Float64Array;
    const metrics = regressionMetrics(truth, predicted);
    // Measured RMSE 0.114 kW, MAE 0.050 kW over 28,782 rows (a 5 kW array; summer noon makes about 4.1 kW).
    expect(metrics.rmse).toBeLessThan(0.135);
    expect(metrics.mae).toBeLessThan(0.06);
  }, 120_000);
});

describe("the solar forecast's training rows", () => {
  it("come from the solar devices alone, power the target, spread from the window's first hours to its last", () => {
    const solar = simulatedSolarHistory({ devices: 2, seed: 1, days: [Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 2)], hours: [2, 10, 18], sliceMs: 5 * MINUTE, intervalMs: 1000 });
    const plant = simulatedHistory({ mode: "plant", units: 2, seed: 1, startAt: Date.UTC(2026, 2, 2, 18), durationMs: 5 * MINUTE, intervalMs: 1000 });
    const readings = [...plant.readings, ...solar.readings].map((r) => ({ unit: r.unit, sensor: r.sensor, ts: r.ts, value: r.value }));
    const [outcome] = rowsForKind("solar_forecast", readings, [], { spec, sensorTypes: resolveSensorTypes(undefined), maxRows: 600 });
    if (outcome === undefined || "error" in outcome) throw new Error("no solar rows");
    expect(outcome.rows.units).toEqual(["SOLAR001", "SOLAR002"]);
    expect(outcome.rows.sensors).toEqual(["ghi", "module_temperature"]);
    expect(outcome.rows.data.rows).toBe(600);
    // 3,600 rows (2 devices × 6 slices × 300 s) thinned to 600: the first slice's and the last's are both in.
    expect(outcome.rows.ts[0]).toBeLessThan(Date.UTC(2026, 2, 1, 2, 5));
    expect(outcome.rows.ts.at(-1)).toBeGreaterThan(Date.UTC(2026, 2, 2, 18));
    expect(outcome.rows.data.features.some((f) => f.startsWith("ac_power"))).toBe(false);
    expect(Math.max(...(outcome.rows.data.y as Float64Array))).toBeLessThanOrEqual(5 * 1.02);
  });
});

