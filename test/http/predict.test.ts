/**
 * Model outputs through the API, against a real node seeded with the
 * checked-in baselines (anomaly.<type>, unit_state, unit_rul in
 * Production): POST /api/v1/predict scored by onnxruntime (checked against
 * a session of the registry's own bytes), its refusals by code; a unit's
 * remaining useful life from its unit actor's latest output; a solar
 * device's latest forecast once a solar_forecast version is promoted.
 */
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONAL_STATES } from "../../src/actors/readings/index.js";
import { ONNX_INPUT, RollingFeatures, TIME_FEATURES, writeTimeFeatures } from "../../src/ml/index.js";
import { DEFAULT_EXPORT_TOLERANCE, loadSession } from "../../src/ml/onnx/verify.js";
import { SeededRandom } from "../../src/runtime/index.js";
import { promote, SENSOR_FEATURES, solarForecaster, SPEC, WARMUP } from "../actors/models/trained.js";
import { specifyGate } from "./gate.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

const MAX_BODY = 64 * 1024;
const MAX_ROWS = 8;
const HEALTHY_RUL_HOURS = 500;
let rig: ApiRig;

interface Prediction {
  outputs: number[];
  score?: number;
  anomalous?: boolean;
  state?: string;
  probabilities?: Record<string, number>;
  rul_hours?: number;
  health?: number;
  power_kw?: number;
}
interface Answer {
  model: string;
  version: number;
  stage: string;
  model_version: string;
  task: string;
  features: string[];
  threshold: number | null;
  predictions: Prediction[];
}

beforeAll(async () => {
  rig = await startApiRig({
    env: { VIGIL_MODELS_PREDICT_MAX_ROWS: String(MAX_ROWS), VIGIL_MODELS_SCORING_HEALTHY_RUL_HOURS: String(HEALTHY_RUL_HOURS), VIGIL_TRAINING_ENABLED: "false" },
    http: { maxBodyBytes: MAX_BODY, rateLimit: { perSecond: 0, burst: 1 } },
  });
  await rig.node.scoring?.settled();
}, 60_000);

afterAll(async () => {
  await rig?.stop();
});

const predict = (body: unknown) => rig.call("/api/v1/predict", { method: "POST", as: "viewer", json: body });

async function featuresOf(model: string): Promise<string[]> {
  const res = await rig.call(`/api/v1/models?model=${model}`, { as: "viewer" });
  const { versions } = (await res.json()) as { versions: { features: string[]; stage: string }[] };
  return versions.find((v) => v.stage === "Production")!.features;
}

/** Outputs alike within the export check's tolerance: a few rows are scored by the model's TypeScript twin, not onnxruntime (src/ml/scoring/loaded-model.ts). */
function expectScoredAlike(outputs: readonly number[], want: readonly number[]): void {
  expect(outputs).toHaveLength(want.length);
  const { abs, rel } = DEFAULT_EXPORT_TOLERANCE;
  want.forEach((w, i) => expect(Math.abs((outputs[i] as number) - w)).toBeLessThanOrEqual(abs + rel * Math.abs(w)));
}

/** Runs rows (each in the model's feature order) through a session of the registry's own bytes of the version. */
async function reference(model: string, version: number, rows: number[][]): Promise<number[][]> {
  const { manifest, onnx } = await rig.node.modelRegistry.load(model, version);
  const session = await loadSession(onnx);
  try {
    const width = manifest.features.length;
    const output = manifest.task === "anomaly" ? "score" : manifest.task === "regression" ? "prediction" : "probabilities";
    const result = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", Float32Array.from(rows.flat()), [rows.length, width]) });
    const data = Array.from(result[output]!.data as Float32Array);
    const per = data.length / rows.length;
    return rows.map((_, r) => data.slice(r * per, (r + 1) * per));
  } finally {
    await session.release();
  }
}

/** A temperature sensor's rolling features after `n` readings around `level`, by name. */
function sensorRow(level: number, n: number, seed: number): Record<string, number> {
  const rand = new SeededRandom(seed);
  const f = new RollingFeatures(SPEC);
  for (let i = 0; i < n; i++) f.push(Date.UTC(2025, 0, 6) + i * 1000, level + rand.normal() * 0.5);
  const v = f.vector();
  return Object.fromEntries(SENSOR_FEATURES.map((name, i) => [name, v[i] as number]));
}

/** A row of `features` with every value drawn from a seeded generator. */
function anyRow(features: readonly string[], seed: number): Record<string, number> {
  const rand = new SeededRandom(seed);
  return Object.fromEntries(features.map((f) => [f, rand.normal()]));
}

describe("the gate", () => {
  specifyGate(
    () => rig,
    [
      { method: "POST", path: "/api/v1/predict", role: "viewer", malformed: { model: 42, rows: [] } },
      { method: "GET", path: "/api/v1/units/UNIT001/rul", role: "viewer" },
      { method: "GET", path: "/api/v1/devices/PV001/forecast", role: "viewer" },
    ],
    MAX_BODY,
  );
});

it("lists the predict, RUL and forecast routes in the OpenAPI document", async () => {
  const doc = (await (await rig.call("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  expect(Object.keys(doc.paths["/api/v1/predict"] ?? {})).toEqual(["post"]);
  expect(Object.keys(doc.paths["/api/v1/units/{unit}/rul"] ?? {})).toEqual(["get"]);
  expect(Object.keys(doc.paths["/api/v1/devices/{id}/forecast"] ?? {})).toEqual(["get"]);
});

describe("POST /api/v1/predict", () => {
  it("scores one row with the Production anomaly model as onnxruntime does with the registry's bytes (within the export tolerance), flagged against the version's threshold", async () => {
    const features = await featuresOf("anomaly.temperature");
    const row = sensorRow(20, 60, 1);
    const res = await predict({ model: "anomaly.temperature", row });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer).toMatchObject({ model: "anomaly.temperature", version: 1, stage: "Production", model_version: "anomaly.temperature@1", task: "anomaly", features });
    const [want] = await reference("anomaly.temperature", 1, [features.map((f) => row[f]!)]);
    const [p] = answer.predictions;
    expectScoredAlike(p!.outputs, want!);
    expect(p!.score).toBeCloseTo(want![0]!, 6);
    expect(p!.anomalous).toBe(p!.score! >= answer.threshold!);
  });

  it("answers a batch with one prediction per row, in order, each as the row scored alone", async () => {
    const rows = [sensorRow(20, 60, 2), sensorRow(35, 60, 3), sensorRow(20, 12, 4)];
    const batch = (await (await predict({ model: "anomaly.temperature", rows })).json()) as Answer;
    const alone = await Promise.all(rows.map(async (row) => ((await (await predict({ model: "anomaly.temperature", row })).json()) as Answer).predictions[0]));
    expect(batch.predictions).toEqual(alone);
  });

  it("reads unit_state's outputs as the most probable operational state with each state's probability", async () => {
    const features = await featuresOf("unit_state");
    const row = anyRow(features, 5);
    const answer = (await (await predict({ model: "unit_state", row })).json()) as Answer;
    const [want] = await reference("unit_state", answer.version, [features.map((f) => row[f]!)]);
    const p = answer.predictions[0]!;
    expectScoredAlike(p.outputs, want!);
    const best = want!.indexOf(Math.max(...want!));
    expect(p.state).toBe(OPERATIONAL_STATES[best]);
    expect(Object.keys(p.probabilities!)).toEqual([...OPERATIONAL_STATES]);
  });

  it("reads unit_rul's output as hours of remaining life and health from them", async () => {
    const features = await featuresOf("unit_rul");
    const row = anyRow(features, 6);
    const answer = (await (await predict({ model: "unit_rul", rows: [row] })).json()) as Answer;
    const [want] = await reference("unit_rul", answer.version, [features.map((f) => row[f]!)]);
    const p = answer.predictions[0]!;
    expect(p.rul_hours).toBeCloseTo(Math.max(0, want![0]!), 3);
    expect(p.health).toBe(Math.round(Math.min(1, p.rul_hours! / HEALTHY_RUL_HOURS) * 100) / 100);
  });

  it("scores with the version named in the request", async () => {
    const res = await predict({ model: "anomaly.pressure", version: 1, row: sensorRow(4, 30, 7) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Answer).model_version).toBe("anomaly.pressure@1");
  });

  it("answers a row lacking one of the version's features with 400 VIGIL_API_FEATURE_MISSING naming it", async () => {
    const { c10_slope: _dropped, ...row } = sensorRow(20, 60, 8);
    const res = await predict({ model: "anomaly.temperature", row });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VIGIL_API_FEATURE_MISSING");
    expect(body.error.message).toContain("c10_slope");
  });

  it("answers a model it does not score with 404 VIGIL_API_MODEL_UNKNOWN", async () => {
    const res = await predict({ model: "astrology", row: { a: 1 } });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_API_MODEL_UNKNOWN");
  });

  it("answers a version the model does not have with 404 VIGIL_API_MODEL_UNKNOWN", async () => {
    const res = await predict({ model: "anomaly.temperature", version: 99, row: sensorRow(20, 60, 9) });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_API_MODEL_UNKNOWN");
  });

  it("answers more rows than models.predict.maxRows with 413 VIGIL_API_BATCH_TOO_LARGE", async () => {
    const row = sensorRow(20, 60, 10);
    const res = await predict({ model: "anomaly.temperature", rows: Array.from({ length: MAX_ROWS + 1 }, () => row) });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe("VIGIL_API_BATCH_TOO_LARGE");
  });

  it("answers a body with both row and rows with 400", async () => {
    const row = sensorRow(20, 60, 11);
    const res = await predict({ model: "anomaly.temperature", row, rows: [row] });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("VIGIL_API_BAD_REQUEST");
  });
});

/** The sensors the seeded unit_rul model reads (the run-to-failure engine's). */
async function rulSensors(): Promise<string[]> {
  return [...new Set((await featuresOf("unit_rul")).filter((f) => f.includes(".")).map((f) => f.slice(0, f.indexOf("."))))];
}

async function ingest(readings: { unit: string; sensor: string; value: number; timestamp?: number }[]): Promise<void> {
  const res = await rig.call("/api/v1/ingest", { method: "POST", as: "operator", json: readings });
  expect(await res.json()).toMatchObject({ rejected: 0 });
}

describe("GET /api/v1/units/{unit}/rul", () => {
  it("answers a unit scored by unit_rul with its hours, health from them, method MODEL and the version", async () => {
    const sensors = await rulSensors();
    const now = Date.now() - 30_000;
    // Enough readings for every sensor to be past its warm-up: until then the unit is assessed by rules.
    for (let i = 0; i < WARMUP; i++) await ingest(sensors.map((sensor, s) => ({ unit: "ENG01", sensor, value: 100 + s + i, timestamp: now + i * 1000 })));
    const rul = async () => (await (await rig.call("/api/v1/units/ENG01/rul", { as: "viewer" })).json()) as { rul_hours: number | null; health: number; method: string; model_version: string | null };
    await expect.poll(async () => (await rul()).method, { timeout: 15_000 }).toBe("MODEL");
    const got = await rul();
    expect(got.model_version).toBe("unit_rul@1");
    expect(got.rul_hours).toBeGreaterThanOrEqual(0);
    expect(got.health).toBe(Math.round(Math.min(1, got.rul_hours! / HEALTHY_RUL_HOURS) * 100) / 100);
  });

  it("answers a unit without the model's sensors with method RULES and no hours", async () => {
    await ingest([{ unit: "PLAIN01", sensor: "temperature", value: 21 }]);
    await expect.poll(async () => (await rig.call("/api/v1/units/PLAIN01/rul", { as: "viewer" })).status, { timeout: 15_000 }).toBe(200);
    const got = (await (await rig.call("/api/v1/units/PLAIN01/rul", { as: "viewer" })).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ unit: "PLAIN01", rul_hours: null, method: "RULES", model_version: null });
  });

  it("answers a unit that never reported with 404", async () => {
    const res = await rig.call("/api/v1/units/NOWHERE/rul", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_UNIT_NOT_FOUND");
  });
});

interface Forecast {
  unit: string;
  ts: number;
  power_kw: number;
  model_power_kw: number;
  capacity_kw: number | null;
  model_version: string;
}

/** Registers `id` with `capacityKw`, sends it one reading of each feature and answers its forecast once there is one. */
async function forecastOfRegistered(id: string, capacityKw: number, values: { ghi: number; temperature: number }): Promise<Forecast> {
  const device = { id, type: "solar", location: "roof", capacityKw, topic: `solar/${id}/data` };
  expect((await rig.call("/api/v1/devices", { method: "POST", as: "admin", json: device })).status).toBe(201);
  const ts = Date.now() - 1000;
  await ingest([
    { unit: id, sensor: "ghi", value: values.ghi, timestamp: ts },
    { unit: id, sensor: "temperature", value: values.temperature, timestamp: ts },
  ]);
  const forecast = () => rig.call(`/api/v1/devices/${id}/forecast`, { as: "viewer" });
  await expect.poll(async () => (await forecast()).status, { timeout: 15_000 }).toBe(200);
  return (await (await forecast()).json()) as Forecast;
}

describe("GET /api/v1/devices/{id}/forecast", () => {
  beforeAll(async () => {
    await promote(rig.node.modelRegistry, solarForecaster().version);
    await rig.node.scoring?.settled();
  });

  it("answers a device's latest forecast, the same kW as predicting from its readings", async () => {
    // Registered after the seeded baseline (models/ holds solar_forecast v1), so the spec's forecaster is a later version.
    const production = await rig.node.modelRegistry.production("solar_forecast");
    expect(production?.version).toBeGreaterThan(1);
    const ts = Date.now() - 1000;
    await ingest([
      { unit: "PV001", sensor: "ghi", value: 640, timestamp: ts },
      { unit: "PV001", sensor: "temperature", value: 21, timestamp: ts },
    ]);
    const forecast = () => rig.call("/api/v1/devices/PV001/forecast", { as: "viewer" });
    await expect.poll(async () => (await forecast()).status, { timeout: 15_000 }).toBe(200);
    const got = (await (await forecast()).json()) as Forecast;
    expect(got).toMatchObject({ unit: "PV001", ts, model_version: `solar_forecast@${production?.version}`, capacity_kw: null });
    expect(got.model_power_kw).toBe(got.power_kw);
    const time = new Float64Array(TIME_FEATURES.length);
    writeTimeFeatures(ts, time, 0);
    const row = { ...Object.fromEntries(TIME_FEATURES.map((f, i) => [f, time[i] as number])), ghi: 640, temperature: 21 };
    const predicted = (await (await predict({ model: "solar_forecast", row })).json()) as Answer;
    expect(got.power_kw).toBe(predicted.predictions[0]!.power_kw);
  });

  it("clips a registered device's forecast to its capacity, the model's own figure beside it", async () => {
    const got = await forecastOfRegistered("PV002", 2.5, { ghi: 640, temperature: 21 });
    expect(got.model_power_kw).toBeGreaterThan(2.5);
    expect(got).toMatchObject({ unit: "PV002", power_kw: 2.5, capacity_kw: 2.5 });
  });

  it("never forecasts a registered device below 0 kW", async () => {
    const got = await forecastOfRegistered("PV003", 10, { ghi: 0, temperature: 40 });
    expect(got.model_power_kw).toBeLessThan(0);
    expect(got).toMatchObject({ unit: "PV003", power_kw: 0, capacity_kw: 10 });
  });

  it("answers a registered device without a forecast with 404 VIGIL_FORECAST_NOT_FOUND", async () => {
    const device = { id: "PV404", type: "solar", location: "roof", capacityKw: 5, topic: "solar/PV404/data" };
    expect((await rig.call("/api/v1/devices", { method: "POST", as: "admin", json: device })).status).toBe(201);
    const res = await rig.call("/api/v1/devices/PV404/forecast", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_FORECAST_NOT_FOUND");
  });

  it("answers a device neither registered nor forecast with 404 VIGIL_DEVICE_NOT_FOUND", async () => {
    const res = await rig.call("/api/v1/devices/PV999/forecast", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_DEVICE_NOT_FOUND");
  });
});
