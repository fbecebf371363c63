/**
 * Small models for the scoring specs, trained in the test with Vigil's own
 * trainer and exporter (a few seconds at most): an isolation forest on a
 * temperature sensor's normal rolling features, unit-state and RUL models
 * on a two-sensor unit's features, and a model that loads but fails on any
 * batch of more than one row, and a solar device's linear power forecaster. Plus the readings they are meant for and a
 * replay of a sensor's features, to know what a version gives for a row.
 */
import { featureSpecOf, resolveSensorSettings } from "../../../src/actors/sensor/index.js";
import { exportOnnx, featureNames, ONNX_INPUT, predict, RollingFeatures, TIME_FEATURES, train, unitFeatureNames, type Model, type ModelRegistry, type ModelVersion, type NewModelVersion } from "../../../src/ml/index.js";
import { SeededRandom } from "../../../src/runtime/index.js";
import { encodeModel, FLOAT, node, valueInfo } from "../../../src/ml/onnx/proto.js";
import type { Reading } from "../../../src/actors/readings/index.js";

export const SPEC = featureSpecOf(resolveSensorSettings(undefined));
/** A sensor's warm-up: its first WARMUP − 1 readings are scored by rules, the WARMUP-th on by its model (scoring.minSamples). */
export const WARMUP = SPEC.minSamples as number;
export const SENSOR_FEATURES = featureNames(SPEC);
export const UNIT_SENSORS = ["temperature", "pressure"] as const;
export const T0 = Date.UTC(2025, 0, 6, 8);
const BY = { who: "spec", why: "scoring specs" };

/** Normal temperature: 20 °C with 0.5 °C of noise, one reading a second. */
export function normalValue(rand: SeededRandom): number {
  return 20 + rand.normal() * 0.5;
}

/** Rolling feature rows of normal temperature readings. */
function normalRows(seed: number, rows: number): Float64Array {
  const rand = new SeededRandom(seed);
  const f = new RollingFeatures(SPEC);
  const x = new Float64Array(rows * f.width);
  for (let i = 0, r = 0; r < rows; i++) {
    f.push(T0 + i * 1000, normalValue(rand));
    if (i < 30) continue;
    f.vector(x.subarray(r * f.width, (r + 1) * f.width));
    r++;
  }
  return x;
}

export interface TrainedVersion {
  readonly model: Model;
  readonly version: NewModelVersion;
}

/** An isolation forest on normal temperature features; its threshold sits just above every training row's score. */
export function anomalyModel(seed: number): TrainedVersion {
  const rows = 400;
  const x = normalRows(seed, rows);
  const params = { trees: 40, sampleSize: 128 };
  const model = train({ algorithm: "isolation_forest", task: "anomaly", data: { features: SENSOR_FEATURES, rows, x }, params, seed });
  const threshold = Math.max(...predict(model, x, rows)) + 0.02;
  return { model, version: versionOf("anomaly.temperature", model, params, { threshold }, seed) };
}

/** A unit-state classifier (seven classes) and a RUL regressor on random unit rows: what they say matters less than that they say it. */
export function unitModels(seed: number): { state: TrainedVersion; rul: TrainedVersion } {
  const names = unitFeatureNames(UNIT_SENSORS, SPEC);
  const rows = 210;
  const rand = new SeededRandom(seed);
  const x = Float64Array.from({ length: rows * names.length }, () => rand.normal());
  const classes = Float64Array.from({ length: rows }, (_, i) => i % 7);
  const hours = Float64Array.from({ length: rows }, (_, i) => 100 + (i % 50) * 10);
  const params = { trees: 5, maxDepth: 4 };
  const state = train({ algorithm: "random_forest", task: "multiclass", data: { features: names, rows, x, y: classes }, params, seed, classes: 7 });
  const rul = train({ algorithm: "random_forest", task: "regression", data: { features: names, rows, x, y: hours }, params, seed });
  return { state: { model: state, version: versionOf("unit_state", state, params, {}, seed) }, rul: { model: rul, version: versionOf("unit_rul", rul, params, {}, seed) } };
}

/**
 * Loads and runs one row like any model, but gives one value whatever the
 * batch (the mean of every input): a batch of several rows gets too few
 * answers, which the scorer must treat as a failed run.
 */
export function failingModel(): NewModelVersion {
  const onnx = encodeModel({
    name: "mean_of_everything",
    nodes: [node("ReduceMean", [ONNX_INPUT], ["score"], { keepdims: { int: 1 }, axes: { ints: [0, 1] } })],
    initializers: [],
    inputs: [valueInfo(ONNX_INPUT, FLOAT, ["N", SENSOR_FEATURES.length])],
    outputs: [valueInfo("score", FLOAT, [1, 1])],
    metadata: {},
  });
  return { model: "anomaly.temperature", algorithm: "isolation_forest", task: "anomaly", features: SENSOR_FEATURES, params: {}, metrics: {}, trainingWindow: { from: T0, to: T0 + 1 }, dataHash: "b".repeat(64), seed: 0, onnx };
}

function versionOf(name: string, model: Model, params: Record<string, number>, metrics: Record<string, number>, seed: number): NewModelVersion {
  return { model: name, algorithm: model.algorithm, task: model.task, features: model.features, params, metrics, trainingWindow: { from: T0 - 86_400_000, to: T0 }, dataHash: "a".repeat(64), seed, onnx: exportOnnx(model) };
}

/** `solar_forecast`: a linear forecaster on the time of day and the device's irradiance (`ghi`) and `temperature`. */
export function solarForecaster(): TrainedVersion {
  const features = [...TIME_FEATURES, "ghi", "temperature"];
  const rand = new SeededRandom(9);
  const rows = 200;
  const x = Float64Array.from({ length: rows * features.length }, () => rand.next() * 100);
  const y = Float64Array.from({ length: rows }, (_, r) => 0.01 * (x[r * features.length + 4] as number) - 0.002 * (x[r * features.length + 5] as number));
  const model = train({ algorithm: "linear_regression", task: "regression", data: { features, rows, x, y }, seed: 1 });
  return { model, version: versionOf("solar_forecast", model, {}, {}, 1) };
}

/** Registers a version and moves it to Production. */
export async function promote(registry: ModelRegistry, version: NewModelVersion): Promise<ModelVersion> {
  const v = await registry.register(version, BY);
  await registry.transition(v.model, v.version, "Staging", BY);
  return registry.transition(v.model, v.version, "Production", BY);
}

export function reading(unit: string, sensor: string, ts: number, value: number): Reading {
  return { unit, sensor, value, quality: "GOOD", ts, source: "nats", receivedAt: ts };
}

/** Replays a sensor's readings through the shared features: the row each reading was scored on. */
export class FeatureReplay {
  private readonly features = new RollingFeatures(SPEC);
  row(ts: number, value: number): Float64Array {
    this.features.push(ts, value);
    return this.features.vector();
  }
}
